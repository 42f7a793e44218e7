"""LTI 1.3 state: the platforms we trust (registrations), and how their contexts, users and
resource links map onto our courses, users and assignments."""

from __future__ import annotations

from assessments.models import Assignment
from courses.models import Course
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class LtiRegistration(models.Model):
    """One LMS (issuer + client id) that may launch us, with the tool key pair made for it.

    Users and contexts hang off the registration, not the bare issuer: the cloud Canvas issuer is
    shared by every Canvas school, so issuer + sub alone would let one school's registration
    speak for another school's users."""

    title = models.CharField(_("name"), max_length=200)
    issuer = models.CharField(_("issuer (iss)"), max_length=255)
    client_id = models.CharField(_("client ID"), max_length=255)
    auth_login_url = models.URLField(_("authentication request URL (OIDC auth)"), max_length=1024)
    auth_token_url = models.URLField(_("access token URL"), max_length=1024)
    # Some platforms (Brightspace) want a different "aud" in the client assertion than the token URL.
    auth_audience = models.CharField(
        _("token audience (if not the token URL)"), max_length=1024, blank=True
    )
    key_set_url = models.URLField(_("public keyset URL (JWKS)"), max_length=1024)
    deployment_ids = models.JSONField(_("deployment IDs"), default=list)
    private_key = models.TextField()  # PEM; never shown, never leaves the server
    public_key = models.TextField()  # PEM; published as a JWK by the JWKS endpoint
    active = models.BooleanField(_("active"), default=True)
    # Off by default: any instructor can register a platform, and with this on every LMS course
    # of that platform would become a course here on its first instructor launch.
    creates_courses = models.BooleanField(
        _("create courses for unlinked LMS courses"),
        default=False,
        help_text=_(
            "On: the first instructor launch from an LMS course that is not linked to a course "
            "here creates one. Off: such launches are refused until the LMS course is linked."
        ),
    )
    course = models.ForeignKey(
        Course,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("The course page this platform was registered from."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["title", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["issuer", "client_id"], name="lti_one_registration_per_client"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.issuer}, {self.client_id})"


class LtiContext(models.Model):
    """An LMS course (context) of one registration, bound to one of our courses."""

    registration = models.ForeignKey(
        LtiRegistration, on_delete=models.CASCADE, related_name="contexts"
    )
    context_id = models.CharField(max_length=255)
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="lti_contexts")
    title = models.CharField(max_length=255, blank=True)
    label = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["registration", "context_id"], name="lti_one_context_per_id"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.registration.title}: {self.title or self.context_id} -> {self.course}"


class LtiUser(models.Model):
    """The Django user behind an LMS user (``sub``) of one registration."""

    registration = models.ForeignKey(
        LtiRegistration, on_delete=models.CASCADE, related_name="users"
    )
    sub = models.CharField(max_length=255)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="lti_identities"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    last_launch_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["registration", "sub"], name="lti_one_user_per_sub")
        ]

    def __str__(self) -> str:
        return f"{self.sub}@{self.registration.issuer} -> {self.user}"


class LtiMembership(models.Model):
    """Who launched from which context, with the role of the last launch: grade passback goes
    only to line items of contexts the student is actually in."""

    context = models.ForeignKey(LtiContext, on_delete=models.CASCADE, related_name="memberships")
    lti_user = models.ForeignKey(LtiUser, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=16)  # an Enrollment.Role value
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["context", "lti_user"], name="lti_one_membership_per_context"
            ),
        ]


class LtiResourceLink(models.Model):
    """A placement of the tool in the LMS (a link in a course), usually bound to an assignment
    through deep linking, with the AGS line item its grades go to."""

    context = models.ForeignKey(LtiContext, on_delete=models.CASCADE, related_name="resource_links")
    resource_link_id = models.CharField(max_length=255)
    assignment = models.ForeignKey(
        Assignment,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="lti_resource_links",
    )
    title = models.CharField(max_length=255, blank=True)
    lineitem_url = models.URLField(max_length=1024, blank=True)
    ags_scopes = models.JSONField(default=list, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["context", "resource_link_id"], name="lti_one_link_per_id"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.context}: {self.title or self.resource_link_id} -> {self.assignment}"


class LtiNonce(models.Model):
    """Nonces of accepted launches. The unique constraint makes each id_token usable once, across
    every web process (the library only checks that we issued the nonce)."""

    registration = models.ForeignKey(LtiRegistration, on_delete=models.CASCADE, related_name="+")
    nonce = models.CharField(max_length=255)
    used_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["registration", "nonce"], name="lti_nonce_once")
        ]


class LtiGradeSync(models.Model):
    """Pending or done grade passback of one student's assignment score to one line item.

    The row is the durable record of the work: the task only carries its id, computes the score
    when it runs (so a late retry never sends a stale score) and writes the outcome here."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENDING = "sending", _("Sending")
        # The course does not show the student this score yet (feedback after the due date, or
        # never): the LMS would show it, so it waits for the release (lti.tasks.release_held_grades).
        HELD = "held", _("Held until feedback is released")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    link = models.ForeignKey(LtiResourceLink, on_delete=models.CASCADE, related_name="grade_syncs")
    lti_user = models.ForeignKey(LtiUser, on_delete=models.CASCADE, related_name="grade_syncs")
    status = models.CharField(
        max_length=16, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    requested_at = models.DateTimeField()
    attempts = models.PositiveIntegerField(default=0)  # sends tried, ever
    # The job pipeline (core.jobs): when the task was sent, who holds the claim, temporary
    # failures of the current score, times the worker was lost.
    enqueued_at = models.DateTimeField(null=True, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    worker = models.CharField(max_length=200, blank=True)
    tries = models.PositiveIntegerField(default=0)
    releases = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    sent_score = models.FloatField(null=True, blank=True)
    sent_maximum = models.FloatField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["link", "lti_user"], name="lti_one_sync_per_link_user"),
        ]

    def __str__(self) -> str:
        return f"grade sync {self.pk} ({self.status})"

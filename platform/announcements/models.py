"""Course announcements, each user's e-mail preferences, and the e-mail outbox.

The outbox (``OutboundEmail``) is a job table of ``core.jobs`` (``announcements.jobs.OUTBOX``):
one row per e-mail and recipient, written in the request's transaction; a Celery task sends it.
The row, not the broker, is the truth: a broker outage only delays mail, and the claim plus
``send_started_at`` make sure a recipient never gets two copies."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Announcement(models.Model):
    course = models.ForeignKey("courses.Course", on_delete=models.CASCADE, related_name="announcements")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text (Markdown)"), blank=True)  # rendered sanitised, never trusted
    pinned = models.BooleanField(_("pinned"), default=False)
    emailed = models.BooleanField(default=False)  # the students were sent a copy
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-pinned", "-created_at", "-id"]

    def __str__(self) -> str:
        return self.title


class NotificationPreference(models.Model):
    """Which e-mails a user wants; no row means every kind, in both languages."""

    class Language(models.TextChoices):
        BOTH = "", _("Korean and English")
        KOREAN = "ko", _("Korean")
        ENGLISH = "en", _("English")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preference"
    )
    announcements = models.BooleanField(_("new course announcements"), default=True)
    grades = models.BooleanField(_("grades released to me"), default=True)
    regrades = models.BooleanField(_("answers to my regrade requests"), default=True)
    language = models.CharField(_("e-mail language"), max_length=8, blank=True, choices=Language.choices,
                                default=Language.BOTH)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"notification preferences of {self.user}"


class OutboundEmail(models.Model):
    """One e-mail to one recipient. Subject and text are composed when it is sent (in the
    recipient's language, from the current announcement or grade)."""

    class Kind(models.TextChoices):
        ANNOUNCEMENT = "announcement", _("Announcement")
        GRADE = "grade", _("Grade released")
        REGRADE = "regrade", _("Regrade request answered")

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        SKIPPED = "skipped", _("Not sent (opted out, no address or no longer relevant)")
        FAILED = "failed", _("Failed")

    kind = models.CharField(max_length=16, choices=Kind.choices)
    # Idempotency: the same notification requested twice (a redelivered signal, a double click)
    # is one row, hence one e-mail.
    key = models.CharField(max_length=200, unique=True)
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    course = models.ForeignKey("courses.Course", on_delete=models.CASCADE, related_name="+")
    announcement = models.ForeignKey(
        Announcement, on_delete=models.CASCADE, null=True, blank=True, related_name="emails"
    )
    question = models.ForeignKey(
        "assessments.Question", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    context = models.JSONField(default=dict, blank=True)  # what the composer needs beyond the rows
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.QUEUED, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # The job pipeline (core.jobs). A grade held until the due date waits with ``enqueued_at``
    # in the future: the sweeper sends it once that time has passed.
    enqueued_at = models.DateTimeField(null=True, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    worker = models.CharField(max_length=200, blank=True)
    tries = models.PositiveIntegerField(default=0)
    releases = models.PositiveIntegerField(default=0)
    # Set just before the message is handed to the mail server: a worker lost after this point
    # may have sent it, so the row is never sent again (at most one copy).
    send_started_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)

    class Meta:
        indexes = [models.Index(fields=["kind", "recipient", "question", "status"])]

    def __str__(self) -> str:
        return f"{self.kind} e-mail {self.pk} to {self.recipient_id} ({self.status})"

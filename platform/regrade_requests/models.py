"""A student's request for a second look at one item of a graded attempt (a check of a code
submission, a rubric item or the whole answer of a quiz answer), and staff's answer to it."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class RegradeWindow(models.Model):
    """Until when the students of an assignment may ask (no row, or a past date: they may not)."""

    assignment = models.OneToOneField(
        "assessments.Assignment", on_delete=models.CASCADE, related_name="regrade_window"
    )
    closes_at = models.DateTimeField(_("regrade requests accepted until"))


class RegradeRequest(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("Waiting for an answer")
        CHANGED = "changed", _("Answered: score changed")
        KEPT = "kept", _("Answered: score kept")

    student = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="regrade_requests")
    question = models.ForeignKey("assessments.Question", on_delete=models.CASCADE, related_name="regrade_requests")
    # Exactly one of the two: the attempt the request is about.
    submission = models.ForeignKey(
        "submissions.Submission", on_delete=models.CASCADE, null=True, blank=True, related_name="regrade_requests"
    )
    quiz_answer = models.ForeignKey(
        "submissions.QuizAnswer", on_delete=models.CASCADE, null=True, blank=True, related_name="regrade_requests"
    )
    item = models.CharField(_("what to look at again"), max_length=200)  # as the student saw it
    reason = models.TextField(_("reason"))
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.OPEN, db_index=True)
    response = models.TextField(_("answer"), blank=True)
    old_score = models.FloatField(null=True, blank=True)
    new_score = models.FloatField(null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    answered_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(submission__isnull=False, quiz_answer__isnull=True)
                | Q(submission__isnull=True, quiz_answer__isnull=False),
                name="regrade_request_one_attempt",
            ),
            # Once per item of an attempt.
            models.UniqueConstraint(fields=["submission", "item"], condition=Q(submission__isnull=False),
                                    name="regrade_request_once_per_submission_item"),
            models.UniqueConstraint(fields=["quiz_answer", "item"], condition=Q(quiz_answer__isnull=False),
                                    name="regrade_request_once_per_answer_item"),
        ]

    @property
    def attempt(self):  # type: ignore[no-untyped-def]
        return self.submission or self.quiz_answer

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN

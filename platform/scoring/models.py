"""The audit log of scores: every score a student gets or loses, with who and why."""

from __future__ import annotations

from assessments.models import Question
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ScoreChange(models.Model):
    class Source(models.TextChoices):
        GRADED = "graded", _("Graded")  # the first score of a submission or answer
        MANUAL = "manual", _("Manual grading")
        REGRADE = "regrade", _("Regrade")
        DEADLINE = "deadline", _("Deadline or extension change")
        IMPORT = "import", _("Imported scores")

    student = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="score_changes")
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="score_changes")
    submission = models.ForeignKey(
        "submissions.Submission", on_delete=models.CASCADE, null=True, blank=True, related_name="score_changes"
    )
    quiz_answer = models.ForeignKey(
        "submissions.QuizAnswer", on_delete=models.CASCADE, null=True, blank=True, related_name="score_changes"
    )
    old_score = models.FloatField(null=True, blank=True)
    new_score = models.FloatField(null=True, blank=True)
    # Null actor: the system (a worker grading, a recomputation).
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    source = models.CharField(max_length=16, choices=Source.choices)
    reason = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["question", "-created_at"]), models.Index(fields=["student", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.student} {self.question}: {self.old_score} -> {self.new_score} ({self.source})"

from __future__ import annotations

from assessments.models import Question, QuestionVersion
from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Draft(models.Model):
    """The editor's content, saved as the student types: one per user and question."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="drafts")
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="drafts")
    code = models.TextField()
    saved_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "question"], name="one_draft_per_question")]


class Submission(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Grading")
        GRADED = "graded", _("Graded")
        ERROR = "error", _("Error")

    FINAL = (Status.GRADED, Status.ERROR)

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="submissions")
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="submissions")
    version = models.ForeignKey(QuestionVersion, on_delete=models.PROTECT, related_name="submissions")
    idempotency_key = models.CharField(max_length=64)
    code = models.TextField()
    lang = models.CharField(max_length=8, default="ko")
    seed = models.BigIntegerField()
    attempt = models.PositiveIntegerField()
    counts_as_attempt = models.BooleanField(default=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.QUEUED, db_index=True)
    created_at = models.DateTimeField(default=timezone.now)  # given by the demo class's replayed term
    # When a task was last sent (or is scheduled to run, after a sandbox failure): the sweeper
    # re-sends queued rows whose task evidently got lost.
    enqueued_at = models.DateTimeField(null=True, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    worker = models.CharField(max_length=200, blank=True)
    graded_at = models.DateTimeField(null=True, blank=True)
    infra_failures = models.PositiveIntegerField(default=0)
    # How often the sweeper gave the row back after its worker was lost: bounded, so a submission
    # that kills its worker (or cannot be stored) ends `error` instead of circling forever.
    releases = models.PositiveIntegerField(default=0)
    raw_score = models.FloatField(null=True, blank=True)  # the grader's points, before late penalty
    score = models.FloatField(null=True, blank=True)  # in question points, after late penalty
    max_score = models.FloatField(default=0.0)
    late_days = models.PositiveIntegerField(default=0)
    verdict = models.CharField(max_length=32, blank=True)  # GradeResult.status
    results = models.JSONField(null=True, blank=True)  # GradeResult.to_dict()
    output = models.TextField(blank=True)
    timings = models.JSONField(default=dict, blank=True)
    error_message = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["user", "idempotency_key"], name="submission_key_per_user"),
        ]
        indexes = [models.Index(fields=["user", "question", "-created_at"])]

    def __str__(self) -> str:
        return f"submission {self.pk} ({self.status})"

    @property
    def is_final(self) -> bool:
        return self.status in self.FINAL


class QuizAnswer(models.Model):
    """An answer to a non-code question, graded on the spot by its kind."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="quiz_answers")
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="quiz_answers")
    version = models.ForeignKey(QuestionVersion, on_delete=models.PROTECT, related_name="quiz_answers")
    answer = models.JSONField()
    seed = models.BigIntegerField()
    attempt = models.PositiveIntegerField()
    counts_as_attempt = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)  # given by the demo class's replayed term
    fraction = models.FloatField(default=0.0)
    correct = models.BooleanField(default=False)
    needs_manual = models.BooleanField(default=False)
    score = models.FloatField(null=True, blank=True)  # null until staff grade a manual answer
    max_score = models.FloatField(default=0.0)
    late_days = models.PositiveIntegerField(default=0)
    feedback = models.TextField(blank=True)
    misconception = models.CharField(max_length=200, blank=True)
    details = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "question", "-created_at"])]

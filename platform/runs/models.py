"""A run: the student's code and scratch cell executed once on a worker, to see what it prints and
returns before submitting. Never a submission: no attempt, no score, no history, not shown to
staff; rows are short-lived (``runs.services.runs_purge``)."""

from __future__ import annotations

from assessments.models import Question, QuestionVersion
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class CodeRun(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting for a runner…")
        RUNNING = "running", _("Running…")
        DONE = "done", _("Done")
        ERROR = "error", _("Could not run")

    FINAL = (Status.DONE, Status.ERROR)

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="+")
    version = models.ForeignKey(QuestionVersion, on_delete=models.CASCADE, related_name="+")
    code = models.TextField(blank=True)
    scratch = models.TextField(blank=True)
    seed = models.BigIntegerField()
    lang = models.CharField(max_length=8, default="ko")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.QUEUED, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    enqueued_at = models.DateTimeField(null=True, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    worker = models.CharField(max_length=200, blank=True)
    tries = models.PositiveIntegerField(default=0)  # temporary failures (core.jobs)
    releases = models.PositiveIntegerField(default=0)
    finished_at = models.DateTimeField(null=True, blank=True)
    result = models.JSONField(null=True, blank=True)  # grader.run.run_code(...), sanitised and capped
    error_message = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "-created_at"], name="coderun_user_recent")]

    def __str__(self) -> str:
        return f"run {self.pk} ({self.status})"

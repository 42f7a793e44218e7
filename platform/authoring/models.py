"""Authoring runs: a draft question graded on the workers (the reference against the checks, or
a student's code as the student would see it). The web process validates and stores the draft;
it never runs the code itself (``core.jobs``)."""

from __future__ import annotations

from courses.models import Course
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AuthoringRun(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        ERROR = "error", _("Error")

    class Action(models.TextChoices):
        REFERENCE = "reference", _("Run the reference")
        TRY = "try", _("Try as a student")

    FINAL = (Status.DONE, Status.ERROR)

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="authoring_runs")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    bundle_slug = models.CharField(max_length=100)
    action = models.CharField(max_length=16, choices=Action.choices)
    # The staged draft (grader.bundle.QuestionSource without its folder): what the worker grades.
    source = models.JSONField()
    code = models.TextField(blank=True)  # the student's code to try ("" = the reference)
    lang = models.CharField(max_length=8, default="ko")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.QUEUED, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    enqueued_at = models.DateTimeField(null=True, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    worker = models.CharField(max_length=200, blank=True)
    tries = models.PositiveIntegerField(default=0)  # temporary failures (core.jobs)
    releases = models.PositiveIntegerField(default=0)
    finished_at = models.DateTimeField(null=True, blank=True)
    result = models.JSONField(null=True, blank=True)  # GradeResult.to_dict()
    error_message = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"authoring run {self.pk} ({self.action}, {self.status})"

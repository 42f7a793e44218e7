"""Exams: an assignment with a time limit (``ExamSettings``), each student's own clock
(``ExamSession``: the server's ``started_at`` / ``ends_at``) and per-student extra time
(``ExamExtension``). The rules that use them live in ``scoring.policy.StudentPolicy`` (through
``exams.rules.ExamState``) and ``exams.services``."""

from __future__ import annotations

from assessments.models import Assignment
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ExamSettings(models.Model):
    assignment = models.OneToOneField(Assignment, on_delete=models.CASCADE, related_name="exam_settings")
    enabled = models.BooleanField(_("this assignment is an exam"), default=True)
    duration_minutes = models.PositiveIntegerField(_("time limit (minutes)"), default=60)
    # Everyone's clock starts at this instant (a sitting); empty: each student starts when they choose.
    starts_at = models.DateTimeField(_("fixed start time"), null=True, blank=True)
    # The window in which students may start; empty: the student's own window of the assignment.
    opens_at = models.DateTimeField(_("exam opens at"), null=True, blank=True)
    closes_at = models.DateTimeField(_("exam closes at"), null=True, blank=True)
    password_hash = models.CharField(max_length=200, blank=True)  # django.contrib.auth.hashers
    hold_feedback = models.BooleanField(_("hold scores and feedback until the exam closes"), default=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")

    def __str__(self) -> str:
        return f"exam settings of assignment {self.assignment_id}"


class ExamExtension(models.Model):
    """More time for one student (an accommodation): ``time_factor`` × the limit + ``extra_minutes``."""

    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="exam_extensions")
    student = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="exam_extensions")
    time_factor = models.DecimalField(_("time factor"), max_digits=4, decimal_places=2, default=1)
    extra_minutes = models.PositiveIntegerField(_("extra minutes"), default=0)
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    granted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["assignment", "student"], name="one_exam_extension")]


class ExamSession(models.Model):
    """One student's sitting. The server is the clock: ``ends_at`` is fixed when they start
    (min(start + limit × factor + extra, window close)) and only an extension moves it."""

    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="exam_sessions")
    student = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="exam_sessions")
    started_at = models.DateTimeField()
    ends_at = models.DateTimeField(db_index=True)
    # When the automatic submission of the student's drafts ran (set once, after it did its work).
    finished_at = models.DateTimeField(null=True, blank=True, db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["assignment", "student"], name="one_exam_session")]

    def __str__(self) -> str:
        return f"exam session {self.pk}"

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


class Extension(models.Model):
    """One student's own dates for one assignment. Everything that asks "is it late / open?" goes
    through ``scoring.policy.policy_for``, which applies this row."""

    assignment = models.ForeignKey(
        "assessments.Assignment", on_delete=models.CASCADE, related_name="extensions"
    )
    student = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="extensions")
    due_at = models.DateTimeField(_("new due date"))
    # Null: the assignment's late period moves along with the due date (see scoring.policy).
    closes_at = models.DateTimeField(_("new close date"), null=True, blank=True)
    extra_attempts = models.PositiveIntegerField(_("extra attempts per question"), default=0)
    reason = models.TextField(_("reason"), blank=True)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["student__username"]
        constraints = [
            models.UniqueConstraint(fields=["assignment", "student"], name="one_extension_per_student"),
        ]

    def __str__(self) -> str:
        return f"{self.student} {self.assignment}: due {self.due_at}"


class RegradeRun(models.Model):
    """Re-grading every stored answer to one question against a (newer) version: first a preview
    (items graded, nothing written), then an apply with a policy that writes the scores."""

    class Status(models.TextChoices):
        RUNNING = "running", _("Grading")
        READY = "ready", _("Ready to apply")
        APPLIED = "applied", _("Applied")
        DISCARDED = "discarded", _("Discarded")

    class Policy(models.TextChoices):
        USE_NEW = "use_new", _("Use the new score")
        KEEP_HIGHER = "keep_higher", _("Keep the higher score")
        ONLY_RAISE = "only_raise", _("Only raise scores")

    # Applying is one transaction (READY -> APPLIED inside it), so only grading holds a question.

    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="regrade_runs")
    version = models.ForeignKey("assessments.QuestionVersion", on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.RUNNING)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    policy = models.CharField(max_length=16, choices=Policy.choices, blank=True)
    reason = models.TextField(blank=True)
    applied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    applied_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            # The database, not only the service, refuses two runs grading one question at once.
            models.UniqueConstraint(
                fields=["question"], condition=models.Q(status="running"),
                name="one_active_regrade_per_question",
            ),
        ]

    def __str__(self) -> str:
        return f"regrade {self.pk} of {self.question} ({self.status})"


class RegradeItem(models.Model):
    """One stored code submission or quiz answer in a run: its score before, and the new grade."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        RUNNING = "running", _("Grading")
        DONE = "done", _("Graded")
        FAILED = "failed", _("Could not be graded")

    class Outcome(models.TextChoices):
        WRITTEN = "written", _("New score written")
        KEPT = "kept", _("Old score kept")

    run = models.ForeignKey(RegradeRun, on_delete=models.CASCADE, related_name="items")
    student = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    submission = models.ForeignKey("submissions.Submission", on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    quiz_answer = models.ForeignKey("submissions.QuizAnswer", on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    tries = models.PositiveIntegerField(default=0)  # temporary failures (core.jobs)
    enqueued_at = models.DateTimeField(null=True, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    worker = models.CharField(max_length=200, blank=True)
    releases = models.PositiveIntegerField(default=0)  # times its worker was lost
    old_score = models.FloatField(null=True, blank=True)
    old_results = models.JSONField(null=True, blank=True)  # checks (code) or {correct, fraction} (quiz)
    # The new grade, before the late credit: applying recomputes the credit with the dates of then.
    new_fraction = models.FloatField(null=True, blank=True)
    new_raw_score = models.FloatField(null=True, blank=True)
    new_score = models.FloatField(null=True, blank=True)  # as of the preview, with late credit
    new_results = models.JSONField(null=True, blank=True)
    error = models.TextField(blank=True)
    outcome = models.CharField(max_length=16, choices=Outcome.choices, blank=True)

    class Meta:
        ordering = ["student__username", "id"]
        constraints = [
            models.UniqueConstraint(fields=["run", "submission"], name="regrade_item_per_submission"),
            models.UniqueConstraint(fields=["run", "quiz_answer"], name="regrade_item_per_answer"),
        ]

    def __str__(self) -> str:
        return f"regrade item {self.pk} ({self.status})"

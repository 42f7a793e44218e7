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
    # Null: the assignment's own due date (a row that only carries late days the student spent).
    due_at = models.DateTimeField(_("new due date"), null=True, blank=True)
    # Null: the assignment's late period moves along with the due date (see scoring.policy).
    closes_at = models.DateTimeField(_("new close date"), null=True, blank=True)
    extra_attempts = models.PositiveIntegerField(_("extra attempts per question"), default=0)
    # Late days the student spent (scoring/tokens.py): each moves the due and close dates one day
    # later, on top of whatever staff set. Staff changing or removing the extension keeps them.
    token_days = models.PositiveIntegerField(_("late days spent"), default=0)
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
        return f"{self.student} {self.assignment}: due {self.due_at} + {self.token_days} day(s)"


class LateTokenSetting(models.Model):
    """A course's late days ("tokens"): each student may spend ``tokens_per_student`` over the
    course (the term), at most ``max_per_assignment`` on one assignment unless the assignment's
    ``LateTokenCap`` says otherwise. No row, or 0 tokens: late days are off."""

    course = models.OneToOneField("courses.Course", on_delete=models.CASCADE, related_name="late_token_setting")
    tokens_per_student = models.PositiveIntegerField(_("late days per student (0 = off)"), default=0)
    max_per_assignment = models.PositiveIntegerField(_("at most per assignment"), default=2)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.course}: {self.tokens_per_student} late day(s), at most {self.max_per_assignment} each"


class LateTokenCap(models.Model):
    """One assignment's own cap on late days per student (0: none may be spent on it)."""

    assignment = models.OneToOneField(
        "assessments.Assignment", on_delete=models.CASCADE, related_name="late_token_cap"
    )
    max_tokens = models.PositiveIntegerField(_("at most late days on this assignment"))

    def __str__(self) -> str:
        return f"{self.assignment}: at most {self.max_tokens}"


class LateTokenSpend(models.Model):
    """One late day a student spent on one assignment: the log staff read, and the guard against
    spending twice. ``number`` counts on the assignment, ``ordinal`` in the course; both are
    unique per student, so two requests racing for the same late day (a double click), or for the
    last one of the term, cannot both succeed on any database."""

    course = models.ForeignKey("courses.Course", on_delete=models.CASCADE, related_name="+")
    assignment = models.ForeignKey(
        "assessments.Assignment", on_delete=models.CASCADE, related_name="late_token_spends"
    )
    student = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="late_token_spends")
    number = models.PositiveIntegerField()  # 1, 2, ... on this assignment
    ordinal = models.PositiveIntegerField()  # 1, 2, ... in this course
    due_before = models.DateTimeField()
    due_after = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["assignment", "student", "number"], name="one_late_day_per_number"),
            models.UniqueConstraint(fields=["course", "student", "ordinal"], name="one_late_day_per_ordinal"),
        ]

    def __str__(self) -> str:
        return f"{self.student} {self.assignment}: late day {self.number}"


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

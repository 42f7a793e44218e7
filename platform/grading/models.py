"""Manual grading: who grades which student's answer, and every grade given (the history of a
descriptive answer's score, with the rubric items ticked and the grader's comment)."""

from __future__ import annotations

from assessments.models import Question
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class GradingAssignment(models.Model):
    """One grader per (question, student): kept per student rather than per answer so that a
    student's newer answer stays with the grader who already knows the earlier one."""

    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="grading_assignments")
    student = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    grader = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="grading_assignments")
    assigned_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["question", "student"], name="one_grader_per_student_answer"),
        ]

    def __str__(self) -> str:
        return f"{self.question} / {self.student} -> {self.grader}"


class ManualGrade(models.Model):
    """A grade given by staff (or imported). Never updated: a regrade adds a row, the newest row of
    an answer is its current grade."""

    class Source(models.TextChoices):
        RUBRIC = "rubric", _("Grading page")
        IMPORT = "import", _("CSV import")

    quiz_answer = models.ForeignKey(
        "submissions.QuizAnswer", on_delete=models.CASCADE, related_name="manual_grades"
    )
    grader = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    source = models.CharField(max_length=16, choices=Source.choices, default=Source.RUBRIC)
    # A snapshot [{index, text: {ko, en}, points}] of the ticked items, so the student's page
    # needs no spec lookup and stays right whatever happens to the bundle later.
    rubric_checked = models.JSONField(default=list, blank=True)
    adjustment = models.FloatField(default=0.0)  # points added to (or taken from) the rubric sum
    raw_score = models.FloatField()  # clamped to the question's points, before late penalty
    score = models.FloatField()  # what QuizAnswer.score became (after late penalty)
    comment = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        get_latest_by = ["created_at", "id"]

    def __str__(self) -> str:
        return f"grade {self.raw_score} of answer {self.quiz_answer_id}"


class GradingSettings(models.Model):
    """How a course's staff grade by hand (the grading queue page sets it): ``anonymous`` hides
    the student's name until the grade is saved, ``shuffled`` lists the work in a random order
    that is stable per grader (grading/order.py) instead of by username."""

    course = models.OneToOneField("courses.Course", on_delete=models.CASCADE, related_name="grading_settings")
    anonymous = models.BooleanField(_("anonymous grading"), default=False)
    shuffled = models.BooleanField(_("random order per grader"), default=False)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"grading settings of {self.course_id}"


class CodeReview(models.Model):
    """A review of a code submission: rubric items and an adjustment on top of the automatic
    points. Never updated: saving again (or a regrade re-basing it) adds a row, the newest row of
    a submission is its current review (grading/code_review.py)."""

    class Source(models.TextChoices):
        REVIEW = "review", _("Code review")
        REGRADE = "regrade", _("Re-applied after a regrade")

    submission = models.ForeignKey("submissions.Submission", on_delete=models.CASCADE, related_name="code_reviews")
    grader = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    source = models.CharField(max_length=16, choices=Source.choices, default=Source.REVIEW)
    rubric_checked = models.JSONField(default=list, blank=True)  # snapshot [{index, text, points}]
    adjustment = models.FloatField(default=0.0)
    auto_points = models.FloatField()  # the automatic points (question scale, before late credit) it was based on
    raw_score = models.FloatField()  # auto_points + items + adjustment, clamped to 0..points
    score = models.FloatField()  # what Submission.score became (late credit applied)
    comment = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"review {self.raw_score} of submission {self.submission_id}"

    @property
    def delta(self) -> float:
        """What the review adds to (or takes from) the automatic points, before clamping."""
        return sum(float(item["points"]) for item in self.rubric_checked) + self.adjustment


class LineComment(models.Model):
    """Staff's comment on lines ``line_start..line_end`` (1-based, inclusive) of a submission's
    code. Plain text; the student sees it beside those lines once the submission is reviewed."""

    submission = models.ForeignKey("submissions.Submission", on_delete=models.CASCADE, related_name="line_comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    line_start = models.PositiveIntegerField()
    line_end = models.PositiveIntegerField()
    body = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["line_start", "line_end", "created_at", "id"]

    def __str__(self) -> str:
        return f"comment on {self.submission_id}:{self.line_start}-{self.line_end}"

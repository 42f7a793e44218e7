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

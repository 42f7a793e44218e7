from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from courses.models import Course
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from scoring.curve import LINEAR, STEP

from grader.bundle import QuestionSource


def pick_text(texts: dict[str, str] | str, lang: str | None = None) -> str:
    """A bundle text ``{ko, en}`` in the interface language (falls back to Korean, then any)."""
    if isinstance(texts, str):
        return texts
    lang = (lang or get_language() or "ko")[:2]
    return texts.get(lang) or texts.get("ko") or next(iter(texts.values()), "")


class Assignment(models.Model):
    class HiddenChecks(models.TextChoices):
        NEVER = "never", _("Never")
        AFTER_DUE = "after_due", _("After the due date")
        ALWAYS = "always", _("Always")

    class LateCurveMode(models.TextChoices):
        STEP = STEP, _("Steps")
        LINEAR = LINEAR, _("Linear between points")

    class FeedbackVisibility(models.TextChoices):
        IMMEDIATELY = "immediately", _("Immediately")
        AFTER_DUE = "after_due", _("After the due date")
        NEVER = "never", _("Never")

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="assignments")
    slug = models.SlugField()
    title = models.JSONField(default=dict)  # {"ko": ..., "en": ...}
    description = models.JSONField(default=dict, blank=True)
    position = models.PositiveIntegerField(default=0)
    published = models.BooleanField(_("visible to students"), default=True)
    opens_at = models.DateTimeField(_("opens at"), null=True, blank=True)
    due_at = models.DateTimeField(_("due at"), null=True, blank=True)
    closes_at = models.DateTimeField(_("closes at (no late work after)"), null=True, blank=True)
    max_attempts = models.PositiveIntegerField(_("attempts per question (0 = unlimited)"), default=0)
    late_penalty_per_day = models.FloatField(_("late penalty per day (fraction)"), default=0.0)
    hidden_checks = models.CharField(
        _("show hidden check details"), max_length=16, choices=HiddenChecks.choices,
        default=HiddenChecks.AFTER_DUE,
    )
    show_explanations = models.BooleanField(_("show explanations after answering"), default=True)

    # [[hours late, credit fraction], ...] (scoring/curve.py); empty = late_penalty_per_day per day.
    late_curve = models.JSONField(_("late credit curve"), default=list, blank=True)
    late_curve_mode = models.CharField(
        _("late curve shape"), max_length=8, choices=LateCurveMode.choices, default=LateCurveMode.STEP
    )
    # Scores, check results and quiz feedback shown to students; staff always see them.
    feedback_visibility = models.CharField(
        _("show scores and feedback to students"), max_length=16, choices=FeedbackVisibility.choices,
        default=FeedbackVisibility.IMMEDIATELY,
    )
    bundle_dir = models.CharField(max_length=500, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["position", "id"]
        constraints = [models.UniqueConstraint(fields=["course", "slug"], name="assignment_slug_per_course")]

    def __str__(self) -> str:
        return self.display_title

    @property
    def display_title(self) -> str:
        return pick_text(self.title) or self.slug

    @property
    def display_description(self) -> str:
        return pick_text(self.description) if self.description else ""

    @property
    def late_penalty_percent(self) -> float:
        return round(self.late_penalty_per_day * 100, 2)

    # A student's dates, lateness, late credit, score and what they see are decided by
    # scoring.policy.StudentPolicy (the assignment's settings with the student's extension).

    def is_open(self, at: datetime, *, closes_at: datetime | None = None) -> bool:
        if self.opens_at and at < self.opens_at:
            return False
        closes_at = closes_at or self.closes_at
        return not (closes_at and at >= closes_at)

    @property
    def late_curve_points(self) -> list[tuple[float, float]]:
        return [(float(hours), float(credit)) for hours, credit in (self.late_curve or [])]


class Question(models.Model):
    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="questions")
    slug = models.SlugField()
    position = models.PositiveIntegerField(default=0)
    kind = models.CharField(max_length=32)
    points = models.FloatField(default=1.0)
    title = models.JSONField(default=dict)
    active = models.BooleanField(default=True)  # false once the bundle no longer lists it
    current_version = models.ForeignKey(
        "QuestionVersion", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["position", "id"]
        constraints = [models.UniqueConstraint(fields=["assignment", "slug"], name="question_slug_per_assignment")]

    def __str__(self) -> str:
        return f"{self.assignment.slug}/{self.slug}"

    @property
    def display_title(self) -> str:
        return pick_text(self.title) or self.slug

    @property
    def is_code(self) -> bool:
        return self.kind == "code"


class QuestionVersion(models.Model):
    """One content hash of a question: submissions point here, so a changed bundle never changes
    what an old submission was graded against."""

    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    content_hash = models.CharField(max_length=64)
    kind = models.CharField(max_length=32)
    spec = models.JSONField()
    prompts = models.JSONField()
    files = models.JSONField(default=dict)
    source_dir = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["question", "number"]
        constraints = [
            models.UniqueConstraint(fields=["question", "number"], name="version_number_per_question"),
            models.UniqueConstraint(fields=["question", "content_hash"], name="version_hash_per_question"),
        ]

    def __str__(self) -> str:
        return f"{self.question} v{self.number}"

    def as_source(self) -> QuestionSource:
        return QuestionSource(
            slug=self.question.slug, kind=self.kind, spec=self.spec,
            dir=Path(self.source_dir or "."), prompts=self.prompts, files=self.files,
            content_hash=self.content_hash,
        )

    def prompt(self, lang: str | None = None) -> str:
        return pick_text(self.prompts, lang)

    @property
    def template(self) -> str:
        return str(self.files.get("template", ""))

    def spec_value(self, key: str, default: Any = None) -> Any:
        return self.spec.get(key, default)

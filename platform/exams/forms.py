"""Forms of the exam pages: they parse and validate; ``exams.services`` writes."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from courses.models import Course
from courses.selectors import course_students
from django import forms
from django.utils.translation import gettext_lazy as _

from exams.models import ExamSettings

DATETIME_FORMAT = "%Y-%m-%dT%H:%M"


def _datetime_field(label: str) -> forms.DateTimeField:
    return forms.DateTimeField(
        label=label, required=False,
        widget=forms.DateTimeInput(format=DATETIME_FORMAT, attrs={"type": "datetime-local"}),
        input_formats=[DATETIME_FORMAT, "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"],
    )


class ExamSettingsForm(forms.Form):
    enabled = forms.BooleanField(label=_("This assignment is an exam (time limit)"), required=False)
    duration_minutes = forms.IntegerField(label=_("Time limit (minutes)"), min_value=1, max_value=24 * 60)
    starts_at = _datetime_field(_("Fixed start time (empty: each student starts when they choose)"))
    opens_at = _datetime_field(_("Exam opens at (empty: the assignment's opening)"))
    closes_at = _datetime_field(_("Exam closes at (empty: the assignment's close)"))
    hold_feedback = forms.BooleanField(label=_("Hold scores and feedback until the exam closes"), required=False)
    password = forms.CharField(
        label=_("Access password (empty: keep the current one)"), required=False, max_length=200,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
    )
    clear_password = forms.BooleanField(label=_("Remove the password"), required=False)

    @classmethod
    def initial_for(cls, settings: ExamSettings | None) -> dict[str, Any]:
        if settings is None:
            return {"enabled": True, "duration_minutes": 60, "hold_feedback": True}
        return {name: getattr(settings, name) for name in (
            "enabled", "duration_minutes", "starts_at", "opens_at", "closes_at", "hold_feedback",
        )}


class ExamExtensionForm(forms.Form):
    student = forms.ChoiceField(label=_("Student"))
    time_factor = forms.DecimalField(label=_("Time factor (e.g. 1.5)"), min_value=Decimal("1"), max_value=Decimal("4"),
                                     decimal_places=2, initial=Decimal("1.5"))
    extra_minutes = forms.IntegerField(label=_("Extra minutes"), min_value=0, max_value=24 * 60, initial=0)
    reason = forms.CharField(label=_("Reason"), required=False, max_length=200)

    def __init__(self, *args: Any, course: Course, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["student"].choices = [  # type: ignore[attr-defined]
            (str(row.user_id), f"{row.user.get_full_name() or row.user.username} ({row.user.username})")
            for row in course_students(course=course)
        ]


class ExamStartForm(forms.Form):
    password = forms.CharField(label=_("Exam password"), required=False, max_length=200,
                               widget=forms.PasswordInput(attrs={"autocomplete": "off"}))

"""Forms of the staff pages: they parse and validate; the services in policies.py write."""

from __future__ import annotations

from typing import Any

from assessments.models import Assignment
from courses.models import Course, Enrollment
from courses.selectors import course_students
from django import forms
from django.utils.translation import gettext_lazy as _

from scoring.curve import CurveError, curve_from_text, curve_to_text
from scoring.models import RegradeRun

DATETIME_FORMAT = "%Y-%m-%dT%H:%M"


class LocalDateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format=DATETIME_FORMAT, **kwargs)


def _datetime_field(label: str, required: bool = False) -> forms.DateTimeField:
    return forms.DateTimeField(
        label=label, required=required, widget=LocalDateTimeInput(),
        input_formats=[DATETIME_FORMAT, "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"],
    )


class AssignmentPolicyForm(forms.Form):
    opens_at = _datetime_field(_("Opens at"))
    due_at = _datetime_field(_("Due at"))
    closes_at = _datetime_field(_("Closes at (no late work after)"))
    max_attempts = forms.IntegerField(label=_("Attempts per question (0 = unlimited)"), min_value=0, max_value=1000)
    late_penalty_per_day = forms.FloatField(
        label=_("Late penalty per started day (fraction; used when the curve is empty)"), min_value=0, max_value=1,
    )
    late_curve = forms.CharField(
        label=_("Late credit curve: one 'hours late: credit' per line (e.g. 24: 0.8)"), required=False,
        widget=forms.Textarea(attrs={"rows": 4, "cols": 30}),
    )
    late_curve_mode = forms.ChoiceField(label=_("Curve shape"), choices=Assignment.LateCurveMode.choices)
    feedback_visibility = forms.ChoiceField(
        label=_("Show scores and feedback to students"), choices=Assignment.FeedbackVisibility.choices
    )
    hidden_checks = forms.ChoiceField(label=_("Show hidden check details"), choices=Assignment.HiddenChecks.choices)
    show_explanations = forms.BooleanField(label=_("Show explanations after answering"), required=False)
    note = forms.CharField(label=_("Why (kept in the audit log)"), required=False, max_length=500)

    @classmethod
    def initial_for(cls, assignment: Assignment) -> dict[str, Any]:
        initial = {name: getattr(assignment, name) for name in (
            "opens_at", "due_at", "closes_at", "max_attempts", "late_penalty_per_day", "late_curve_mode",
            "feedback_visibility", "hidden_checks", "show_explanations",
        )}
        initial["late_curve"] = curve_to_text(assignment.late_curve_points)
        return initial

    def clean_late_curve(self) -> list[list[float]]:
        try:
            points = curve_from_text(self.cleaned_data.get("late_curve") or "")
        except CurveError as error:
            raise forms.ValidationError(str(error)) from None
        return [[hours, credit] for hours, credit in points]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        opens, due, closes = data.get("opens_at"), data.get("due_at"), data.get("closes_at")
        if opens and due and due < opens:
            self.add_error("due_at", _("The due date cannot be before the opening."))
        if due and closes and closes < due:
            self.add_error("closes_at", _("The close date cannot be before the due date."))
        return data

    def policy_values(self) -> dict[str, Any]:
        return {name: value for name, value in self.cleaned_data.items() if name != "note"}


class ExtensionForm(forms.Form):
    student = forms.ModelChoiceField(label=_("Student"), queryset=Enrollment.objects.none())
    due_at = _datetime_field(_("New due date"), required=True)
    closes_at = _datetime_field(_("New close date (empty: the late period moves along)"))
    extra_attempts = forms.IntegerField(label=_("Extra attempts per question"), min_value=0, max_value=100, initial=0)
    reason = forms.CharField(label=_("Reason"), required=False, max_length=500)

    def __init__(self, *args: Any, course: Course, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["student"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = course_students(course=course)
        field.label_from_instance = lambda row: row.user.get_full_name() or row.user.username  # type: ignore[method-assign]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("due_at") and data.get("closes_at") and data["closes_at"] < data["due_at"]:
            self.add_error("closes_at", _("The close date cannot be before the due date."))
        return data


class LateTokenSettingForm(forms.Form):
    tokens_per_student = forms.IntegerField(
        label=_("Late days per student for the course (0 = off)"), min_value=0, max_value=100, initial=0,
    )
    max_per_assignment = forms.IntegerField(
        label=_("At most per assignment"), min_value=0, max_value=30, initial=2,
    )


class LateTokenCapForm(forms.Form):
    max_tokens = forms.IntegerField(
        label=_("At most late days on this assignment (empty: the course's rule; 0: none)"),
        min_value=0, max_value=30, required=False,
    )


class RegradeApplyForm(forms.Form):
    policy = forms.ChoiceField(
        label=_("How to apply"), choices=RegradeRun.Policy.choices, widget=forms.RadioSelect,
        initial=RegradeRun.Policy.KEEP_HIGHER,
    )
    reason = forms.CharField(label=_("Why (kept in the audit log)"), required=False, max_length=500)

"""Forms of the grading pages: parsing only, the rules live in services.py."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from grading.rubric import RubricItem

MAX_COMMENT = 5000


class GradeForm(forms.Form):
    checked = forms.TypedMultipleChoiceField(coerce=int, required=False, widget=forms.CheckboxSelectMultiple)
    adjustment = forms.FloatField(label=_("Adjustment (points)"), required=False, initial=0)
    comment = forms.CharField(
        label=_("Comment to the student"), required=False, max_length=MAX_COMMENT,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    # The grade the grader was looking at: a different one at save time means a concurrent grader.
    based_on = forms.IntegerField(required=False, widget=forms.HiddenInput)
    action = forms.ChoiceField(choices=[("save", "save"), ("save_next", "save_next")], required=False)

    def __init__(self, *args: Any, items: list[RubricItem], points: float, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["checked"].choices = [(item.index, item.display_text) for item in items]
        self.points = points
        self.fields["adjustment"].widget.attrs.update({"step": "0.25", "min": -points, "max": points})

    def clean_adjustment(self) -> float:
        value = self.cleaned_data.get("adjustment") or 0.0
        limit = self.points
        if abs(value) > limit:
            raise forms.ValidationError(_("The adjustment must be between -%(p)s and %(p)s.") % {"p": f"{limit:g}"})
        return float(value)


class SplitForm(forms.Form):
    graders = forms.TypedMultipleChoiceField(coerce=int, widget=forms.CheckboxSelectMultiple, label=_("Graders"))
    question = forms.TypedChoiceField(coerce=int, required=False, empty_value=None, label=_("Question"))
    rebalance = forms.BooleanField(required=False, label=_("Also deal out answers already assigned"))

    def __init__(self, *args: Any, staff: list[tuple[int, str]], questions: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["graders"].choices = staff
        self.fields["question"].choices = [("", _("All questions")), *questions]


class LineCommentForm(forms.Form):
    line_start = forms.IntegerField(label=_("From line"), min_value=1)
    line_end = forms.IntegerField(label=_("To line"), min_value=1, required=False)
    body = forms.CharField(label=_("Comment on these lines"), max_length=MAX_COMMENT, widget=forms.Textarea(attrs={"rows": 3}))


class LineCommentEditForm(forms.Form):
    body = forms.CharField(max_length=MAX_COMMENT, widget=forms.Textarea(attrs={"rows": 3}))


class GradingSettingsForm(forms.Form):
    anonymous = forms.BooleanField(required=False, label=_("Anonymous grading: hide student names until the grade is saved"))
    shuffled = forms.BooleanField(required=False, label=_("Random order, different for each grader"))

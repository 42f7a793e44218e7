"""Forms of the regrade request pages: they parse; services.py decides and writes."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from scoring.forms import LocalDateTimeInput

from regrade_requests.services import MAX_REASON, MIN_REASON


class AskForm(forms.Form):
    item = forms.ChoiceField(label=_("What should be looked at again"))
    reason = forms.CharField(label=_("Why"), min_length=MIN_REASON, max_length=MAX_REASON,
                             widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args, items: list[tuple[str, str]], **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.fields["item"].choices = items


class AnswerForm(forms.Form):
    response = forms.CharField(label=_("Answer to the student"), max_length=MAX_REASON,
                               widget=forms.Textarea(attrs={"rows": 4}))
    points = forms.FloatField(label=_("New points, before any late penalty (leave empty to keep the score)"),
                              required=False, min_value=0)


class WindowForm(forms.Form):
    closes_at = forms.DateTimeField(
        label=_("Regrade requests accepted until"), required=False, widget=LocalDateTimeInput(),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )

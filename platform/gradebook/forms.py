"""Forms of the gradebook pages: parsing only."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from gradebook.matrix import MatrixFilters


class FilterForm(forms.Form):
    assignment = forms.TypedChoiceField(coerce=int, required=False, empty_value=None, label=_("Assignment"))
    q = forms.CharField(required=False, max_length=100, label=_("Student"))
    incomplete = forms.BooleanField(required=False, label=_("Only incomplete"))

    def __init__(self, *args: Any, assignments: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["assignment"].choices = [("", _("All assignments")), *assignments]

    def filters(self) -> MatrixFilters:
        if not self.is_valid():
            return MatrixFilters()
        data = self.cleaned_data
        return MatrixFilters(assignment_id=data["assignment"], search=data["q"], only_incomplete=data["incomplete"])


class ImportForm(forms.Form):
    file = forms.FileField(required=False, label=_("CSV file"))
    text = forms.CharField(
        required=False, label=_("…or paste the CSV here"), widget=forms.Textarea(attrs={"rows": 8}),
    )

"""Forms of the announcement and preference pages: they parse and validate; services.py writes."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from announcements.models import NotificationPreference

MAX_BODY = 20_000


class AnnouncementForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    body = forms.CharField(
        label=_("Text (Markdown)"), required=False, max_length=MAX_BODY,
        widget=forms.Textarea(attrs={"rows": 10, "cols": 70}),
        help_text=_("Markdown with $math$; HTML is removed."),
    )
    pinned = forms.BooleanField(label=_("Pin to the top"), required=False)


class AnnouncementCreateForm(AnnouncementForm):
    email_students = forms.BooleanField(label=_("Also e-mail the students"), required=False)


class PreferencesForm(forms.Form):
    announcements = forms.BooleanField(label=_("New course announcements"), required=False)
    grades = forms.BooleanField(label=_("Grades released to me (manual grading)"), required=False)
    regrades = forms.BooleanField(label=_("Answers to my regrade requests"), required=False)
    language = forms.ChoiceField(label=_("Language of the e-mails"), required=False,
                                 choices=NotificationPreference.Language.choices)

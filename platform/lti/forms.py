from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from lti.models import LtiRegistration
from lti.services.registration import PlatformDetails, deployment_ids_parse
from lti.url_policy import browser_url_check, platform_url_check


class RegistrationForm(forms.Form):
    title = forms.CharField(label=_("Name (e.g. our Moodle)"), max_length=200)
    issuer = forms.CharField(label=_("Platform ID / issuer (iss)"), max_length=255)
    client_id = forms.CharField(label=_("Client ID"), max_length=255)
    # The browser is sent to the login URL; the tool itself requests the other two (url_policy).
    auth_login_url = forms.URLField(
        label=_("Authentication request URL"),
        max_length=1024,
        assume_scheme="https",
        validators=[browser_url_check],
    )
    auth_token_url = forms.URLField(
        label=_("Access token URL"),
        max_length=1024,
        assume_scheme="https",
        validators=[platform_url_check],
    )
    key_set_url = forms.URLField(
        label=_("Public keyset URL"),
        max_length=1024,
        assume_scheme="https",
        validators=[platform_url_check],
    )
    deployment_ids = forms.CharField(
        label=_("Deployment ID(s), one a line"), widget=forms.Textarea(attrs={"rows": 2})
    )
    auth_audience = forms.CharField(
        label=_("Token audience (only if the LMS says so)"), max_length=1024, required=False
    )
    creates_courses = forms.BooleanField(
        label=_("Create a course here when an instructor launches from an unlinked LMS course"),
        help_text=_("Off: link each LMS course to a course here (below) before its first launch."),
        required=False,
    )

    def clean_deployment_ids(self) -> list[str]:
        ids = deployment_ids_parse(self.cleaned_data["deployment_ids"])
        if not ids:
            raise forms.ValidationError(_("Give at least one deployment ID."))
        return ids

    def details(self) -> PlatformDetails:
        data = self.cleaned_data
        return PlatformDetails(
            title=data["title"],
            issuer=data["issuer"].strip(),
            client_id=data["client_id"].strip(),
            auth_login_url=data["auth_login_url"],
            auth_token_url=data["auth_token_url"],
            key_set_url=data["key_set_url"],
            deployment_ids=data["deployment_ids"],
            auth_audience=data["auth_audience"].strip(),
            creates_courses=data["creates_courses"],
        )


class ContextLinkForm(forms.Form):
    registration = forms.ModelChoiceField(
        label=_("Platform"), queryset=LtiRegistration.objects.none()
    )
    context_id = forms.CharField(label=_("LMS course (context) ID"), max_length=255)

    def __init__(self, *args: Any, registrations: QuerySet[LtiRegistration], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["registration"].queryset = registrations  # type: ignore[attr-defined]

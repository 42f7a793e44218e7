"""Registering a platform (LMS) and binding LMS contexts to our courses."""

from __future__ import annotations

from dataclasses import dataclass

from courses.models import Course
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from lti.keys import rsa_key_pair_generate
from lti.models import LtiContext, LtiRegistration


@dataclass(frozen=True)
class PlatformDetails:
    """What the LMS shows after the tool is set up on its side."""

    title: str
    issuer: str
    client_id: str
    auth_login_url: str
    auth_token_url: str
    key_set_url: str
    deployment_ids: list[str]
    auth_audience: str = ""
    creates_courses: bool = False  # see LtiRegistration.creates_courses


def deployment_ids_parse(text: str) -> list[str]:
    """Deployment ids as pasted: one a line or comma-separated, duplicates dropped."""
    seen: list[str] = []
    for part in text.replace(",", "\n").splitlines():
        part = part.strip()
        if part and part not in seen:
            seen.append(part)
    return seen


@transaction.atomic
def registration_save(
    *, details: PlatformDetails, user: AbstractBaseUser, course: Course | None = None
) -> LtiRegistration:
    """Create a registration (with a fresh tool key pair), or update one this user made before:
    LMSs hand out new deployment ids over time, and the key pair must survive that."""
    row = (
        LtiRegistration.objects.select_for_update()
        .filter(issuer=details.issuer, client_id=details.client_id)
        .first()
    )
    fields = {
        "title": details.title,
        "auth_login_url": details.auth_login_url,
        "auth_token_url": details.auth_token_url,
        "key_set_url": details.key_set_url,
        "auth_audience": details.auth_audience,
        "creates_courses": details.creates_courses,
    }
    if row is None:
        private_pem, public_pem = rsa_key_pair_generate()
        return LtiRegistration.objects.create(
            issuer=details.issuer,
            client_id=details.client_id,
            deployment_ids=details.deployment_ids,
            private_key=private_pem,
            public_key=public_pem,
            course=course,
            created_by=user,
            **fields,
        )
    if not (row.created_by_id == user.pk or getattr(user, "is_superuser", False)):
        # Someone else's registration: letting anyone repoint its URLs would let them forge launches.
        raise ValidationError(
            _("This platform and client ID are already registered by someone else.")
        )
    for name, value in fields.items():
        setattr(row, name, value)
    row.deployment_ids = list(dict.fromkeys([*row.deployment_ids, *details.deployment_ids]))
    row.active = True
    row.save()
    return row


def context_link(*, registration: LtiRegistration, context_id: str, course: Course) -> LtiContext:
    """Bind an LMS context to an existing course before its first launch (otherwise the first
    instructor launch creates a new course). A context bound elsewhere is never moved silently."""
    context_id = context_id.strip()
    if not context_id:
        raise ValidationError(_("The LMS context ID is empty."))
    existing = LtiContext.objects.filter(registration=registration, context_id=context_id).first()
    if existing is not None:
        if existing.course_id != course.pk:
            raise ValidationError(_("This LMS course is already linked to another course."))
        return existing
    return LtiContext.objects.create(
        registration=registration, context_id=context_id, course=course
    )

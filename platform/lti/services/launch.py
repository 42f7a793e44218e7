"""A launch: validate the platform's id_token (pylti1p3), then map the LMS user, context and
resource link onto our user, course, enrollment and assignment."""

from __future__ import annotations

import hashlib
import logging
import secrets
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from assessments.models import Assignment
from core.errors import UserError
from courses.models import Course, Enrollment
from courses.services import enrollment_set
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from jwcrypto.common import JWException
from jwt import PyJWTError
from pylti1p3.exception import LtiException

from lti import claims as c
from lti.messages import message_launch_for
from lti.models import (
    LtiContext,
    LtiMembership,
    LtiNonce,
    LtiRegistration,
    LtiResourceLink,
    LtiUser,
)
from lti.roles import course_role_from_lti
from lti.tool_conf import registration_find
from lti.url_policy import UnsafeUrl, browser_url_check, platform_url_check

logger = logging.getLogger(__name__)

NONCE_KEEP = timedelta(days=2)  # far longer than any id_token lives (platforms use minutes)


class LaunchRejected(UserError):
    """The launch is refused; the message is shown to the user and logged."""


@dataclass(frozen=True)
class DeepLinkingRequest:
    """What we need later to answer a deep-linking request (kept in the user's session)."""

    registration_id: int
    deployment_id: str
    course_id: int
    settings: dict[str, Any] = field(default_factory=dict)

    def to_session(self) -> dict[str, Any]:
        return {
            "registration_id": self.registration_id,
            "deployment_id": self.deployment_id,
            "course_id": self.course_id,
            "settings": self.settings,
        }

    @classmethod
    def from_session(cls, data: dict[str, Any]) -> DeepLinkingRequest:
        return cls(**data)


@dataclass
class LaunchOutcome:
    user: AbstractBaseUser
    course: Course
    role: str
    assignment: Assignment | None = None
    deep_linking: DeepLinkingRequest | None = None


def launch_validate(*, request: HttpRequest) -> tuple[LtiRegistration, dict[str, Any]]:
    """Signature (platform JWKS), exp/iat, state, nonce issued by us, registration (iss + aud),
    deployment and message shape: all by pylti1p3. Raises LaunchRejected."""
    try:
        launch = message_launch_for(request)  # already raises without the lti1p3-session-id cookie
        data = dict(launch.get_launch_data())
        client_id = launch.get_client_id()
    except (LtiException, JWException, PyJWTError) as exc:
        # JWException / PyJWTError: a key in the platform's key set that does not load, or one
        # whose algorithm does not fit it; the library lets both through.
        raise LaunchRejected(str(exc)) from exc
    registration = registration_find(issuer=data["iss"], client_id=client_id)
    if registration is None:  # deactivated while the launch was under way
        raise LaunchRejected("Unknown platform")
    audience = data.get("aud")
    if isinstance(audience, list) and len(audience) > 1 and data.get("azp") != client_id:
        # LTI core 5.1.3: with several audiences, azp must name us.
        raise LaunchRejected("azp does not name this tool")
    return registration, data


def nonce_claim(*, registration: LtiRegistration, nonce: str) -> None:
    """Each id_token once: the library's nonce check passes again for a replayed token."""
    LtiNonce.objects.filter(used_at__lt=timezone.now() - NONCE_KEEP).delete()
    try:
        with transaction.atomic():
            LtiNonce.objects.create(registration=registration, nonce=nonce[:255])
    except IntegrityError as exc:
        raise LaunchRejected("This launch was already used (replayed nonce)") from exc


def launch_process(*, registration: LtiRegistration, data: dict[str, Any]) -> LaunchOutcome:
    nonce_claim(registration=registration, nonce=str(data["nonce"]))
    role = course_role_from_lti(data.get(c.ROLES) or [])
    if role is None:
        raise LaunchRejected("Your LMS role in this course is not supported here")
    context_claim = data.get(c.CONTEXT) or {}
    if not context_claim.get("id"):
        raise LaunchRejected("Launches from outside a course (no context) are not supported")
    launch_urls_check(data)  # before the transaction: it may wait for DNS
    with transaction.atomic():
        lti_user = lti_user_sync(registration=registration, data=data)
        context = lti_context_get_or_create(
            registration=registration, claim=context_claim, role=role
        )
        enrollment_set(course=context.course, user=lti_user.user, role=role)
        LtiMembership.objects.update_or_create(
            context=context, lti_user=lti_user, defaults={"role": role}
        )
        outcome = LaunchOutcome(user=lti_user.user, course=context.course, role=role)
        message_type = data.get(c.MESSAGE_TYPE)
        if message_type == c.DEEP_LINKING_REQUEST:
            if role not in Enrollment.STAFF_ROLES:
                raise LaunchRejected("Only course staff can add assignments")
            outcome.deep_linking = DeepLinkingRequest(
                registration_id=registration.pk,
                deployment_id=str(data[c.DEPLOYMENT_ID]),
                course_id=context.course_id,
                settings=dict(data[c.DEEP_LINKING_SETTINGS]),
            )
        elif message_type == c.RESOURCE_LINK_REQUEST:
            link = resource_link_sync(context=context, data=data)
            outcome.assignment = link.assignment
    logger.info(
        "LTI launch: %s as %s in course %s (%s)",
        lti_user.user,
        role,
        context.course_id,
        message_type,
    )
    return outcome


def launch_urls_check(data: dict[str, Any]) -> None:
    """The URLs a launch hands us: the line item our worker will POST grades to, and the
    deep-linking return URL our page will send the browser to. The platform signs them, but a
    platform is whoever registered it (lti.url_policy)."""
    endpoint = data.get(c.AGS_ENDPOINT) or {}
    dl_settings = data.get(c.DEEP_LINKING_SETTINGS)
    dl_settings = dl_settings if isinstance(dl_settings, dict) else {}
    try:
        if isinstance(endpoint, dict) and endpoint.get("lineitem"):
            platform_url_check(str(endpoint["lineitem"]))
        if data.get(c.MESSAGE_TYPE) == c.DEEP_LINKING_REQUEST:
            browser_url_check(str(dl_settings.get("deep_link_return_url") or ""))
    except UnsafeUrl as exc:
        raise LaunchRejected(
            _("The LMS sent a URL this tool does not use: %(reason)s")
            % {"reason": " ".join(exc.messages)}
        ) from exc


def lti_user_sync(*, registration: LtiRegistration, data: dict[str, Any]) -> LtiUser:
    """The user for this sub, created on first launch; name and email follow the LMS."""
    sub = str(data["sub"])
    users = get_user_model()
    lti_user = (
        LtiUser.objects.select_related("user").filter(registration=registration, sub=sub).first()
    )
    if lti_user is None:
        digest = hashlib.sha256(f"{registration.pk}:{sub}".encode()).hexdigest()[:20]
        user = users.objects.create_user(username=f"lti{registration.pk}-{digest}")
        user.set_unusable_password()  # LTI users only ever sign in through their LMS
        lti_user = LtiUser.objects.create(registration=registration, sub=sub, user=user)
    user = lti_user.user
    given, family = str(data.get("given_name") or ""), str(data.get("family_name") or "")
    if not (given or family) and data.get("name"):
        given, _sep, family = str(data["name"]).partition(" ")
    if given or family:
        user.first_name, user.last_name = given[:150], family[:150]
    if data.get("email"):
        user.email = str(data["email"])[:254]
    user.save()
    lti_user.last_launch_at = timezone.now()
    lti_user.save(update_fields=["last_launch_at"])
    return lti_user


def lti_context_get_or_create(
    *, registration: LtiRegistration, claim: dict[str, Any], role: str
) -> LtiContext:
    """The course of an LMS context. An unknown context becomes a new course on the first
    instructor launch, only if the registration says so (any instructor can register a platform;
    off, an instructor links the context to a course first); students and TAs must wait for that
    (they cannot create courses)."""
    context_id = str(claim["id"])
    title, label = str(claim.get("title") or "")[:255], str(claim.get("label") or "")[:255]
    context = (
        LtiContext.objects.select_for_update()
        .select_related("course")
        .filter(registration=registration, context_id=context_id)
        .first()
    )
    if context is None:
        if not registration.creates_courses:
            raise LaunchRejected(
                _(
                    "This LMS course is not linked to a course in this tool, and this platform "
                    "does not create courses. An instructor must first link it on the LMS page "
                    "of a course here."
                )
            )
        if role != Enrollment.Role.INSTRUCTOR:
            raise LaunchRejected(
                "This LMS course is not set up yet: your instructor must open the tool first"
            )
        course = Course.objects.create(
            slug=f"lti-{slugify(label or title)[:30] or 'course'}-{secrets.token_hex(3)}",
            title=title or label or context_id[:200],
        )
        return LtiContext.objects.create(
            registration=registration,
            context_id=context_id,
            course=course,
            title=title,
            label=label,
        )
    if (context.title, context.label) != (title, label):
        context.title, context.label = title, label
        context.save(update_fields=["title", "label"])
    return context


def resource_link_sync(*, context: LtiContext, data: dict[str, Any]) -> LtiResourceLink:
    """Record the link, its assignment (from our deep-linking custom parameter) and the line item
    the platform made for it (AGS claim)."""
    claim = data.get(c.RESOURCE_LINK) or {}
    link, _created = LtiResourceLink.objects.get_or_create(
        context=context, resource_link_id=str(claim["id"])[:255]
    )
    link.title = str(claim.get("title") or "")[:255]
    custom = data.get(c.CUSTOM) or {}
    assignment_id = str(custom.get(c.CUSTOM_ASSIGNMENT_ID, "")).strip()
    if assignment_id.isdigit():
        # Custom parameters can be edited in the LMS: only an assignment of this very course counts.
        assignment = Assignment.objects.filter(
            pk=int(assignment_id), course_id=context.course_id
        ).first()
        if assignment is not None:
            link.assignment = assignment
        else:
            logger.warning(
                "LTI link %s names assignment %s outside course %s",
                link.pk,
                assignment_id,
                context.course_id,
            )
    endpoint = data.get(c.AGS_ENDPOINT) or {}
    if endpoint.get("lineitem"):
        link.lineitem_url = str(endpoint["lineitem"])[:1024]
        link.ags_scopes = [str(scope) for scope in endpoint.get("scope") or []]
    link.save()
    return link

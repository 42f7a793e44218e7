"""LTI endpoints. The platform-facing ones (login initiation, launch, JWKS, Canvas config) are
reached without a session of ours, so they are ``login_not_required``."""

from __future__ import annotations

import logging
import secrets

from assessments.models import Assignment
from courses.models import Enrollment
from courses.selectors import course_get_for_staff
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from pylti1p3.exception import LtiException, OIDCException

from lti.canvas import canvas_config_build
from lti.forms import ContextLinkForm, RegistrationForm
from lti.keys import public_jwk
from lti.messages import oidc_login_for
from lti.models import LtiContext, LtiRegistration
from lti.selectors import registrations_for_course_page, registrations_linkable
from lti.services.deep_linking import deep_link_response_build
from lti.services.launch import DeepLinkingRequest, LaunchRejected, launch_process, launch_validate
from lti.services.registration import context_link, registration_save
from lti.url_policy import UnsafeUrl
from lti.urls_helpers import tool_urls

logger = logging.getLogger(__name__)
DEEP_LINK_SESSION_PREFIX = "lti-deep-link-"


def _launch_error(request: HttpRequest, reason: str) -> HttpResponse:
    return render(request, "lti/launch_error.html", {"reason": reason}, status=400)


# Both platform-facing POSTs come cross-site from the LMS page, so they cannot carry our CSRF
# token; they are authenticated by what they carry instead (registration lookup here, the signed
# id_token with state and nonce at the launch). Canvas and Moodle send the login initiation as a
# form POST, hence the exemption here too.
@login_not_required
@csrf_exempt
@require_http_methods(["GET", "POST"])
def oidc_login(request: HttpRequest) -> HttpResponse:
    try:
        return oidc_login_for(request).redirect(tool_urls(request).launch)
    except (OIDCException, LtiException) as exc:
        logger.warning("LTI login initiation refused: %s", exc)
        return _launch_error(request, str(exc))


@login_not_required
@csrf_exempt
@require_POST
def launch(request: HttpRequest) -> HttpResponse:
    try:
        registration, data = launch_validate(request=request)
        outcome = launch_process(registration=registration, data=data)
    except LaunchRejected as exc:
        logger.warning("LTI launch refused: %s", exc)
        return _launch_error(request, str(exc))
    auth_login(request, outcome.user, backend="django.contrib.auth.backends.ModelBackend")
    if outcome.deep_linking is not None:
        # Stored after login (which starts a new session), so only this user can answer it.
        key = secrets.token_urlsafe(12)
        request.session[DEEP_LINK_SESSION_PREFIX + key] = outcome.deep_linking.to_session()
        return redirect("lti:deep_link", key=key)
    if outcome.assignment is not None:
        return redirect("assessments:assignment", outcome.course.pk, outcome.assignment.pk)
    return redirect("courses:detail", outcome.course.pk)


@login_not_required
@require_GET
def jwks(request: HttpRequest) -> JsonResponse:
    keys: dict[str, dict] = {}
    for pem in LtiRegistration.objects.filter(active=True).values_list("public_key", flat=True):
        jwk = public_jwk(pem)
        keys[jwk["kid"]] = jwk
    return JsonResponse({"keys": list(keys.values())})


@login_not_required
@require_GET
def canvas_config(request: HttpRequest) -> JsonResponse:
    return JsonResponse(canvas_config_build(urls=tool_urls(request)))


@require_http_methods(["GET", "POST"])
def course_settings(request: HttpRequest, course_id: int) -> HttpResponse:
    course, enrollment = course_get_for_staff(user=request.user, course_id=course_id)
    if enrollment.role != Enrollment.Role.INSTRUCTOR:
        raise PermissionDenied  # linking an LMS decides who may enter the course
    registration_form = RegistrationForm(
        request.POST if request.POST.get("action") == "register" else None
    )
    link_form = ContextLinkForm(
        request.POST if request.POST.get("action") == "link" else None,
        registrations=registrations_linkable(user=request.user, course=course),
    )
    if request.method == "POST":
        try:
            if registration_form.is_bound and registration_form.is_valid():
                registration_save(
                    details=registration_form.details(), user=request.user, course=course
                )
                messages.success(request, _("Platform saved. Now finish the setup in the LMS."))
                return redirect("lti:course_settings", course.pk)
            if link_form.is_bound and link_form.is_valid():
                context_link(
                    registration=link_form.cleaned_data["registration"],
                    context_id=link_form.cleaned_data["context_id"],
                    course=course,
                )
                messages.success(request, _("LMS course linked."))
                return redirect("lti:course_settings", course.pk)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
    return render(
        request,
        "lti/course_settings.html",
        {
            "course": course,
            "urls": tool_urls(request),
            "registrations": registrations_for_course_page(user=request.user, course=course),
            "assignments": Assignment.objects.filter(course=course),
            "contexts": LtiContext.objects.filter(course=course).select_related("registration"),
            "registration_form": registration_form,
            "link_form": link_form,
        },
    )


@require_http_methods(["GET", "POST"])
def deep_link(request: HttpRequest, key: str) -> HttpResponse:
    stored = request.session.get(DEEP_LINK_SESSION_PREFIX + key)
    if stored is None:
        raise Http404
    pending = DeepLinkingRequest.from_session(stored)
    course, _enrollment = course_get_for_staff(user=request.user, course_id=pending.course_id)
    assignments = Assignment.objects.filter(course=course)
    if request.method == "POST":
        assignment = (
            None
            if request.POST.get("action") == "cancel"
            else get_object_or_404(assignments, pk=request.POST.get("assignment_id") or 0)
        )
        try:
            response = deep_link_response_build(
                request=pending, assignment=assignment, launch_url=tool_urls(request).launch
            )
        except UnsafeUrl as exc:  # launches refuse these already; a request kept from before
            return _launch_error(request, " ".join(exc.messages))
        del request.session[DEEP_LINK_SESSION_PREFIX + key]  # one answer per request
        return render(request, "lti/deep_link_return.html", {"response": response})
    return render(
        request,
        "lti/deep_link_picker.html",
        {
            "course": course,
            "assignments": assignments,
            "key": key,
        },
    )

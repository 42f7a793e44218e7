"""Answering a deep-linking request: the instructor picked an assignment; we send the LMS a
signed LtiDeepLinkingResponse with one ltiResourceLink (and a line item for its grades)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from assessments.models import Assignment
from django.db.models import Sum
from pylti1p3.deep_link import DeepLink
from pylti1p3.deep_link_resource import DeepLinkResource
from pylti1p3.lineitem import LineItem

from lti import claims as c
from lti.models import LtiRegistration
from lti.services.launch import DeepLinkingRequest
from lti.tool_conf import registration_to_pylti
from lti.url_policy import browser_url_check


class _NewWindowResource(DeepLinkResource):
    """Our pages refuse to be framed (X-Frame-Options: DENY) and our session cookie is
    SameSite=Lax, so the link must open in a new window; LMSs read this from ``window``."""

    def to_dict(self) -> dict[str, object]:
        item = super().to_dict()
        item["window"] = {"targetName": "_blank"}
        return item


@dataclass(frozen=True)
class DeepLinkingResponse:
    return_url: str
    jwt: str


def assignment_max_points(*, assignment: Assignment) -> float:
    total = assignment.questions.filter(active=True).aggregate(total=Sum("points"))["total"]
    return float(total or 0.0)


def deep_link_content_item(*, assignment: Assignment, launch_url: str) -> DeepLinkResource:
    resource = (
        _NewWindowResource()
        .set_url(launch_url)
        .set_title(assignment.display_title)
        .set_custom_params({c.CUSTOM_ASSIGNMENT_ID: str(assignment.pk)})
    )
    maximum = assignment_max_points(assignment=assignment)
    if maximum > 0:  # AGS wants scoreMaximum > 0; without it the LMS makes no grade column
        line_item = (
            LineItem()
            .set_score_maximum(maximum)
            .set_label(assignment.display_title)
            .set_resource_id(f"assignment-{assignment.pk}")
        )
        resource.set_lineitem(line_item)
    return resource


def deep_link_response_build(
    *, request: DeepLinkingRequest, assignment: Assignment | None, launch_url: str
) -> DeepLinkingResponse:
    """The signed response; ``assignment=None`` answers with no content item, which tells the
    platform the instructor cancelled (LTI Deep Linking 2.0, 4.2). Raises UnsafeUrl for a return
    URL that is not http(s): it becomes a form action on our origin (``javascript:`` would run)."""
    if assignment is not None and assignment.course_id != request.course_id:
        raise ValueError("assignment of another course")
    registration = LtiRegistration.objects.get(pk=request.registration_id, active=True)
    settings: dict[str, Any] = request.settings
    return_url = browser_url_check(str(settings.get("deep_link_return_url") or ""))
    deep_link = DeepLink(registration_to_pylti(registration), request.deployment_id, settings)  # type: ignore[arg-type]
    items = (
        []
        if assignment is None
        else [deep_link_content_item(assignment=assignment, launch_url=launch_url)]
    )
    message = deep_link.get_message_jwt(items)
    if settings.get("data") is None:
        # The "data" claim is only echoed when the platform sent one; null confuses some LMSs.
        message.pop("https://purl.imsglobal.org/spec/lti-dl/claim/data", None)
    return DeepLinkingResponse(return_url=return_url, jwt=deep_link.encode_jwt(message))

"""Deep linking: the instructor picks an assignment; the LMS gets a signed
LtiDeepLinkingResponse with one ltiResourceLink and a line item."""

from __future__ import annotations

from django.test import Client
from lti.services.registration import context_link

from tests.platform.lti.flow import (  # noqa: F401 (fixtures)
    LAUNCH_URL,
    courses_created_by,
    lms_fixture,
    lti_launch,
    registration_fixture,
    returned_form,
    verify_with_tool_jwks,
)
from tests.platform.lti.simulator import INSTRUCTOR, LEARNER, TEACHING_ASSISTANT, new_sub

DEEP_LINKING = "LtiDeepLinkingRequest"
DL = "https://purl.imsglobal.org/spec/lti-dl/claim/"
LTI = "https://purl.imsglobal.org/spec/lti/claim/"


def test_an_instructor_picks_an_assignment_and_the_lms_gets_a_signed_resource_link(
    client, lms, registration, course, quiz_assignment
):
    context_link(registration=registration, context_id="ctx-1", course=course)
    launch = lti_launch(client, lms, sub=new_sub(), roles=[INSTRUCTOR], message_type=DEEP_LINKING)
    assert launch.response.status_code == 302
    picker_url = launch.response["Location"]
    assert picker_url.startswith("/lti/deep-link/")
    page = client.get(picker_url)
    assert page.status_code == 200 and quiz_assignment.display_title in page.content.decode()

    answer = client.post(picker_url, {"assignment_id": quiz_assignment.pk})
    assert answer.status_code == 200
    action, token = returned_form(answer.content)
    assert action == lms.base_url + "/deep-link-return"
    message = verify_with_tool_jwks(token, lms)
    assert message[LTI + "message_type"] == "LtiDeepLinkingResponse"
    assert message[LTI + "version"] == "1.3.0"
    assert message[LTI + "deployment_id"] == lms.deployment_id
    assert message[DL + "data"] == "opaque-platform-data"  # echoed as the platform sent it
    (item,) = message[DL + "content_items"]
    assert item["type"] == "ltiResourceLink" and item["url"] == LAUNCH_URL
    assert item["title"] == quiz_assignment.display_title
    assert item["custom"] == {"dlgrade_assignment_id": str(quiz_assignment.pk)}
    assert item["lineItem"] == {
        "scoreMaximum": 2.0,
        "label": quiz_assignment.display_title,
        "resourceId": f"assignment-{quiz_assignment.pk}",
    }
    assert item["window"] == {"targetName": "_blank"}
    assert client.get(picker_url).status_code == 404  # one answer per deep-linking request


def test_the_pending_request_belongs_to_the_browser_that_launched(
    client, lms, registration, course, quiz_assignment
):
    context_link(registration=registration, context_id="ctx-1", course=course)
    launch = lti_launch(
        client, lms, sub=new_sub(), roles=[TEACHING_ASSISTANT], message_type=DEEP_LINKING
    )
    assert launch.response.status_code == 302
    other = Client()
    other_launch = lti_launch(
        other, lms, sub=new_sub(), roles=[INSTRUCTOR], message_type=DEEP_LINKING
    )
    assert other_launch.response.status_code == 302
    assert other.get(launch.response["Location"]).status_code == 404


def test_cancelling_returns_an_empty_signed_response(client, lms, registration, course):
    context_link(registration=registration, context_id="ctx-1", course=course)
    launch = lti_launch(client, lms, sub=new_sub(), roles=[INSTRUCTOR], message_type=DEEP_LINKING)
    answer = client.post(launch.response["Location"], {"action": "cancel"})
    _action, token = returned_form(answer.content)
    message = verify_with_tool_jwks(token, lms)
    assert message[DL + "content_items"] == []
    assert message[LTI + "message_type"] == "LtiDeepLinkingResponse"


def test_students_cannot_deep_link(client, lms, registration, course):
    context_link(registration=registration, context_id="ctx-1", course=course)
    launch = lti_launch(client, lms, sub=new_sub(), roles=[LEARNER], message_type=DEEP_LINKING)
    assert launch.response.status_code == 400 and b"Only course staff" in launch.response.content


def test_an_assignment_of_another_course_cannot_be_picked(
    client, lms, registration, course, quiz_assignment
):
    courses_created_by(registration)
    launch = lti_launch(
        client,
        lms,
        sub=new_sub(),
        roles=[INSTRUCTOR],
        message_type=DEEP_LINKING,
        context_id="fresh",
    )
    picker_url = launch.response["Location"]  # a new, empty course was created for "fresh"
    assert client.post(picker_url, {"assignment_id": quiz_assignment.pk}).status_code == 404


def test_a_pending_request_with_a_script_return_url_is_refused(
    client, registration, course, instructor, quiz_assignment
):
    # Launches refuse such URLs; a request kept in a session from before that is refused here.
    client.force_login(instructor)
    session = client.session
    session["lti-deep-link-old"] = {
        "registration_id": registration.pk,
        "deployment_id": "deployment-1",
        "course_id": course.pk,
        "settings": {"deep_link_return_url": "javascript:alert(document.domain)"},
    }
    session.save()
    answer = client.post(
        "/lti/deep-link/old/",
        {"assignment_id": quiz_assignment.pk},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert answer.status_code == 400 and b"Only https:// or http:// URLs" in answer.content
    assert b'action="javascript' not in answer.content

"""Launches through the full OIDC flow against the LMS simulator: users, courses, enrollments,
roles, landing pages."""

from __future__ import annotations

import pytest
from courses.models import Course, Enrollment
from django.test import Client
from lti.models import LtiContext, LtiMembership, LtiResourceLink, LtiUser
from lti.services.registration import context_link

from tests.platform.lti.flow import (  # noqa: F401 (fixtures)
    LAUNCH_URL,
    courses_created_by,
    lms_fixture,
    logged_in_user_id,
    lti_launch,
    oidc_login,
    registration_fixture,
)
from tests.platform.lti.simulator import INSTRUCTOR, LEARNER, TEACHING_ASSISTANT, new_sub


def test_login_initiation_redirects_to_the_platform_with_state_and_nonce(client, lms, registration):
    response = oidc_login(client, lms, sub="u1")
    assert response.status_code == 302
    params = lms.authorize(response["Location"], expected_redirect_uri=LAUNCH_URL)
    assert params["login_hint"] == "u1" and params["lti_message_hint"] == "hint-123"
    # The state travels in a cookie of ours, so the launch can check it came from this browser.
    assert response.cookies[f"lti1p3-{params['state']}"].value == params["state"]


def test_first_instructor_launch_creates_user_course_and_enrollment(client, lms, registration):
    courses_created_by(registration)
    sub = new_sub()
    launch = lti_launch(client, lms, sub=sub, roles=[INSTRUCTOR], context_id="new-ctx")
    context = LtiContext.objects.get(registration=registration, context_id="new-ctx")
    assert launch.response.status_code == 302
    assert launch.response["Location"] == f"/courses/{context.course_id}/"
    assert context.course.title == "Deep Learning 101" and context.course.slug.startswith(
        "lti-dl101-"
    )
    lti_user = LtiUser.objects.get(registration=registration, sub=sub)
    assert (lti_user.user.first_name, lti_user.user.email) == ("Ada", f"{sub}@lms.test")
    assert not lti_user.user.has_usable_password()
    enrollment = Enrollment.objects.get(user=lti_user.user, course=context.course)
    assert enrollment.role == Enrollment.Role.INSTRUCTOR
    assert logged_in_user_id(client) == str(lti_user.user.pk)
    assert client.get(launch.response["Location"]).status_code == 200  # the course page, logged in


@pytest.mark.parametrize(
    ("roles", "expected"),
    [
        ([INSTRUCTOR], Enrollment.Role.INSTRUCTOR),
        (
            [TEACHING_ASSISTANT, INSTRUCTOR],
            Enrollment.Role.TA,
        ),  # the sub-role implies Instructor: TA wins
        ([LEARNER], Enrollment.Role.STUDENT),
        (["Learner"], Enrollment.Role.STUDENT),  # short context role names are still allowed
    ],
)
def test_roles_map_onto_course_roles_in_a_linked_course(
    client, lms, registration, course, roles, expected
):
    context_link(registration=registration, context_id="ctx-1", course=course)
    sub = new_sub()
    launch = lti_launch(client, lms, sub=sub, roles=roles)
    assert (
        launch.response.status_code == 302
        and launch.response["Location"] == f"/courses/{course.pk}/"
    )
    user = LtiUser.objects.get(sub=sub).user
    assert Enrollment.objects.get(user=user, course=course).role == expected
    assert Course.objects.count() == 1  # the linked course, no new one


def test_the_same_sub_is_the_same_user_and_the_lms_role_wins(client, lms, registration, course):
    context_link(registration=registration, context_id="ctx-1", course=course)
    sub = new_sub()
    lti_launch(client, lms, sub=sub, roles=[LEARNER])
    lti_launch(
        Client(),
        lms,
        sub=sub,
        roles=[TEACHING_ASSISTANT],
        edit=lambda claims: claims.update(given_name="Grace", family_name="Hopper"),
    )
    lti_user = LtiUser.objects.get(sub=sub)
    assert LtiUser.objects.filter(sub=sub).count() == 1
    assert lti_user.user.get_full_name() == "Grace Hopper"
    assert Enrollment.objects.get(user=lti_user.user, course=course).role == Enrollment.Role.TA
    assert LtiMembership.objects.get(lti_user=lti_user).role == Enrollment.Role.TA


@pytest.mark.parametrize(
    ("creates_courses", "reason"),
    [(True, b"not set up yet"), (False, b"this platform does not create courses")],
)
def test_a_student_cannot_open_an_lms_course_nobody_set_up(
    client, lms, registration, creates_courses, reason
):
    registration.creates_courses = creates_courses
    registration.save()
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    launch = lti_launch(client, lms, sub=new_sub(), roles=[LEARNER], context_id="unknown")
    assert launch.response.status_code == 400
    assert reason in launch.response.content
    assert not LtiContext.objects.exists() and logged_in_user_id(client) is None


def test_unsupported_roles_are_refused(client, lms, registration, course):
    context_link(registration=registration, context_id="ctx-1", course=course)
    launch = lti_launch(
        client,
        lms,
        sub=new_sub(),
        roles=["http://purl.imsglobal.org/vocab/lis/v2/membership#Mentor"],
    )
    assert launch.response.status_code == 400 and logged_in_user_id(client) is None


def test_a_resource_link_bound_to_an_assignment_lands_on_it(
    client, lms, registration, course, quiz_assignment
):
    context_link(registration=registration, context_id="ctx-1", course=course)
    lineitem = lms.lineitem_url("li-7")
    launch = lti_launch(
        client,
        lms,
        sub=new_sub(),
        roles=[LEARNER],
        resource_link_id="rl-7",
        custom={"dlgrade_assignment_id": str(quiz_assignment.pk)},
        lineitem=lineitem,
    )
    assert launch.response.status_code == 302
    assert launch.response["Location"] == f"/courses/{course.pk}/assignments/{quiz_assignment.pk}/"
    link = LtiResourceLink.objects.get(resource_link_id="rl-7")
    assert link.assignment == quiz_assignment and link.lineitem_url == lineitem
    assert "https://purl.imsglobal.org/spec/lti-ags/scope/score" in link.ags_scopes
    assert client.get(launch.response["Location"]).status_code == 200


def test_a_custom_assignment_id_of_another_course_is_ignored(
    client, lms, registration, course, outsider
):
    other = Course.objects.create(slug="other", title="Other", join_code="OTHER234")
    from assessments.models import Assignment

    foreign = Assignment.objects.create(course=other, slug="foreign", title={"en": "Foreign"})
    context_link(registration=registration, context_id="ctx-1", course=course)
    launch = lti_launch(
        client,
        lms,
        sub=new_sub(),
        roles=[LEARNER],
        custom={"dlgrade_assignment_id": str(foreign.pk)},
    )
    assert launch.response["Location"] == f"/courses/{course.pk}/"
    assert LtiResourceLink.objects.get(resource_link_id="rl-1").assignment is None


def test_over_https_the_lti_cookies_are_samesite_none_so_the_cross_site_launch_keeps_them(
    client, lms, registration
):
    login = oidc_login(client, lms, sub="u2", secure=True)
    assert login.status_code == 302
    lti_cookies = {
        name: morsel for name, morsel in login.cookies.items() if name.startswith("lti1p3-")
    }
    # The state cookie and the id of the cache entry that holds the nonce.
    assert "lti1p3-session-id" in lti_cookies and len(lti_cookies) == 2
    for morsel in lti_cookies.values():
        assert morsel["samesite"] == "None" and morsel["secure"] and morsel["httponly"]


def test_a_full_launch_over_https(lms, registration):
    courses_created_by(registration)
    client = Client()
    launch = lti_launch(client, lms, sub="secure-user", roles=[INSTRUCTOR], secure=True)
    assert launch.response.status_code == 302 and logged_in_user_id(client) is not None
    # The nonce lives under the browser's lti1p3-session-id: without that cookie, no launch.
    client.cookies.pop("lti1p3-session-id")
    again = lti_launch(
        Client(), lms, sub="secure-user", roles=[INSTRUCTOR], secure=True, poster=client
    )
    assert again.response.status_code == 400

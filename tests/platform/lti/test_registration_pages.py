"""The instructor's LTI page (tool URLs, platform registration, context links), the JWKS and the
Canvas configuration."""

from __future__ import annotations

import jwt
from courses.models import Enrollment
from django.core.management import call_command
from lti.models import LtiContext, LtiGradeSync, LtiRegistration

from tests.platform.lti.flow import lms_fixture, registration_fixture  # noqa: F401 (fixtures)

PLATFORM = {
    "action": "register",
    "title": "Our Moodle",
    "issuer": "https://moodle.example.ac.kr",
    "client_id": "AbC123",
    "auth_login_url": "https://moodle.example.ac.kr/mod/lti/auth.php",
    "auth_token_url": "https://moodle.example.ac.kr/mod/lti/token.php",
    "key_set_url": "https://moodle.example.ac.kr/mod/lti/certs.php",
    "deployment_ids": "7\n7, 8",
}


def test_the_course_page_links_instructors_to_the_lti_page(client, course, instructor, student):
    client.force_login(instructor)
    assert f'/lti/courses/{course.pk}/"' in client.get(f"/courses/{course.pk}/").content.decode()


def test_the_lti_page_title_is_just_its_name(client, course, instructor):
    import re

    client.force_login(instructor)
    html = client.get(f"/lti/courses/{course.pk}/").content.decode()
    title = re.search(r"<title>(.*?)</title>", html, re.S).group(1)
    assert course.title in title and "<" not in title and "dlgrade_assignment_id" not in title


def test_an_instructor_registers_a_platform_and_its_key_is_published(client, course, instructor):
    client.force_login(instructor)
    page = client.get(f"/lti/courses/{course.pk}/")
    content = page.content.decode()
    for url in (
        "http://testserver/lti/launch/",
        "http://testserver/lti/login/",
        "http://testserver/lti/jwks/",
    ):
        assert url in content
    response = client.post(f"/lti/courses/{course.pk}/", PLATFORM)
    assert response.status_code == 302
    row = LtiRegistration.objects.get(issuer=PLATFORM["issuer"], client_id="AbC123")
    assert (
        row.deployment_ids == ["7", "8"] and row.created_by == instructor and row.course == course
    )
    keys = client.get("/lti/jwks/").json()["keys"]
    (published,) = keys
    assert published["kty"] == "RSA" and published["alg"] == "RS256" and published["use"] == "sig"
    assert "d" not in published  # never the private part
    # The published key verifies what the tool signs with the registration's private key.
    token = jwt.encode({"x": 1}, row.private_key, algorithm="RS256")
    assert jwt.decode(token, jwt.PyJWK(published).key, algorithms=["RS256"]) == {"x": 1}


def test_saving_again_adds_deployments_and_keeps_the_key(client, course, instructor):
    client.force_login(instructor)
    client.post(f"/lti/courses/{course.pk}/", PLATFORM)
    key = LtiRegistration.objects.get().public_key
    client.post(f"/lti/courses/{course.pk}/", {**PLATFORM, "deployment_ids": "9"})
    row = LtiRegistration.objects.get()
    assert row.deployment_ids == ["7", "8", "9"] and row.public_key == key


def test_nobody_else_can_repoint_a_registration(client, course, instructor, outsider):
    client.force_login(instructor)
    client.post(f"/lti/courses/{course.pk}/", PLATFORM)
    Enrollment.objects.create(course=course, user=outsider, role=Enrollment.Role.INSTRUCTOR)
    client.force_login(outsider)
    response = client.post(
        f"/lti/courses/{course.pk}/",
        {**PLATFORM, "key_set_url": "https://evil.example/jwks"},
        follow=True,
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert "already registered by someone else" in response.content.decode()
    assert LtiRegistration.objects.get().key_set_url == PLATFORM["key_set_url"]


def test_linking_an_lms_context_to_the_course(client, course, instructor, registration):
    client.force_login(instructor)
    response = client.post(
        f"/lti/courses/{course.pk}/",
        {"action": "link", "registration": registration.pk, "context_id": "ctx-9"},
    )
    assert response.status_code == 302
    assert LtiContext.objects.get(context_id="ctx-9").course == course


def test_contexts_of_someone_elses_platform_cannot_be_linked(
    client, course, registration, outsider
):
    # outsider: an instructor of another course, trying to pull this platform's LMS course 42 in.
    from courses.models import Course

    theirs = Course.objects.create(slug="theirs", title="Theirs", join_code="THEIRS23")
    Enrollment.objects.create(course=theirs, user=outsider, role=Enrollment.Role.INSTRUCTOR)
    client.force_login(outsider)
    response = client.post(
        f"/lti/courses/{theirs.pk}/",
        {"action": "link", "registration": registration.pk, "context_id": "42"},
    )
    assert response.status_code == 200 and "registration" in response.context["link_form"].errors
    assert not LtiContext.objects.exists()


def test_only_instructors_see_the_page(client, course, instructor, student, outsider):
    ta = outsider
    Enrollment.objects.create(course=course, user=ta, role=Enrollment.Role.TA)
    client.force_login(ta)
    assert client.get(f"/lti/courses/{course.pk}/").status_code == 403
    client.force_login(student)
    assert client.get(f"/lti/courses/{course.pk}/").status_code == 404


def test_platform_endpoints_need_no_login(client, registration):
    assert client.get("/lti/jwks/").status_code == 200
    config = client.get("/lti/canvas.json").json()
    assert config["oidc_initiation_url"] == "http://testserver/lti/login/"
    assert config["target_link_uri"] == "http://testserver/lti/launch/"
    assert config["public_jwk_url"] == "http://testserver/lti/jwks/"
    assert "https://purl.imsglobal.org/spec/lti-ags/scope/score" in config["scopes"]
    placements = config["extensions"][0]["settings"]["placements"]
    assert {p["message_type"] for p in placements} == {"LtiDeepLinkingRequest"}


def test_deactivated_registrations_leave_the_jwks(client, registration):
    registration.active = False
    registration.save()
    assert client.get("/lti/jwks/").json() == {"keys": []}


def test_resend_command_requeues_pending_and_failed(monkeypatch, registration, instructor):
    from lti import tasks
    from lti.models import LtiContext, LtiResourceLink, LtiUser

    sent: list[int] = []
    monkeypatch.setattr(tasks.send_grade, "apply_async", lambda args, **_: sent.append(args[0]))
    context = LtiContext.objects.create(
        registration=registration, context_id="c", course_id=instructor.enrollments.get().course_id
    )
    link = LtiResourceLink.objects.create(
        context=context, resource_link_id="r", lineitem_url="https://lms.test/li/1"
    )
    lti_user = LtiUser.objects.create(registration=registration, sub="s", user=instructor)
    from django.utils import timezone

    failed = LtiGradeSync.objects.create(
        link=link, lti_user=lti_user, status="failed", requested_at=timezone.now()
    )
    call_command("lti_resend_grades")
    assert sent == []
    call_command("lti_resend_grades", "--failed")
    assert sent == [failed.pk] and LtiGradeSync.objects.get().status == "pending"


def test_private_keys_differ_per_registration(course, instructor):
    from lti.services.registration import PlatformDetails, registration_save

    rows = [
        registration_save(
            details=PlatformDetails(
                title=f"LMS {i}",
                issuer="https://canvas.instructure.com",
                client_id=f"1000000000{i}",
                auth_login_url="https://sso.canvaslms.com/api/lti/authorize_redirect",
                auth_token_url="https://school.instructure.com/login/oauth2/token",
                key_set_url="https://sso.canvaslms.com/api/lti/security/jwks",
                deployment_ids=["d"],
            ),
            user=instructor,
        )
        for i in range(2)
    ]
    assert rows[0].private_key != rows[1].private_key


def test_the_option_to_create_courses_is_off_unless_ticked(client, course, instructor):
    client.force_login(instructor)
    client.post(f"/lti/courses/{course.pk}/", PLATFORM)
    assert LtiRegistration.objects.get().creates_courses is False
    client.post(f"/lti/courses/{course.pk}/", {**PLATFORM, "creates_courses": "on"})
    assert LtiRegistration.objects.get().creates_courses is True
    page = client.get(f"/lti/courses/{course.pk}/", HTTP_ACCEPT_LANGUAGE="ko").content.decode()
    assert "강좌 생성" in page and "연결되지 않은 LMS 강좌에서 강사가 실행하면" in page
    client.post(f"/lti/courses/{course.pk}/", PLATFORM)  # saved again without the tick: off
    assert LtiRegistration.objects.get().creates_courses is False

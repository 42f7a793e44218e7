"""Joining by code (guessing codes, hostile codes) and the redirects an attacker could aim off-site."""

from __future__ import annotations

import pytest
from courses.models import Course, Enrollment
from django.urls import reverse

from tests.platform.hostile_http.helpers import client_for, snapshot


def join(client, code: str):  # type: ignore[no-untyped-def]
    return client.post(reverse("courses:join"), {"code": code})


def messages_of(response) -> str:  # type: ignore[no-untyped-def]
    return response.content.decode().split('<ul class="messages">')[1].split("</ul>")[0]


@pytest.mark.parametrize("code", ["WRONG000", "", " ", "x" * 100_000, "JOINME23\x00", "' OR 1=1 --", "<script>x</script>",
                                  "%", "_OINME23"])
def test_a_wrong_or_hostile_code_is_refused_with_400_and_a_message(outsider, course, code):
    before = snapshot()
    response = join(client_for(outsider), code)
    assert response.status_code == 400 and "No open course has this join code" in messages_of(response)
    assert "<script>x" not in response.content.decode()
    assert snapshot() == before


def test_guessing_codes_is_rate_limited(outsider, course):
    client = client_for(outsider)
    for index in range(10):
        assert join(client, f"GUESS{index:03d}").status_code == 400
    before = snapshot()
    response = join(client, course.join_code)  # even the right code, once over the limit
    assert response.status_code == 429 and "Too many join attempts" in messages_of(response)
    assert snapshot() == before


def test_a_closed_course_cannot_be_joined_with_its_code(outsider, course):
    course.join_open = False
    course.save()
    assert join(client_for(outsider), course.join_code).status_code == 400
    assert not Enrollment.objects.filter(user=outsider).exists()


def test_joining_never_downgrades_or_upgrades_an_existing_role(instructor, course):
    assert join(client_for(instructor), course.join_code).status_code == 302
    assert Enrollment.objects.get(user=instructor).role == "instructor"


def test_the_language_switch_does_not_redirect_off_site(db):
    response = client_for().post(reverse("set_language"), {"language": "en", "next": "https://evil.example/"})
    assert response.status_code == 302 and "evil.example" not in response["Location"]


def test_the_login_redirect_for_anonymous_visitors_stays_on_site(db):
    response = client_for().get("//evil.example/")
    assert response.status_code in (302, 404)
    if response.status_code == 302:
        assert response["Location"].startswith("/accounts/login/")
    assert Course.objects.count() == 0

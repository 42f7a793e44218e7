"""The staff page of an assignment's pools: who may open it, and what it shows (each pool, its
members, which student was given which, whether they have seen it yet)."""

from __future__ import annotations

import pytest
from assessments.models import Assignment
from courses.models import Course, Enrollment
from django.test import Client
from django.urls import reverse

from pools.services import pool_draws_store
from tests.platform.pools.test_visibility_and_totals import client_for, split
from tests.platform.scoring.helpers import enroll


@pytest.fixture
def personas(course, instructor, student, outsider):  # type: ignore[no-untyped-def]
    other = Course.objects.create(slug="other", title="Other", join_code="OTHER234")
    Enrollment.objects.create(course=other, user=outsider, role=Enrollment.Role.INSTRUCTOR)
    return {
        "owner": instructor,
        "granted_ta": enroll(course, "ta-granted", Enrollment.Role.TA, may_edit_assignments=True, may_regrade=True),
        "ta": enroll(course, "ta-plain", Enrollment.Role.TA),
        "student": student,
        "outsider": outsider,
    }


def pools_url(assignment: Assignment) -> str:
    return reverse("pools:assignment", args=[assignment.course_id, assignment.pk])


@pytest.mark.parametrize(("who", "status"), [
    ("owner", 200), ("granted_ta", 200), ("ta", 200), ("student", 404), ("outsider", 404),
])
def test_who_may_open_the_pools_page(personas, pooled, who, status):  # type: ignore[no-untyped-def]
    assert client_for(personas[who]).get(pools_url(pooled)).status_code == status


def test_anonymous_visitors_are_sent_to_log_in(pooled):  # type: ignore[no-untyped-def]
    response = Client().get(pools_url(pooled))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_another_courses_assignment_is_404(personas, pooled, outsider):  # type: ignore[no-untyped-def]
    other = Course.objects.get(slug="other")
    url = reverse("pools:assignment", args=[other.pk, pooled.pk])
    assert client_for(outsider).get(url).status_code == 404


def test_the_page_shows_who_was_given_what(personas, pooled, student, fellow):  # type: ignore[no-untyped-def]
    pool_draws_store(assignment_id=pooled.pk, user_id=student.pk)
    page = client_for(personas["owner"]).get(pools_url(pooled)).content.decode()
    assert 'data-pool="warmup"' in page and "2 of 4 questions, 2 points each" in page
    for user in (student, fellow):
        row = page.split(f'data-student="{user.username}"')[1].split("</tr>")[0]
        given, others = split(pooled, user)
        assert all(f'data-question="{q.slug}"' in row for q in given)
        assert not any(f'data-question="{q.slug}"' in row for q in others)
        assert ("not-seen" in row) == (user == fellow)  # the fellow has not opened it yet
    members = page.split('class="table pool-members"')[1].split("</table>")[0]
    counts = [int(cell.split("</td>")[0]) for cell in members.split('class="num given">')[1:]]
    assert sum(counts) == 4  # two students, two questions each


def test_the_page_is_in_korean_too(personas, pooled):  # type: ignore[no-untyped-def]
    client = client_for(personas["owner"])
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "ko"
    page = client.get(pools_url(pooled)).content.decode()
    assert "출제된 학생 수" in page and "4문제 중 2문제, 각 2점" in page
    assert "Students given it" not in page


def test_an_assignment_without_pools_says_so(personas, quiz_assignment):  # type: ignore[no-untyped-def]
    page = client_for(personas["owner"]).get(pools_url(quiz_assignment)).content.decode()
    assert "no question pools" in page

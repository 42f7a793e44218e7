"""Question pools in a real browser: a small bundle whose pool gives each student 2 of 4
questions, loaded into the demo course; student1 and student2 see different question lists, a
question drawn for the other one is not there for them, and the instructor sees who got what."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.e2e

POOLED = Path(__file__).resolve().parents[1] / "platform" / "fixtures" / "pooled"
STUDENTS = (("student1", "student1-demo"), ("student2", "student2-demo"))


def draws_differ(assignment: Any, users: list[Any]) -> bool:
    from pools.selectors import pool_layout

    layout = pool_layout(assignment_ids=[assignment.pk], user_ids=[u.pk for u in users])
    (pool_id,) = layout.pools
    first, second = (set(layout.drawn(user_id=u.pk, pool_id=pool_id)) for u in users)
    return first != second


@pytest.fixture
def pooled(demo: dict, settings: Any) -> Any:
    from assessments.loading import bundle_load
    from assessments.models import Assignment
    from courses.models import Enrollment
    from django.contrib.auth import get_user_model

    users = [get_user_model().objects.get(username=name) for name, _password in STUDENTS]
    course = Enrollment.objects.get(user=users[0], role=Enrollment.Role.STUDENT).course
    bundle_load(path=POOLED, course=course)
    assignment = Assignment.objects.get(course=course, slug="pooled")
    # Draws come from the seed secret: pick one under which the two students differ (one in six
    # secrets gives two students the same pair), so the test shows what it means to show.
    for attempt in range(50):
        if draws_differ(assignment, users):
            break
        settings.GRADING_SEED_SECRET = f"pools-e2e-{attempt}"
    assert draws_differ(assignment, users)
    return assignment


def switch_to(page: Any, log_in: Any, username: str, password: str) -> None:
    page.context.clear_cookies()  # a fresh session, as on another computer
    log_in(username, password)


def shown_questions(page: Any, assignment: Any) -> dict[str, str]:
    """{title: question page path} of the assignment page's question table."""
    from django.urls import reverse

    page.goto(reverse("assessments:assignment", args=[assignment.course_id, assignment.pk]))
    links = page.locator("table.questions tbody tr td a")
    return {links.nth(i).inner_text().strip(): links.nth(i).get_attribute("href") for i in range(links.count())}


def test_two_students_see_different_questions(page: Any, log_in: Any, pooled: Any) -> None:
    from assessments.models import Question

    seen = []
    for username, password in STUDENTS:
        switch_to(page, log_in, username, password)
        questions = shown_questions(page, pooled)
        assert len(questions) == 3 and "문제 INTRO" in questions  # intro + 2 of the pool
        assert page.locator("table.questions tfoot").inner_text().split()[-1] == "5"  # 1 + 2 x 2
        seen.append(questions)
    assert set(seen[0]) != set(seen[1])
    # A question drawn only for student1 is not there for student2 (logged in now): 404.
    mine = set(seen[1].values())
    theirs = [path for path in seen[0].values() if path not in mine]
    assert theirs
    response = page.goto(theirs[0])
    assert response is not None and response.status == 404
    # ... and their own question opens, in Korean, as any other.
    response = page.goto(next(iter(mine - {seen[1]["문제 INTRO"]})))
    assert response is not None and response.ok
    assert page.locator("form.quiz-form").count() == 1
    assert Question.objects.filter(assignment=pooled).count() == 5


def test_the_instructor_sees_who_got_which(page: Any, log_in: Any, pooled: Any) -> None:
    from django.urls import reverse

    for username, password in STUDENTS:  # both open the assignment: their draws are stored
        switch_to(page, log_in, username, password)
        shown_questions(page, pooled)
    switch_to(page, log_in, "instructor", "instructor-demo")
    page.goto(reverse("assessments:assignment", args=[pooled.course_id, pooled.pk]))
    assert page.locator("table.questions tbody tr").count() == 5
    page.locator(".pools-link a").click()
    page.wait_for_url("**/pools")
    pool = page.locator('section[data-pool="warmup"]')
    assert "4문제 중 2문제, 각 2점" in pool.inner_text()
    for username, _password in STUDENTS:
        row = pool.locator(f'tr[data-student="{username}"]')
        assert row.locator(".drawn").count() == 2
        assert row.locator(".not-seen").count() == 0

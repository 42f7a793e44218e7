"""An instructor opens the course gradebook in a real browser: one column per assignment after the
course total, a header click sorts (server-side, ``aria-sort``), the header row and the student
column stay put while the table scrolls, and a click into an assignment shows its questions."""

from __future__ import annotations

from typing import Any

import pytest

pytestmark = pytest.mark.e2e

INSTRUCTOR = ("instructor", "instructor-demo")  # created by `manage.py seed_demo`


def test_instructor_sorts_the_gradebook_and_opens_an_assignment(page: Any, demo: dict, log_in: Any) -> None:
    from assessments.models import Assignment, Question
    from django.contrib.auth import get_user_model
    from django.urls import reverse
    from submissions.models import Submission

    question = Question.objects.filter(assignment__slug="ch07-cnn", slug="convolution").select_related("assignment").first()
    if question is None:
        pytest.skip("ch07-cnn/convolution is not loaded")
    ch07 = question.assignment
    course = ch07.course
    # student2 has points, student1 none: sorting by the total puts student2 first.
    student2 = get_user_model().objects.get(username="student2")
    Submission.objects.create(
        user=student2, question=question, version=question.current_version, idempotency_key="e2e-gradebook-1",
        code="class Convolution:\n    pass\n", seed=7, attempt=1, status=Submission.Status.GRADED,
        max_score=question.points, raw_score=1, score=question.points, verdict="passed",
        results={"status": "passed", "score": 1, "max_score": 1, "checks": []},
    )
    assignments = list(Assignment.objects.filter(course=course))

    log_in(*INSTRUCTOR)
    response = page.goto(reverse("gradebook:table", args=[course.pk]))
    assert response is not None and response.ok

    header_keys = page.locator("table.gradebook thead th[data-column]").evaluate_all(
        "cells => cells.map(c => c.dataset.column)")
    assert header_keys == ["total", *(f"a{a.pk}" for a in assignments)]
    assert page.locator("table.gradebook thead th[data-column^=q]").count() == 0
    assert page.locator("table.gradebook thead th.student").get_attribute("aria-sort") == "ascending"
    # the header row and the student column stick while the table scrolls inside its box
    assert page.locator("table.gradebook thead th.student").evaluate("e => getComputedStyle(e).position") == "sticky"
    assert page.locator("table.gradebook tbody th.student").first.evaluate("e => getComputedStyle(e).left") == "0px"

    # Sort by the course total with the keyboard: focus the header link, Enter.
    page.locator("th[data-column=total] a.sort-link").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "sort=total" in page.url and "dir=desc" in page.url
    assert page.locator("th[data-column=total]").get_attribute("aria-sort") == "descending"
    assert page.locator("table.gradebook tbody tr").first.get_attribute("data-student") == "student2"
    # ... and click it again: ascending
    with page.expect_navigation():
        page.locator("th[data-column=total] a.sort-link").click()
    assert page.locator("th[data-column=total]").get_attribute("aria-sort") == "ascending"
    assert page.locator("table.gradebook tbody tr").last.get_attribute("data-student") == "student2"

    # Into chapter 7: its questions only, and a way back.
    with page.expect_navigation():
        page.locator(f"th[data-column=a{ch07.pk}] a.drill").click()
    assert f"assignment={ch07.pk}" in page.url
    questions = list(Question.objects.filter(assignment=ch07, active=True).order_by("position", "id"))
    header_keys = page.locator("table.gradebook thead th[data-column]").evaluate_all(
        "cells => cells.map(c => c.dataset.column)")
    assert header_keys == ["total", *(f"q{q.pk}" for q in questions)]
    assert page.locator(f"th[data-column=q{question.pk}]").get_attribute("title") == "ch07-cnn/convolution"
    student2_row = page.locator("tr[data-student=student2]")
    assert student2_row.locator("td.cell").count() == len(questions)
    with page.expect_navigation():
        page.locator(".gradebook-back a").click()
    assert page.locator(f"th[data-column=a{ch07.pk}]").count() == 1
    assert page.js_errors == [] and page.failed_responses == []

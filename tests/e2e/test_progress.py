"""A student opens their own progress page in a real browser (Korean interface): from the course
page's link, every assignment with its due date and the course total (the gradebook's), then
spends a late day on an open assignment and sees their new due date and one late day fewer."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

pytestmark = pytest.mark.e2e

STUDENT = ("student1", "student1-demo")  # created by `manage.py seed_demo`


def test_student_reads_progress_and_spends_a_late_day(page: Any, demo: dict, log_in: Any) -> None:
    from assessments.models import Assignment
    from courses.models import Enrollment
    from django.contrib.auth import get_user_model
    from django.urls import reverse
    from django.utils import timezone
    from gradebook.matrix import gradebook_matrix
    from scoring.models import LateTokenSpend
    from scoring.tokens import late_token_setting_update

    ch07 = Assignment.objects.filter(slug="ch07-cnn").select_related("course").first()
    if ch07 is None:
        pytest.skip("ch07-cnn is not loaded")
    course = ch07.course
    instructor = get_user_model().objects.get(username="instructor")
    student = demo["student"]
    late_token_setting_update(course=course, actor=instructor, tokens_per_student=2, max_per_assignment=1)
    ch07.due_at = timezone.now().replace(second=0, microsecond=0) + timedelta(hours=3)
    ch07.closes_at = None
    ch07.published = True
    ch07.save()
    published = list(Assignment.objects.filter(course=course, published=True))

    log_in(*STUDENT)
    response = page.goto(reverse("courses:detail", args=[course.pk]))
    assert response is not None and response.ok
    with page.expect_navigation():
        page.locator(".progress-link a").click()  # the course page's card
    assert page.url.endswith(reverse("progress:course", args=[course.pk]))
    assert page.locator(f"nav a[href='{reverse('progress:course', args=[course.pk])}']").count() == 1

    rows = page.locator("table.progress-assignments tbody tr[data-assignment]")
    assert rows.evaluate_all("rows => rows.map(r => r.dataset.assignment)") == [a.slug for a in published]
    due = timezone.localtime(ch07.due_at).strftime("%Y-%m-%d %H:%M")
    assert page.locator("table.progress-assignments tr[data-assignment=ch07-cnn] .due").inner_text() == due
    # The total is the one the gradebook shows for this student.
    enrollment = Enrollment.objects.get(course=course, user=student)
    staff_row = next(r for r in gradebook_matrix(course=course, cells=False).rows if r.enrollment.pk == enrollment.pk)
    assert float(page.locator(".course-total .total").inner_text()) == staff_row.total
    assert page.locator(".late-days-left").inner_text() == "2"

    # Spend a late day on chapter 7 from the "open now" table.
    open_row = page.locator("table.open-assignments tr[data-assignment=ch07-cnn]")
    with page.expect_navigation():
        open_row.locator("button.spend-late-day").click()
    new_due = timezone.localtime(ch07.due_at + timedelta(days=1)).strftime("%Y-%m-%d %H:%M")
    assert new_due in page.locator(".messages .success").inner_text()
    assert page.locator("table.progress-assignments tr[data-assignment=ch07-cnn] .due").inner_text() == new_due
    assert page.locator("table.open-assignments tr[data-assignment=ch07-cnn] .due").inner_text() == new_due
    assert page.locator(".late-days-left").inner_text() == "1"
    # The cap (1 per assignment) is reached: no more button on chapter 7.
    assert page.locator("tr[data-assignment=ch07-cnn] button.spend-late-day").count() == 0
    assert LateTokenSpend.objects.filter(student=student, assignment=ch07).count() == 1
    assert page.js_errors == [] and page.failed_responses == []

"""An instructor opens the per-question dashboard of chapter 7's `convolution` in a real browser,
going the way they would (course page -> dashboards -> assignment -> question), over stored
submissions with realistic grader results, and sees the score chart and the failing checks."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml

pytestmark = pytest.mark.e2e

INSTRUCTOR = ("instructor", "instructor-demo")  # created by `manage.py seed_demo`
SPEC = Path(__file__).resolve().parents[2] / "assignments" / "ch07-cnn" / "questions" / "convolution" / "question.yaml"
STRIDE2_BACKWARD = "backward · stride 2, pad 1, H ≠ W"


def check_results(spec: dict[str, Any], failing: dict[str, str]) -> list[dict[str, Any]]:
    """Outcomes of every check of the question, as the grader writes them: ``failing`` maps a
    check name to its failure message, the others pass."""
    return [
        {
            "name": c["name"], "passed": c["name"] not in failing,
            "score": 0.0 if c["name"] in failing else float(c["points"]), "max_score": float(c["points"]),
            "message": failing.get(c["name"], "forward output: ok (max abs error 2.2e-16)"),
            "hidden": bool(c.get("hidden")), "hint": "", "details": {},
        }
        for c in spec["checks"]
    ]


def store_submission(*, user: Any, question: Any, minutes_ago: int, checks: list[dict[str, Any]], key: str) -> None:
    from django.utils import timezone
    from submissions.models import Submission

    raw = sum(c["score"] for c in checks)
    max_raw = sum(c["max_score"] for c in checks)
    verdict = "passed" if raw >= max_raw else ("partial" if raw else "failed")
    row = Submission.objects.create(
        user=user, question=question, version=question.current_version, idempotency_key=key,
        code="class Convolution:\n    pass\n", seed=7, attempt=1, status=Submission.Status.GRADED,
        max_score=question.points, raw_score=raw, score=round(raw / max_raw * question.points, 4),
        verdict=verdict, results={"status": verdict, "score": raw, "max_score": max_raw, "checks": checks},
    )
    at = timezone.now() - timedelta(minutes=minutes_ago)
    Submission.objects.filter(pk=row.pk).update(created_at=at, graded_at=at)


def test_instructor_sees_score_chart_and_failing_checks(page: Any, demo: dict, log_in: Any) -> None:
    from assessments.models import Question
    from courses.models import Enrollment
    from django.contrib.auth import get_user_model
    from django.urls import reverse

    spec = yaml.safe_load(SPEC.read_text(encoding="utf-8"))
    question = Question.objects.filter(assignment__slug="ch07-cnn", slug="convolution").select_related("assignment").first()
    if question is None:
        pytest.skip("ch07-cnn/convolution is not loaded")
    course = question.assignment.course
    users = get_user_model().objects
    students = [users.get(username="student1"), users.get(username="student2")]
    for n in range(3, 6):
        extra = users.create_user(username=f"lab{n}", password="x")
        Enrollment.objects.create(course=course, user=extra, role=Enrollment.Role.STUDENT)
        students.append(extra)

    stride2 = "dx: 40 of 105 values differ; max abs error 1.7, max rel error 3.1; first mismatch at index (0, 1, 0, 2)"
    # Four of five students' latest submissions fail the stride-2 backward check; two of them
    # with the same mistake in different numbers. One passes everything (after two failures).
    latest = [
        {STRIDE2_BACKWARD: stride2},
        {STRIDE2_BACKWARD: stride2.replace("40 of 105", "12 of 105")},
        {STRIDE2_BACKWARD: "dx: expected shape (2, 3, 7, 5), got (2, 3, 9, 7) — the spatial size is off",
         "forward · stride 2, pad 1, H ≠ W": "forward output: expected shape (2, 4, 4, 3), got (2, 4, 3, 3)"},
        {STRIDE2_BACKWARD: stride2, "gradient check · stride 2, 3x2 filter": "dx: selfgrad mismatch 0.3"},
        {},
    ]
    for index, (student, failing) in enumerate(zip(students, latest, strict=True)):
        if not failing:
            for attempt in range(2):
                store_submission(user=student, question=question, minutes_ago=90 - attempt * 10,
                                 checks=check_results(spec, {STRIDE2_BACKWARD: stride2}), key=f"e2e-dash-{index}-{attempt}")
        store_submission(user=student, question=question, minutes_ago=30 - index,
                         checks=check_results(spec, failing), key=f"e2e-dash-{index}-last")

    log_in(*INSTRUCTOR)
    page.goto(reverse("courses:detail", args=[course.pk]))
    with page.expect_navigation():
        page.locator(f".staff-links a[href='{reverse('insights:course', args=[course.pk])}']").click()
    with page.expect_navigation():
        page.locator(f"a[href='{reverse('insights:assignment', args=[course.pk, question.assignment_id])}']").click()
    with page.expect_navigation():
        page.locator(f"a[href='{reverse('insights:question', args=[course.pk, question.pk])}']").click()
    assert page.url.endswith(reverse("insights:question", args=[course.pk, question.pk]))

    chart = page.locator("#score-distribution svg")
    chart.wait_for()
    assert chart.get_attribute("role") == "img"
    bars = chart.locator("rect.bar")
    assert bars.count() == 10
    assert sum(int(bars.nth(i).get_attribute("data-count")) for i in range(10)) == 5  # one best score per student
    # The top bin holds scores from 90 % to full marks: computed from the stored data, since the
    # weight of each check is the question author's to change.
    ratios = [sum(c["score"] for c in check_results(spec, failing)) / sum(float(c["points"]) for c in spec["checks"])
              for failing in latest]
    assert int(bars.nth(9).get_attribute("data-count")) == sum(ratio >= 0.9 for ratio in ratios) >= 1
    box = bars.nth(9).bounding_box()
    assert box is not None and box["height"] > 10  # drawn, not just present in the markup

    failures = page.locator("#check-failures li.check-failure")
    worst = failures.first
    assert worst.get_attribute("data-check") == STRIDE2_BACKWARD
    assert "80%" in worst.inner_text() and STRIDE2_BACKWARD in worst.inner_text()
    # The two "N of 105 values differ" messages are one group of the same mistake.
    assert "3×" in worst.locator(".failure-messages li").first.inner_text()
    assert "# of # values differ" in worst.locator(".failure-messages li").first.inner_text()
    hidden = page.locator("#check-failures li.check-failure[data-check='gradient check · stride 2, 3x2 filter']")
    assert hidden.get_attribute("data-rate") == "20" and hidden.locator(".hidden-check").count() == 1
    assert page.js_errors == []
    assert [r for r in page.failed_responses if "/insights/" in r] == []


def test_live_view_updates_in_place_without_losing_scroll(page: Any, demo: dict, log_in: Any) -> None:
    """A student submits while the instructor watches: the row appears after the next poll, the
    page is not reloaded and stays where it was scrolled to."""
    from assessments.models import Question
    from django.contrib.auth import get_user_model
    from django.urls import reverse

    spec = yaml.safe_load(SPEC.read_text(encoding="utf-8"))
    question = Question.objects.filter(assignment__slug="ch07-cnn", slug="convolution").select_related("assignment").first()
    if question is None:
        pytest.skip("ch07-cnn/convolution is not loaded")
    course = question.assignment.course
    student2 = get_user_model().objects.get(username="student2")
    store_submission(user=get_user_model().objects.get(username="student1"), question=question, minutes_ago=3,
                     checks=check_results(spec, {}), key="e2e-live-1")

    log_in(*INSTRUCTOR)
    page.set_viewport_size({"width": 900, "height": 320})  # short, so the page scrolls
    page.clock.install()  # the 15-second poll runs on Playwright's clock, not the wall's
    page.goto(reverse("insights:live", args=[course.pk]))
    rows = page.locator("#live-board tr.live-row")
    assert rows.count() == 1
    page.evaluate("() => window.scrollTo(0, 200)")
    scrolled = page.evaluate("() => window.scrollY")
    assert scrolled > 0
    navigations: list[str] = []
    page.on("framenavigated", lambda frame: navigations.append(frame.url) if frame == page.main_frame else None)

    for attempt in range(3):  # three failures in a few minutes: flagged as struggling
        store_submission(user=student2, question=question, minutes_ago=3 - attempt,
                         checks=check_results(spec, {STRIDE2_BACKWARD: "dx: 5 of 105 values differ"}),
                         key=f"e2e-live-2-{attempt}")
    with page.expect_response(lambda response: "/insights/live.json" in response.url):
        page.clock.run_for(16_000)
    page.locator("#live-board tr.live-row.struggling[data-username='student2']").wait_for()
    assert rows.count() == 2
    assert page.evaluate("() => window.scrollY") == scrolled
    assert navigations == []
    assert page.js_errors == []

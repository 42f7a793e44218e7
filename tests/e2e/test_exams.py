"""A student sits a timed exam (exams app) in a real browser: starts it on its page, writes code,
reloads mid-exam (the server's remaining time and the code survive, whatever the browser's own
clock says), and at time-up the page saves the draft and the server submits it."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

pytestmark = pytest.mark.e2e

MARKER = "# exam answer, typed in the browser\n"
GRADING_TIMEOUT_S = 120


def wait_for_draft(page: Any, student: Any, question: Any, text: str) -> None:
    """Until the server holds a draft containing ``text`` (the page saves 800 ms after typing)."""
    from submissions.models import Draft

    for _poll in range(60):
        draft = Draft.objects.filter(user=student, question=question).first()
        if draft is not None and text in draft.code:
            return
        page.wait_for_timeout(250)
    raise AssertionError(f"the draft never contained {text!r}")


def remaining_shown(page: Any) -> float:
    """The seconds left as the page's clock shows them (mm:ss or h:mm:ss)."""
    parts = [int(part) for part in page.inner_text("#exam-clock .exam-clock-time").strip().split(":")]
    seconds = 0
    for part in parts:
        seconds = seconds * 60 + part
    return seconds


def test_an_exam_from_start_through_a_reload_to_the_automatic_submission(
    page: Any, demo: dict, log_in: Any, live_server: Any, redis_url: str, celery_worker_proc: Any,
) -> None:
    from assessments.models import Question
    from django.contrib.auth import get_user_model
    from django.urls import reverse
    from django.utils import timezone
    from exams.models import ExamSession
    from exams.services import exam_settings_save
    from submissions.models import Submission

    question = Question.objects.filter(assignment__slug="ch07-cnn", slug="convolution").first()
    if question is None:
        pytest.skip("ch07-cnn/convolution is not loaded")
    assignment = question.assignment
    instructor = get_user_model().objects.get(username="instructor")
    exam_settings_save(assignment=assignment, actor=instructor, enabled=True, duration_minutes=30, starts_at=None,
                       opens_at=None, closes_at=None, hold_feedback=True)
    student = demo["student"]
    # A browser whose own clock is an hour and a half wrong: the countdown must not care.
    page.add_init_script("(() => { const real = Date.now; Date.now = () => real() + 5400000; })();")
    log_in()

    # Before the start, the question is not shown.
    response = page.goto(reverse("assessments:question", args=[question.pk]))
    assert response.status == 403 and page.locator("#code-editor").count() == 0
    assert page.locator(".exam-locked").count() == 1

    page.goto(reverse("exams:exam", args=[assignment.course_id, assignment.pk]))
    with page.expect_navigation():
        page.click("#start-exam")
    session = ExamSession.objects.get(student=student, assignment=assignment)
    assert abs((session.ends_at - session.started_at) - timedelta(minutes=30)) < timedelta(seconds=1)
    assert page.locator("#exam-clock").count() == 1

    page.goto(reverse("assessments:question", args=[question.pk]))
    page.wait_for_selector("#code-editor .cm-content")
    assert 29 * 60 - 5 <= remaining_shown(page) <= 30 * 60
    page.locator("#code-editor .cm-content").click()
    page.keyboard.press("Control+End")
    page.keyboard.insert_text("\n" + MARKER)
    wait_for_draft(page, student, question, MARKER.strip())

    # A reload mid-exam: the same remaining time (from the server) and the code.
    page.reload()
    page.wait_for_selector("#code-editor .cm-content")
    assert MARKER.strip() in page.evaluate("() => window.__editor.getCode()")
    left = (session.ends_at - timezone.now()).total_seconds()
    assert abs(remaining_shown(page) - left) <= 5

    # The student types more; the server's end comes near (the test moves it to 8 s from now).
    page.locator("#code-editor .cm-content").click()
    page.keyboard.press("Control+End")
    page.keyboard.insert_text("# last line before the end\n")
    wait_for_draft(page, student, question, "# last line before the end")
    ExamSession.objects.filter(pk=session.pk).update(ends_at=timezone.now() + timedelta(seconds=8))
    page.evaluate("() => document.dispatchEvent(new Event('visibilitychange'))")  # re-sync now
    page.locator("#code-editor .cm-content").click()
    page.keyboard.press("Control+End")
    page.keyboard.insert_text("# typed in the last seconds\n")  # saved by the page right before the end

    page.wait_for_selector("#exam-clock[data-state=up]", timeout=30_000)
    assert "제출되었습니다" in page.inner_text("#exam-clock .exam-clock-message")
    assert page.is_disabled("#submit-code")

    submission = Submission.objects.get(user=student, question=question)
    assert submission.idempotency_key == f"exam-{session.pk}-{question.pk}"
    assert "# typed in the last seconds" in submission.code and MARKER.strip() in submission.code
    session.refresh_from_db()
    assert session.finished_at is not None

    # Nothing more is accepted: the question page refuses, with the reason.
    response = page.goto(reverse("assessments:question", args=[question.pk]))
    assert response.status == 403 and "시험 시간이 끝났습니다" in page.inner_text(".exam-locked")

    # Made in time, graded later: it still counts.
    deadline = timezone.now() + timedelta(seconds=GRADING_TIMEOUT_S)
    while timezone.now() < deadline:
        submission.refresh_from_db()
        if submission.is_final:
            break
        page.wait_for_timeout(500)
    assert submission.status == Submission.Status.GRADED, submission.status
    assert submission.score is not None

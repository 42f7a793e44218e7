"""The Run button on chapter 7's `convolution` page, in a real browser against a real worker and
sandbox: what the code prints and returns appears within 2 s, without using an attempt or
touching the history; a syntax error shows (and marks) its line; an endless loop ends with a
clear message; the scratch cell and the keyboard shortcut work."""

from __future__ import annotations

import time
from typing import Any

import pytest

pytestmark = pytest.mark.e2e

COLD_TIMEOUT_MS = 90_000  # the first run: a cold worker starts its sandbox, the reference runs once
WARM_BUDGET_S = 2.0
DONE = "#run-status[data-state=done], #run-status[data-state=error]"


def set_code(page: Any, code: str) -> None:
    page.evaluate("(code) => window.__editor.setCode(code)", code)


def press_run(page: Any, *, timeout_ms: float) -> float:
    """Click Run and wait for the result; returns the seconds it took."""
    page.evaluate("() => { const s = document.getElementById('run-status'); if (s) delete s.dataset.state; }")
    started = time.monotonic()
    page.click("#run-code")
    page.wait_for_selector(DONE, timeout=timeout_ms)
    return time.monotonic() - started


def untouched(page: Any) -> dict[str, str]:
    """What a Run must never change: attempts left, the history, the submission status badge."""
    return {
        "meta": page.inner_text("p.meta"),
        "history": page.inner_html("#history"),
        "status": page.inner_html("#submission-status"),
    }


@pytest.fixture
def run_page(page: Any, demo: dict, log_in: Any, code_page: Any, redis_url: str, celery_worker_proc: Any):  # type: ignore[no-untyped-def]
    log_in()
    question = code_page("convolution")
    page.wait_for_selector("#run-code")
    return question


def test_run_shows_the_print_and_the_arrays_fast_and_uses_no_attempt(
    page: Any, demo: dict, run_page: Any, convolution_solution: str,
) -> None:
    from submissions.models import Submission

    before = untouched(page)
    press_run(page, timeout_ms=COLD_TIMEOUT_MS)  # warm-up: sandbox and reference results

    set_code(page, convolution_solution + '\nprint("hello from my conv")\n')
    page.fill("#run-scratch", "x = np.arange(16.).reshape(1, 1, 4, 4)\nx * 2")
    took = press_run(page, timeout_ms=10_000)
    result = page.locator("#run-result")
    shown = page.inner_text("#run-status") + "\n" + result.inner_text()
    assert result.locator(".run-output").count() == 1, shown
    assert "hello from my conv" in result.locator(".run-output").inner_text()
    assert took < WARM_BUDGET_S, f"the run took {took:.2f} s"
    assert result.locator(".run-array-pair").count() >= 1
    assert result.locator(".run-array-pair[data-match=no]").count() == 0
    assert "(1, 1, 4, 4)" in result.locator(".run-scratch-value").inner_text()
    assert result.get_attribute("aria-live") == "polite"

    assert untouched(page) == before
    assert Submission.objects.filter(user=demo["student"]).count() == 0
    page.reload()
    page.wait_for_selector("#run-code")
    assert untouched(page) == before
    # The scratch cell is kept in this browser, like the draft.
    assert page.input_value("#run-scratch").endswith("x * 2")


def test_a_syntax_error_shows_and_marks_its_line(page: Any, run_page: Any) -> None:
    set_code(page, "import numpy as np\n\n\nclass Convolution:\n    def forward(self, x)\n        return x\n")
    press_run(page, timeout_ms=COLD_TIMEOUT_MS)
    error = page.locator("#run-result .run-error").first
    assert "SyntaxError" in error.inner_text() and "5" in error.inner_text()
    marked = page.locator("#code-editor .cm-run-error-line")
    assert marked.count() == 1 and "def forward(self, x)" in marked.inner_text()


def test_an_endless_loop_ends_with_a_clear_message(page: Any, run_page: Any) -> None:
    set_code(page, "import numpy as np\n\nwhile True:\n    pass\n")
    press_run(page, timeout_ms=COLD_TIMEOUT_MS)
    headline = page.locator("#run-result .run-headline").inner_text()
    assert "endless loop" in headline or "무한 루프" in headline, headline


def test_the_keyboard_shortcut_runs_from_the_editor(page: Any, run_page: Any) -> None:
    assert "Ctrl+'" in (page.get_attribute("#run-code", "title") or "")
    set_code(page, 'print("via the shortcut")\n')
    page.locator("#code-editor .cm-content").click()
    page.keyboard.press("Control+'")
    page.wait_for_selector(DONE, timeout=COLD_TIMEOUT_MS)
    assert "via the shortcut" in page.inner_text("#run-result")
    assert "'" not in page.evaluate("() => window.__editor.getCode()")  # no quote typed into the code


def test_the_result_stacks_at_phone_width(page: Any, run_page: Any, convolution_solution: str) -> None:
    page.set_viewport_size({"width": 375, "height": 800})
    set_code(page, convolution_solution)
    press_run(page, timeout_ms=COLD_TIMEOUT_MS)
    columns = page.locator("#run-result .run-array-pair").first.locator(".run-column")
    first, second = columns.nth(0).bounding_box(), columns.nth(1).bounding_box()
    assert second["y"] > first["y"]  # one under the other
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_run_still_answers_while_a_deadline_burst_is_being_graded(
    page: Any, demo: dict, run_page: Any, convolution_solution: str, redis_url: str, tmp_path: Any,
) -> None:
    """The Run queue has a worker of its own (scripts/run.sh, docker-compose's worker-run): a burst
    of submissions that fills every grading slot does not hold a student's Run back."""
    import os

    from assessments.models import Question
    from django.db import connection, transaction
    from django.utils import timezone
    from scoring.policy import policy_for
    from submissions.models import Submission
    from submissions.services.submit import submission_record

    from tests.stack import start_worker, stop_worker, wait_for_worker_jobs, worker_env

    env = worker_env(database_name=str(connection.settings_dict["NAME"]), broker_url=redis_url,
                     executor=os.environ.get("TEST_GRADER_EXECUTOR", "sandbox"))
    env["GRADER_SLOTS"] = "1"
    runner = start_worker(env=env, log_path=tmp_path / "run-worker.log", queues="run")
    try:
        press_run(page, timeout_ms=COLD_TIMEOUT_MS)  # warm-up
        network = Question.objects.get(assignment__slug="ch07-cnn", slug="simple-convnet")
        student = demo["student"]
        policy = policy_for(user_id=student.pk, assignment=network.assignment)
        reference = network.current_version.files["reference"]
        with transaction.atomic():  # the deadline burst, straight into the grading queue
            for number in range(40):
                submission_record(user=student, question=network, code=reference, lang="ko", policy=policy,
                                  at=timezone.now(), idempotency_key=f"burst-{number:04d}")
        set_code(page, convolution_solution + '\nprint("run during the burst")\n')
        took = press_run(page, timeout_ms=30_000)
        waiting = Submission.objects.filter(question=network, status__in=["queued", "running"]).count()
        assert "run during the burst" in page.locator("#run-result .run-output").inner_text()
        assert waiting > 0, "the burst was already graded: the test proves nothing"
        assert took < 10, f"the run took {took:.1f} s behind the burst"
    finally:
        stop_worker(runner)
        wait_for_worker_jobs(timeout=180)  # the burst drains before the database is flushed

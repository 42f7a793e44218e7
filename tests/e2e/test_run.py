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

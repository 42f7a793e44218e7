"""A student works on chapter 7's `convolution` code question in a real browser: typing in the
CodeMirror editor, drafts that survive a reload, submitting and live grading, double clicks."""

from __future__ import annotations

import json
from typing import Any

import pytest

pytestmark = pytest.mark.e2e

GRADING_TIMEOUT_MS = 90_000  # a cold worker imports NumPy and starts its sandbox first
SUBMISSIONS_API = "**/api/questions/*/submissions"


def editor_code(page: Any) -> str:
    return page.evaluate("() => window.__editor.getCode()")


def clear_editor(page: Any) -> None:
    page.locator("#code-editor .cm-content").click()
    page.keyboard.press("Control+A")
    page.keyboard.press("Delete")


def question_config(page: Any) -> dict[str, Any]:
    return json.loads(page.text_content("#question-config"))


def submissions_of(user: Any, question: Any) -> Any:
    from submissions.models import Submission

    return Submission.objects.filter(user=user, question=question)


def test_correct_solution_is_graded_live_with_full_marks(
    page: Any,
    demo: dict,
    log_in: Any,
    code_page: Any,
    convolution_solution: str,
    redis_url: str,
    celery_worker_proc: Any,
) -> None:
    log_in()
    question = code_page("convolution")
    solution = convolution_solution

    clear_editor(page)
    first_line, rest = solution.split("\n", 1)
    page.keyboard.type(first_line)  # real keystrokes through CodeMirror's input handling
    page.keyboard.insert_text("\n" + rest)  # the rest as one paste-like input (no auto-indent)
    assert editor_code(page) == solution
    # The no-JavaScript form field follows the editor.
    assert page.eval_on_selector("#code-fallback", "el => el.value") == solution

    main_frame_navigations: list[str] = []
    page.on(
        "framenavigated",
        lambda frame: (
            main_frame_navigations.append(frame.url) if frame == page.main_frame else None
        ),
    )
    page.evaluate("() => { window.__noReloadMarker = 'still here'; }")
    page.click("#submit-code")

    page.wait_for_selector(
        "#submission-status[data-state=graded], #submission-status[data-state=error]",
        timeout=GRADING_TIMEOUT_MS,
    )
    assert page.get_attribute("#submission-status", "data-state") == "graded", page.inner_text(
        "#submission-status"
    )
    assert page.evaluate("() => window.__noReloadMarker") == "still here"
    assert main_frame_navigations == []

    submission = submissions_of(demo["student"], question).get()
    assert submission.status == "graded"
    assert submission.max_score > 0
    assert submission.score == pytest.approx(submission.max_score)

    feedback = page.locator("#feedback")
    assert feedback.inner_text().strip(), "feedback_html was not shown"
    assert feedback.locator(".checks li.failed").count() == 0
    newest = page.locator("#history li").first
    assert newest.get_attribute("data-submission-id") == str(submission.pk)
    assert f"{submission.score:g} / {submission.max_score:g}" in newest.inner_text()

    # The attempt's code comes back read-only through its data-code-url, as text.
    newest.locator("[data-history-action=view]").click()
    view = page.locator("#history-view pre")
    view.wait_for()
    assert view.text_content() == solution
    assert page.js_errors == []


def test_draft_survives_a_reload_before_the_debounce_and_reaches_the_server(
    page: Any, demo: dict, log_in: Any, code_page: Any
) -> None:
    log_in()
    question = code_page("convolution")
    key = f"draft:{question_config(page)['questionId']}"
    typed = "answer = 41  # draft typed right before a reload"

    # The server is unreachable for drafts: only the browser's local copy can keep the text.
    page.route("**/api/questions/*/draft", lambda route: route.abort())
    clear_editor(page)
    page.keyboard.type(typed)
    page.wait_for_timeout(300)  # well under the 800 ms debounce
    local = json.loads(page.evaluate("k => localStorage.getItem(k)", key))
    assert local["code"] == typed
    assert isinstance(local["savedAt"], int | float)

    page.reload()
    page.wait_for_selector("#code-editor .cm-content")
    assert editor_code(page) == typed

    # Back online: the newer local copy is re-sent (retry back-off) and, once the server has
    # confirmed it, dropped from localStorage.
    page.unroute("**/api/questions/*/draft")
    page.wait_for_function("k => localStorage.getItem(k) === null", arg=key, timeout=20_000)
    from submissions.models import Draft

    assert Draft.objects.get(user=demo["student"], question=question).code == typed

    # Nothing local any more: the page itself brings the draft from the server.
    page.evaluate("() => localStorage.clear()")
    page.reload()
    page.wait_for_selector("#code-editor .cm-content")
    assert editor_code(page) == typed
    assert page.evaluate("k => localStorage.getItem(k)", key) is None
    assert page.js_errors == []


def test_double_click_creates_one_submission_and_a_retry_reuses_its_key(
    page: Any,
    demo: dict,
    log_in: Any,
    code_page: Any,
    convolution_solution: str,
    redis_url: str,
    celery_worker_proc: Any,
) -> None:
    log_in()
    question = code_page("convolution")
    student = demo["student"]
    posted: list[dict] = []
    page.on(
        "request",
        lambda request: (
            posted.append(json.loads(request.post_data))
            if request.method == "POST" and request.url.endswith("/submissions")
            else None
        ),
    )
    page.evaluate("code => window.__editor.setCode(code)", convolution_solution)

    page.dblclick("#submit-code")
    page.wait_for_selector("#submission-status[data-state]")
    page.wait_for_function("() => !document.querySelector('#submit-code').disabled")
    page.wait_for_timeout(500)  # a second request, if any, would have been sent by now
    assert len(posted) == 1
    assert submissions_of(student, question).count() == 1

    # The server stores the next submission but its answer is lost on the way back ...
    def lose_the_answer(route: Any) -> None:
        route.fetch()
        route.abort()

    page.route(SUBMISSIONS_API, lose_the_answer)
    page.evaluate("() => window.__editor.setCode(window.__editor.getCode() + '\\n# second try\\n')")
    page.click("#submit-code")
    page.wait_for_selector("#submission-status[data-state=error]")
    assert submissions_of(student, question).count() == 2

    # ... so the student clicks again: same intent, same key, no third submission.
    page.unroute(SUBMISSIONS_API)
    page.click("#submit-code")
    page.wait_for_function(
        "() => ['queued', 'running', 'graded'].includes("
        "document.querySelector('#submission-status').dataset.state)"
    )
    assert len(posted) == 3
    assert posted[1]["idempotency_key"] == posted[2]["idempotency_key"]
    assert posted[0]["idempotency_key"] != posted[1]["idempotency_key"]
    assert submissions_of(student, question).count() == 2
    assert page.js_errors == []


def test_a_wrong_convolution_shows_where_its_values_differ(
    page: Any,
    demo: dict,
    log_in: Any,
    code_page: Any,
    redis_url: str,
    celery_worker_proc: Any,
) -> None:
    """A failing array check draws its mismatch map (server-side SVG) with the first wrong index."""
    from pathlib import Path

    buggy = (Path(__file__).resolve().parents[1] / "grader" / "ch07" / "buggy" / "convolution"
             / "missing_bias.py").read_text(encoding="utf-8")
    log_in()
    code_page("convolution")
    page.evaluate("code => window.__editor.setCode(code)", buggy)
    page.click("#submit-code")
    page.wait_for_selector("#submission-status[data-state=graded]", timeout=GRADING_TIMEOUT_MS)
    failed = page.locator("#feedback .checks li.failed").filter(has=page.locator("figure.heatmap")).first
    failed.wait_for()
    assert failed.locator("svg[role=img] rect.hm-first").count() == 1
    caption = failed.locator("figure.heatmap figcaption").inner_text()
    assert "(" in caption and ("first wrong index" in caption or "처음 틀린 인덱스" in caption)
    assert page.js_errors == []

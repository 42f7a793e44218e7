"""Trying drafts: the prompt preview, the reference against the checks, a student's code, a quiz answer."""

from __future__ import annotations

from pathlib import Path

import pytest
from authoring import runs, services
from authoring.drafts import question_draft_read
from authoring.errors import AuthoringError

from tests.platform.authoring.helpers import numeric_draft, storage_in
from tests.platform.conftest import CORRECT_SCALE, WRONG_SCALE


@pytest.fixture(autouse=True)
def storage(settings, tmp_path: Path) -> Path:  # type: ignore[no-untyped-def]
    return storage_in(settings, tmp_path)


def test_the_preview_is_the_students_renderer_with_a_sample_draw():
    html = str(runs.prompt_preview(text="**넓이** $W \\times H$ <script>x</script> W={{W}}", kind="numeric",
                                   spec_yaml="variables: {W: {min: 5, max: 5}}\nanswer: W\n"))
    assert "<strong>넓이</strong>" in html and "$W \\times H$" in html  # math left for KaTeX
    assert "<script>" not in html
    assert "W=5" in html


def test_a_half_typed_spec_still_previews():
    html = str(runs.prompt_preview(text="x={{W}}", kind="numeric", spec_yaml="variables: [oops"))
    assert "x={{W}}" in html


@pytest.fixture
def mini_draft(course, mini_assignment):  # type: ignore[no-untyped-def]
    directory = services.bundle_copy_for_editing(course=course, assignment=mini_assignment)
    return question_draft_read(question_dir=directory / "questions" / "scale")


def graded(capture, **kwargs):  # type: ignore[no-untyped-def]
    with capture(execute=True):
        run = runs.authoring_run_start(**kwargs)
    run.refresh_from_db()
    return run


def test_the_reference_passes_its_checks(course, instructor, mini_draft, inprocess, workers,
                                         django_capture_on_commit_callbacks):
    run = graded(django_capture_on_commit_callbacks, course=course, user=instructor, bundle_slug="mini",
                 draft=mini_draft, action="reference", lang="en")
    assert workers.sent == [run.pk] and run.status == "done" and run.worker == "test-worker/1"
    view = runs.authoring_run_view(run)
    assert view.final and view.shown["status"] == "passed"
    assert [c["name"] for c in view.shown["checks"]] == ["scale · small", "scale · keys", "scale · gradient"]


def test_an_unsaved_broken_reference_is_reported_by_the_grader(course, instructor, mini_draft, inprocess, workers,
                                                               django_capture_on_commit_callbacks):
    mini_draft.files["reference"] = mini_draft.files["reference"].replace("x * k", "x + k")
    run = graded(django_capture_on_commit_callbacks, course=course, user=instructor, bundle_slug="mini",
                 draft=mini_draft, action="reference", lang="en")
    shown = runs.authoring_run_view(run).shown
    assert shown["status"] != "passed"
    # Comparing the reference with itself always agrees; the self-gradient check does not.
    assert {c["name"]: c["passed"] for c in shown["checks"]}["scale · gradient"] is False


def test_trying_as_a_student_hides_hidden_check_details(course, instructor, mini_draft, inprocess, workers,
                                                        django_capture_on_commit_callbacks):
    common = {"course": course, "user": instructor, "bundle_slug": "mini", "draft": mini_draft, "action": "try",
              "lang": "ko"}
    right = graded(django_capture_on_commit_callbacks, code=CORRECT_SCALE, **common)
    assert runs.authoring_run_view(right).shown["status"] == "passed"
    wrong = runs.authoring_run_view(graded(django_capture_on_commit_callbacks, code=WRONG_SCALE, **common)).shown
    hidden = [c for c in wrong["checks"] if c["hidden"]]
    assert hidden and hidden[0]["message"] == "hidden check failed"
    assert wrong["score"] < wrong["max_score"]
    with pytest.raises(AuthoringError):
        runs.authoring_run_start(code="  ", **common)


def test_the_web_side_stores_the_draft_and_runs_nothing(course, instructor, mini_draft, workers, monkeypatch,
                                                        django_capture_on_commit_callbacks):
    """Starting a run only validates and stores: the grader is never called in the request."""
    import grader.api

    def no_grading(*_a, **_k):  # type: ignore[no-untyped-def]
        raise AssertionError("the web process ran code")

    monkeypatch.setattr(grader.api, "grade_code", no_grading)
    workers.paused = True
    with django_capture_on_commit_callbacks(execute=True):
        run = runs.authoring_run_start(course=course, user=instructor, bundle_slug="mini", draft=mini_draft,
                                       action="try", code=CORRECT_SCALE, lang="en")
    run.refresh_from_db()
    assert workers.sent == [run.pk] and run.status == "queued" and run.enqueued_at is not None
    assert run.source["files"]["reference"] == mini_draft.files["reference"] and run.code == CORRECT_SCALE
    view = runs.authoring_run_view(run)
    assert not view.final and view.shown is None


def test_a_run_whose_sandbox_is_down_is_retried_then_ends_with_a_message(course, instructor, mini_draft, workers,
                                                                         monkeypatch, settings,
                                                                         django_capture_on_commit_callbacks):
    from authoring import worker
    from authoring.models import AuthoringRun

    from grader.errors import GraderUnavailable

    def down(*_a, **_k):  # type: ignore[no-untyped-def]
        raise GraderUnavailable("zygote gone")

    monkeypatch.setattr(worker, "grade_code", down)
    settings.JOB_RETRY_POLICIES = {**settings.JOB_RETRY_POLICIES,
                                   "sandbox": {**settings.JOB_RETRY_POLICIES["sandbox"], "max_tries": 2}}
    run = graded(django_capture_on_commit_callbacks, course=course, user=instructor, bundle_slug="mini",
                 draft=mini_draft, action="reference", lang="en")
    # first try: back to the queue with a countdown (sent again at once by the inline worker)
    assert workers.sent == [run.pk, run.pk]
    assert run.status == AuthoringRun.Status.ERROR and run.tries == 2
    from django.utils import translation

    with translation.override("en"):
        view = runs.authoring_run_view(run)
    assert view.final and view.error == "The grading service is unavailable; try again in a minute."
    with translation.override("ko"):
        assert runs.authoring_run_view(run).error == "채점 서비스를 사용할 수 없습니다. 잠시 후 다시 시도하세요."


def test_quiz_try_grades_with_the_kind_and_the_sample_variables():
    draft = numeric_draft(answer="W * 0 + 12")
    assert runs.quiz_try(draft=draft, data={"value": ["12"]}, lang="en").correct
    wrong = runs.quiz_try(draft=draft, data={"value": ["20"]}, lang="en")
    assert not wrong.correct and wrong.feedback == "Incorrect."
    with pytest.raises(AuthoringError):
        runs.quiz_try(draft=draft, data={"value": ["twelve"]}, lang="en")

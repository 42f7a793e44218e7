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


def test_the_reference_passes_its_checks(course, mini_draft, inprocess):
    outcome = runs.reference_run(course=course, bundle_slug="mini", draft=mini_draft, lang="en")
    assert outcome.result.status == "passed"
    assert [c.name for c in outcome.result.checks] == ["scale · small", "scale · keys", "scale · gradient"]


def test_an_unsaved_broken_reference_is_reported_by_the_grader(course, mini_draft, inprocess):
    mini_draft.files["reference"] = mini_draft.files["reference"].replace("x * k", "x + k")
    outcome = runs.reference_run(course=course, bundle_slug="mini", draft=mini_draft, lang="en")
    assert outcome.result.status != "passed"
    # Comparing the reference with itself always agrees; the self-gradient check does not.
    assert {c.name: c.passed for c in outcome.result.checks}["scale · gradient"] is False


def test_trying_as_a_student_hides_hidden_check_details(course, mini_draft, inprocess):
    right = runs.student_try(course=course, bundle_slug="mini", draft=mini_draft, code=CORRECT_SCALE, lang="ko")
    assert right.result.status == "passed"
    wrong = runs.student_try(course=course, bundle_slug="mini", draft=mini_draft, code=WRONG_SCALE, lang="ko")
    hidden = [c for c in wrong.public["checks"] if c["hidden"]]
    assert hidden and hidden[0]["message"] == "hidden check failed"
    assert wrong.result.score < wrong.result.max_score
    with pytest.raises(AuthoringError):
        runs.student_try(course=course, bundle_slug="mini", draft=mini_draft, code="  ", lang="ko")


def test_quiz_try_grades_with_the_kind_and_the_sample_variables():
    draft = numeric_draft(answer="W * 0 + 12")
    assert runs.quiz_try(draft=draft, data={"value": ["12"]}, lang="en").correct
    wrong = runs.quiz_try(draft=draft, data={"value": ["20"]}, lang="en")
    assert not wrong.correct and wrong.feedback == "Incorrect."
    with pytest.raises(AuthoringError):
        runs.quiz_try(draft=draft, data={"value": ["twelve"]}, lang="en")

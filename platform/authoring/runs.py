"""Trying a draft before publishing: the prompt preview, the reference against the checks, and a
student's code graded against the draft — all with the same code students get (the Markdown
renderer, the kinds, the grader), never a look-alike.

Grading here is synchronous: it is staff-only, one question at a time, bounded by the question's
own limits, and the author is waiting for the answer anyway.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from assessments.kinds import get_kind
from assessments.markdown import markdown_render
from courses.models import Course
from django.utils.safestring import SafeString
from submissions.grading import executor_get

from authoring.drafts import QuestionDraft, spec_yaml_parse
from authoring.errors import AuthoringError
from authoring.services import question_draft_stage
from authoring.storage import bundle_storage_dir, staging_dir
from grader.api import grade_code
from grader.question import code_question_from_source
from grader.result import GradeResult

PREVIEW_SEED = 0  # the numbers an author sees in the preview; students get their own draws
MAX_PREVIEW_CHARS = 50_000


def prompt_preview(*, text: str, kind: str, spec_yaml: str) -> SafeString:
    """The prompt exactly as a student would see it, with one sample draw of the variables."""
    if len(text) > MAX_PREVIEW_CHARS:
        raise AuthoringError(f"the prompt is longer than {MAX_PREVIEW_CHARS:,} characters")
    variables: dict[str, int | float] = {}
    try:
        question_kind = get_kind(kind)
        spec = spec_yaml_parse(spec_yaml)
        variables = question_kind.variant(spec, PREVIEW_SEED)
    except Exception:  # noqa: BLE001 - a half-typed spec must not stop the preview; the save reports it
        question_kind = None
    rendered = question_kind.render_prompt(text, variables) if question_kind else text
    return markdown_render(rendered)


@dataclass
class TryResult:
    result: GradeResult
    public: dict[str, Any]  # what the student would see (hidden checks without details)


def _staged_grade(*, course: Course, bundle_slug: str, draft: QuestionDraft, code: str | None,
                  lang: str) -> TryResult:
    if draft.kind != "code":
        raise AuthoringError("only code questions are graded by the grader")
    original = bundle_storage_dir(course=course, slug=bundle_slug) / "questions" / draft.slug
    with staging_dir(course=course) as scratch:
        source = question_draft_stage(draft=draft, original_dir=original, scratch=scratch)
        question = code_question_from_source(source)
        result = grade_code(question, question.reference if code is None else code, seed=PREVIEW_SEED,
                            executor=executor_get(), lang=lang)
    return TryResult(result=result, public=result.public_dict())


def reference_run(*, course: Course, bundle_slug: str, draft: QuestionDraft, lang: str) -> TryResult:
    """Like ``python -m grader check-references`` for one (unsaved) draft: must reach full marks."""
    return _staged_grade(course=course, bundle_slug=bundle_slug, draft=draft, code=None, lang=lang)


def student_try(*, course: Course, bundle_slug: str, draft: QuestionDraft, code: str, lang: str) -> TryResult:
    if not code.strip():
        raise AuthoringError("paste or write some code to try first")
    return _staged_grade(course=course, bundle_slug=bundle_slug, draft=draft, code=code, lang=lang)


@dataclass
class QuizTry:
    correct: bool
    fraction: float
    feedback: str
    needs_manual: bool


def quiz_try(*, draft: QuestionDraft, data: dict[str, list[str]], lang: str) -> QuizTry:
    """Grade an answer to a quiz draft with the kind's own parse and grade (sample variables)."""
    kind = get_kind(draft.kind)
    spec = {**spec_yaml_parse(draft.spec_yaml), "kind": draft.kind, "title": draft.title,
            "points": draft.points}
    try:
        kind.validate(spec, f"questions/{draft.slug}/question.yaml")
    except Exception as error:  # noqa: BLE001 - shown to the author as is
        raise AuthoringError(str(error), form_field="spec_yaml") from None
    variables = kind.variant(spec, PREVIEW_SEED)
    from assessments.kinds import AnswerError

    try:
        answer = kind.parse_answer(data, spec)
    except AnswerError as error:
        raise AuthoringError(error.text(lang)) from None
    graded = kind.grade(spec, variables, answer, lang)
    return QuizTry(correct=graded.correct, fraction=graded.fraction, feedback=graded.feedback,
                   needs_manual=graded.needs_manual)


def quiz_public_spec(*, spec_yaml: str, kind: str, lang: str) -> dict[str, Any] | None:
    """The answer form's data for a quiz draft, or None when the spec does not validate yet."""
    try:
        question_kind = get_kind(kind)
        spec = {**spec_yaml_parse(spec_yaml), "kind": kind}
        question_kind.validate(spec, "question.yaml")
        variables = question_kind.variant(spec, PREVIEW_SEED)
        return question_kind.public_spec(spec, variables, lang, PREVIEW_SEED)
    except Exception:  # noqa: BLE001 - the editor shows the validation error elsewhere
        return None

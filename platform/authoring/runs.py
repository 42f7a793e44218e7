"""Trying a draft before publishing: the prompt preview, the reference against the checks, and a
student's code graded against the draft — all with the same code students get (the Markdown
renderer, the kinds, the grader), never a look-alike.

Code is never run here: the web process validates the draft and stores it as an authoring run,
which a worker grades (``authoring.worker``) like any submission; the page polls the run.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from assessments.markdown import markdown_render
from core.jobs import job_enqueue_on_commit
from courses.models import Course
from django.db import transaction
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from submissions.feedback import result_visible

from authoring.drafts import QuestionDraft, spec_yaml_parse
from authoring.errors import AuthoringError
from authoring.jobs import AUTHORING_RUNS
from authoring.models import AuthoringRun
from authoring.services import question_draft_stage
from authoring.storage import bundle_storage_dir, staging_dir
from grader.question import code_question_from_source
from kinds import get_kind

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


MAX_TRY_CODE_BYTES = 64 * 1024


def authoring_run_start(*, course: Course, user: Any, bundle_slug: str, draft: QuestionDraft,
                        action: str, code: str = "", lang: str) -> AuthoringRun:
    """Validate the draft like the loader does, store it with the code to try, and hand it to the
    workers after commit. ``AuthoringError`` for a draft that does not validate."""
    if draft.kind != "code":
        raise AuthoringError("only code questions are graded by the grader")
    if action == AuthoringRun.Action.TRY:
        if not code.strip():
            raise AuthoringError("paste or write some code to try first", form_field="student_code")
        if len(code.encode("utf-8", errors="surrogatepass")) > MAX_TRY_CODE_BYTES:
            raise AuthoringError(f"the code to try is longer than {MAX_TRY_CODE_BYTES:,} bytes",
                                 form_field="student_code")
    elif action != AuthoringRun.Action.REFERENCE:
        raise AuthoringError("unknown action")
    original = bundle_storage_dir(course=course, slug=bundle_slug) / "questions" / draft.slug
    with staging_dir(course=course) as scratch:
        source = question_draft_stage(draft=draft, original_dir=original, scratch=scratch)
        code_question_from_source(source)  # parses and checks the spec; runs nothing
    stored = {"slug": source.slug, "kind": source.kind, "spec": source.spec, "prompts": source.prompts,
              "files": source.files}
    try:
        text = json.dumps(stored, sort_keys=True, allow_nan=False)
    except (TypeError, ValueError):
        raise AuthoringError("question.yaml: use plain YAML values (text, numbers, lists, mappings)",
                             form_field="spec_yaml") from None
    stored["content_hash"] = hashlib.sha256(text.encode("utf-8", errors="surrogatepass")).hexdigest()
    with transaction.atomic():
        run = AuthoringRun.objects.create(
            course=course, created_by=user, bundle_slug=bundle_slug, action=action, source=stored,
            code=code if action == AuthoringRun.Action.TRY else "", lang=lang,
        )
        job_enqueue_on_commit(AUTHORING_RUNS, [run.pk])
    return run


def authoring_run_get(*, course: Course, run_id: int) -> AuthoringRun:
    return AuthoringRun.objects.get(course=course, pk=run_id)


@dataclass
class RunView:
    """What the page shows of a run: its status, and once done the result as a student (``try``)
    or as staff (``reference``) would see it."""

    status: str
    final: bool
    shown: dict[str, Any] | None  # the stored verdict as this view may show it (None until done)
    student_view: bool
    error: str


def authoring_run_view(run: AuthoringRun) -> RunView:
    student_view = run.action == AuthoringRun.Action.TRY
    shown = None
    if run.status == AuthoringRun.Status.DONE and run.result:
        shown = result_visible(run.result, reveal_hidden=not student_view)
    return RunView(status=run.status, final=run.status in AuthoringRun.FINAL, shown=shown,
                   student_view=student_view, error=_(run.error_message) if run.error_message else "")


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
    from kinds import AnswerError

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

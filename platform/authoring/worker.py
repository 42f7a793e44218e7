"""The worker's side of an authoring run: grade the stored draft with the same grader, executor
and limits as students' submissions, then store the verdict on the row."""

from __future__ import annotations

import logging
from pathlib import Path

from celery.exceptions import SoftTimeLimitExceeded
from core.executor import code_question_cached, executor_get
from core.jobs import job_claim, job_finish, job_retry_later
from django.utils import timezone
from django.utils.translation import gettext_noop

from authoring.jobs import AUTHORING_RUNS
from authoring.models import AuthoringRun
from grader.api import grade_code
from grader.bundle import QuestionSource
from grader.errors import GraderUnavailable

logger = logging.getLogger(__name__)
PREVIEW_SEED = 0  # the numbers an author sees; students get their own draws
S = AuthoringRun.Status
GRADER_UNAVAILABLE = gettext_noop("The grading service is unavailable; try again in a minute.")


def source_from_row(data: dict) -> QuestionSource:  # type: ignore[type-arg]
    return QuestionSource(
        slug=str(data["slug"]), kind=str(data["kind"]), spec=dict(data["spec"]), dir=Path("."),
        prompts=dict(data["prompts"]), files=dict(data["files"]), content_hash=str(data["content_hash"]),
    )


def authoring_run_grade(*, run_id: int, worker: str) -> str:
    """Claim, grade, store. Returns what happened (for logs and tests)."""
    if not job_claim(AUTHORING_RUNS, run_id, worker=worker):
        return "not_claimed"
    run = AuthoringRun.objects.get(id=run_id)
    try:
        source = source_from_row(run.source)
        question = code_question_cached(f"draft:{source.content_hash}", lambda: source)
        code = run.code if run.action == AuthoringRun.Action.TRY else question.reference
        result = grade_code(question, code, seed=PREVIEW_SEED, executor=executor_get(), lang=run.lang)
    except (GraderUnavailable, SoftTimeLimitExceeded) as error:
        logger.warning("sandbox unavailable for authoring run %s (%s)", run_id, error)
        if job_retry_later(AUTHORING_RUNS, run_id, worker=run.worker, failures=run.tries + 1,
                           message=GRADER_UNAVAILABLE):
            return "requeued"
        return "failed"
    except Exception as error:
        logger.exception("authoring run %s failed", run_id)
        job_finish(AUTHORING_RUNS, run_id, worker=run.worker, status=S.ERROR, finished_at=timezone.now(),
                   error_message=f"{type(error).__name__}: {error}"[:2000])
        return "failed"
    job_finish(AUTHORING_RUNS, run_id, worker=run.worker, status=S.DONE, finished_at=timezone.now(),
               result=result.to_dict())
    return "done"

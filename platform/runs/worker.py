"""The worker's side of a run: claim the row, run the code and the scratch cell with the grader
(``grader.run.run_code``) against the question's public examples, store the result on the row.
Only workers of the ``run`` queue call this; the web process never runs code."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import Any

from celery.exceptions import SoftTimeLimitExceeded
from core.executor import code_question_cached, executor_get
from core.jobs import job_claim, job_finish, job_retry_later
from django.core.cache import cache
from django.utils import timezone
from django.utils.translation import gettext_noop

from grader.errors import GraderUnavailable
from grader.sanitize import json_safe
from runs.crosscheck import crosscheck_attach, crosscheck_inputs
from runs.jobs import CODE_RUNS
from runs.models import CodeRun

logger = logging.getLogger(__name__)
S = CodeRun.Status
MAX_OUTPUT_CHARS = 64 * 1024
MAX_RESULT_BYTES = 1024 * 1024
EXPECTED_CACHE_SECONDS = 24 * 3600
RUNNER_UNAVAILABLE = gettext_noop("The runner is unavailable; press Run again in a minute.")
RUN_FAILED = gettext_noop("The run could not be completed; staff have been notified.")
TOO_LARGE = gettext_noop("The run returned more than can be shown; print less, or smaller arrays.")


def grader_functions() -> tuple[Callable[..., dict[str, Any]], Callable[..., dict[str, Any]]]:
    """``(run_code, expected_examples)`` of ``grader.run``: imported when a run starts, so the
    site loads whatever the grader offers (and tests can stand in for it)."""
    from grader.run import expected_examples, run_code

    return run_code, expected_examples


def runner_executor() -> Any:
    """The worker's executor: ``core.executor.executor_get()``, whose ``None`` means the zygote
    sandbox (which ``grader.api`` resolves itself, but ``grader.run`` expects given)."""
    executor = executor_get()
    if executor is None:
        from grader.sandbox import default_executor

        executor = default_executor()
    return executor


def expected_cached(question: Any, *, executor: Any, expected_examples: Callable[..., dict[str, Any]]) -> dict[str, Any]:
    """The reference results of the question's public examples: the same for every student, so
    computed once per content hash (shared by every worker when the cache is Redis)."""
    key = f"runs:expected:{question.content_hash}"
    try:
        cached = cache.get(key)
    except Exception:  # noqa: BLE001 - a cache outage costs one reference run, nothing more
        cached = None
    if isinstance(cached, dict):
        return cached
    expected = json_safe(expected_examples(question, executor=executor))
    try:
        cache.set(key, expected, timeout=EXPECTED_CACHE_SECONDS)
    except Exception:  # noqa: BLE001
        logger.warning("could not cache the expected examples of %s", question.content_hash, exc_info=True)
    return expected


def run_execute(*, run_id: int, worker: str) -> str:
    """Claim, run, store. Returns what happened (for logs and tests)."""
    if not job_claim(CODE_RUNS, run_id, worker=worker):
        return "not_claimed"
    run = CodeRun.objects.select_related("version__question").filter(id=run_id).first()
    if run is None:  # purged meanwhile (the student ran again many times)
        return "gone"
    try:
        run_code, expected_examples = grader_functions()
        version = run.version
        question = code_question_cached(version.content_hash, version.as_source)
        executor = runner_executor()
        try:
            expected = expected_cached(question, executor=executor, expected_examples=expected_examples)
        except Exception as error:  # noqa: BLE001 - run_code computes them itself, or shows none
            logger.warning("expected examples of run %s unavailable (%s)", run_id, error)
            expected = None
        crosschecks = crosscheck_inputs(user_id=run.user_id, question=version.question, code_question=question)
        extra = {"crosschecks": crosschecks.args} if crosschecks.args else {}
        result = run_code(question, run.code, run.scratch, executor=executor, seed=run.seed, expected=expected,
                          **extra)
        crosscheck_attach(result, crosschecks)
    except (GraderUnavailable, SoftTimeLimitExceeded) as error:
        logger.warning("sandbox unavailable for run %s (%s)", run_id, error)
        if job_retry_later(CODE_RUNS, run_id, worker=run.worker, failures=run.tries + 1, message=RUNNER_UNAVAILABLE):
            return "requeued"
        return "failed"
    except Exception:
        logger.exception("run %s failed", run_id)
        job_finish(CODE_RUNS, run_id, worker=run.worker, status=S.ERROR, finished_at=timezone.now(),
                   error_message=RUN_FAILED)
        return "failed"
    stored = result_storable(result)
    if stored is None:
        job_finish(CODE_RUNS, run_id, worker=run.worker, status=S.ERROR, finished_at=timezone.now(),
                   error_message=TOO_LARGE)
        return "failed"
    job_finish(CODE_RUNS, run_id, worker=run.worker, status=S.DONE, finished_at=timezone.now(), result=stored)
    return "done"


def result_storable(result: object) -> dict[str, Any] | None:
    """The result as stored: sanitised (no NaN/inf, NUL, lone surrogates), the output capped;
    None when it is still too large for a row."""
    data = json_safe(result)
    if not isinstance(data, dict):
        return None
    output = data.get("output")
    if isinstance(output, str) and len(output) > MAX_OUTPUT_CHARS:
        data["output"] = output[:MAX_OUTPUT_CHARS]
        data["output_truncated"] = True
    if len(json.dumps(data, allow_nan=False)) > MAX_RESULT_BYTES:
        return None
    return data

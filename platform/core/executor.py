"""The worker's side of running student code: which executor runs jobs, and validated code
questions cached per content hash (parsed once per worker, not once per job).

Only Celery workers call this: the web process never runs student code (``GRADER_EXECUTOR`` is
read here, and the web's pages and buttons hand every run to a job, ``core.jobs``)."""

from __future__ import annotations

import threading
from collections.abc import Callable

from django.conf import settings

from grader.bundle import QuestionSource
from grader.job import Executor
from grader.question import CodeQuestion, code_question_from_source

_questions: dict[str, CodeQuestion] = {}
_lock = threading.Lock()
_inprocess: Executor | None = None
MAX_CACHED_QUESTIONS = 256


def executor_get() -> Executor | None:
    """``None`` means grader.sandbox.default_executor() (the zygote), resolved by grader.api."""
    global _inprocess
    if settings.GRADER_EXECUTOR == "inprocess":
        with _lock:
            if _inprocess is None:
                from grader.harness.inprocess import InProcessExecutor

                _inprocess = InProcessExecutor()
            return _inprocess
    return None


def executor_warm() -> None:
    if settings.GRADER_EXECUTOR == "sandbox":
        from grader.sandbox import default_executor

        default_executor()
    else:
        executor_get()


def code_question_cached(content_hash: str, source: Callable[[], QuestionSource]) -> CodeQuestion:
    """The question of this content, parsed once (``source`` is called only on a miss)."""
    with _lock:
        cached = _questions.get(content_hash)
    if cached is not None:
        return cached
    question = code_question_from_source(source())
    with _lock:
        if len(_questions) >= MAX_CACHED_QUESTIONS:
            _questions.pop(next(iter(_questions)))
        _questions[content_hash] = question
    return question

"""The worker's side of grading: which executor runs jobs, and validated questions cached per
content hash (parsing a question once per worker, not once per submission)."""

from __future__ import annotations

import threading

from assessments.models import QuestionVersion
from django.conf import settings

from grader.job import Executor
from grader.question import CodeQuestion, code_question_from_source

_questions: dict[str, CodeQuestion] = {}
_lock = threading.Lock()
_inprocess: Executor | None = None


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


def code_question_get(version: QuestionVersion) -> CodeQuestion:
    with _lock:
        cached = _questions.get(version.content_hash)
    if cached is not None:
        return cached
    question = code_question_from_source(version.as_source())
    with _lock:
        _questions[version.content_hash] = question
    return question

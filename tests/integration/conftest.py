"""Integration tests run a real redis-server and a real Celery worker (tests/stack.py) that grades
in the real sandbox; they are skipped, with the reason, where the sandbox cannot run."""

from __future__ import annotations

import pytest

from tests.stack import (  # noqa: F401 (fixtures)
    celery_worker_proc,
    redis_server,
    redis_url,
    worker_jobs_settled,
)


def _sandbox_or_skip() -> None:
    try:
        from grader.sandbox import sandbox_available
    except ImportError as error:
        pytest.skip(f"grader.sandbox is not importable: {error}")
    available, reason = sandbox_available()
    if not available:
        pytest.skip(f"the grading sandbox cannot run here: {reason}")


@pytest.fixture(autouse=True)
def sandbox_required() -> None:
    _sandbox_or_skip()

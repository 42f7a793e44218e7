"""Fault injection against the real pipeline: a private redis-server and real Celery worker
subprocesses (tests/stack.py) grading the chapter 7 ``convolution`` question in the real sandbox.

Each test owns its Redis and its workers (it kills or restarts them), so nothing here disturbs the
session-wide ones other tests use. Skipped, with the reason, where the sandbox cannot run.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.stack import RedisServer, celery_use_broker, start_worker, stop_worker, worker_env


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if Path(str(item.fspath)).parent == here:
            item.add_marker(pytest.mark.integration)
            item.add_marker(pytest.mark.timeout(150))


@pytest.fixture(autouse=True)
def sandbox_required() -> None:
    try:
        from grader.sandbox import sandbox_available
    except ImportError as error:
        pytest.skip(f"grader.sandbox is not importable: {error}")
    available, reason = sandbox_available()
    if not available:
        pytest.skip(f"the grading sandbox cannot run here: {reason}")


@dataclass
class Stack:
    """A Redis and any number of workers for one test; everything is stopped at the end."""

    directory: Path
    database_name: str
    redis: RedisServer
    workers: list[subprocess.Popen[bytes]] = field(default_factory=list)

    def worker_start(self, **extra_env: str) -> subprocess.Popen[bytes]:
        env = worker_env(database_name=self.database_name, broker_url=self.redis.url, executor="sandbox")
        env.update(GRADER_SLOTS="2", WORKER_HEARTBEAT_SECONDS="1", **extra_env)
        log = self.directory / f"worker-{len(self.workers)}.log"
        proc = start_worker(env=env, log_path=log)
        self.workers.append(proc)
        return proc

    def worker_sigkill(self, proc: subprocess.Popen[bytes]) -> None:
        """SIGKILL the worker process only (as the OOM killer would); its zygotes die with it
        (PR_SET_PDEATHSIG), nothing gets a chance to clean up or acknowledge."""
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(10)

    def stop(self) -> None:
        for proc in self.workers:
            with contextlib.suppress(ProcessLookupError):
                stop_worker(proc)
        self.redis.stop()


@pytest.fixture
def stack(transactional_db: None, settings, tmp_path: Path) -> Iterator[Stack]:  # type: ignore[no-untyped-def]
    from config.celery import app
    from django.db import connection

    database_name = str(connection.settings_dict["NAME"])
    if connection.vendor == "sqlite" and (database_name == ":memory:" or "mode=memory" in database_name):
        pytest.skip("the worker subprocesses need a file-based test database (or PostgreSQL)")
    redis = RedisServer(tmp_path / "redis")
    redis.start()
    previous_broker = app.conf.broker_url
    celery_use_broker(redis.url)  # submission_create and the sweeper publish here
    settings.REDIS_URL = redis.url  # /healthz reads heartbeats here
    # "Short settings" for the sweeper this test runs by hand: jobs here take < 3 s.
    settings.SWEEP_QUEUED_AFTER_SECONDS = 3
    settings.SWEEP_RUNNING_AFTER_SECONDS = 8
    settings.SUBMIT_RATE_PER_MINUTE = 1000
    current = Stack(directory=tmp_path, database_name=database_name, redis=redis)
    try:
        yield current
    finally:
        current.stop()
        celery_use_broker(previous_broker)

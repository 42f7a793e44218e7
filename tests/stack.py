"""Real services for tests: a private redis-server and a real Celery worker subprocess.

Use from any test package's ``conftest.py``::

    from tests.stack import (  # noqa: F401 (fixtures)
        celery_worker_proc, redis_server, redis_url, worker_jobs_settled,
    )

- ``redis_server`` (session): a ``RedisServer`` on a free port with its files in a tmp dir;
  ``.stop()`` / ``.start()`` restart it on the same port (to test a Redis outage).
- ``redis_url`` (session): its URL. Also points this process's Celery app (the one
  ``submission_create`` publishes with) at it.
- ``celery_worker_proc`` (session): ``celery -A config worker --pool threads`` (queues
  ``grading,celery``) running against the pytest-django test database (a SQLite file, see
  settings ``DATABASES["default"]["TEST"]``, or the ``test_*`` database on the PostgreSQL that
  ``DATABASE_URL`` names, see ``scripts/postgres.sh``) and ``redis_url``; waits until the worker answers
  a ping, yields the ``Popen`` (its log is at ``proc.log_path``), terminates it afterwards.
  The worker grades with ``GRADER_EXECUTOR`` from the environment variable
  ``TEST_GRADER_EXECUTOR`` (default ``sandbox``; ``inprocess`` only for tests of the browser
  flow that do not care about isolation).

- ``worker_jobs_settled`` (autouse where imported): a test using the worker and a committed
  database ends only once the worker has let go of its rows and has no task due in the broker
  (see ``wait_for_worker_jobs``).

Tests that let the worker see their rows must commit them: use ``transactional_db`` (or
``live_server``, which implies it), never the plain ``db`` fixture.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest

ROOT = Path(__file__).resolve().parents[1]
PLATFORM = ROOT / "platform"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _pings(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


class RedisServer:
    """A redis-server we own: no persistence, its own port and directory."""

    def __init__(self, directory: Path, port: int | None = None) -> None:
        self.directory = directory
        self.port = port or free_port()
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self, timeout: float = 10) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            pytest.skip("redis-server is not installed (scripts/setup.sh installs it)")
        self.directory.mkdir(parents=True, exist_ok=True)
        self.proc = subprocess.Popen(
            [binary, "--port", str(self.port), "--bind", "127.0.0.1", "--dir", str(self.directory),
             "--save", "", "--appendonly", "no", "--daemonize", "no"],
            stdout=open(self.directory / "redis.log", "ab"), stderr=subprocess.STDOUT,  # noqa: SIM115
        )
        deadline = time.monotonic() + timeout
        while not _pings(self.port):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"redis-server did not start; see {self.directory / 'redis.log'}")
            time.sleep(0.05)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None


def celery_use_broker(url: str) -> None:
    """Point this process's Celery app at ``url`` (drops connections made to the old one)."""
    from config.celery import app
    from kombu import pools

    app.conf.broker_url = url
    pools.reset()  # closes and forgets kombu's process-wide connection/producer pools
    app._after_fork()  # forgets the app's references to them
    with contextlib.suppress(AttributeError):  # not cached yet
        del app.control.mailbox.producer_pool  # the control mailbox caches its own (for pings)


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    server = RedisServer(tmp_path_factory.mktemp("redis"))
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def redis_url(redis_server: RedisServer) -> str:
    from django.conf import settings

    settings.REDIS_URL = redis_server.url
    celery_use_broker(redis_server.url)
    return redis_server.url


def database_url(database_name: str) -> str:
    """The URL a subprocess uses to reach ``database_name`` on this process's database server:
    a SQLite file, or a database of the same PostgreSQL (same host, port, user)."""
    from django.db import connection

    if connection.vendor == "sqlite":
        return f"sqlite:///{database_name}"
    if connection.vendor != "postgresql":
        raise RuntimeError(f"no worker URL for a {connection.vendor} database")
    conf = connection.settings_dict
    user = quote(conf["USER"] or "", safe="")
    password = f":{quote(conf['PASSWORD'], safe='')}" if conf["PASSWORD"] else ""
    credentials = f"{user}{password}@" if user else ""
    host = quote(conf["HOST"] or "", safe="")  # a unix-socket directory becomes %2Fpath
    port = f":{conf['PORT']}" if conf["PORT"] else ""
    return f"postgres://{credentials}{host}{port}/{quote(database_name, safe='')}"


def worker_database_problem() -> str | None:
    """Why a worker subprocess cannot share this test database, or None when it can."""
    from django.db import connection

    name = str(connection.settings_dict["NAME"])
    if connection.vendor == "sqlite" and (name == ":memory:" or "mode=memory" in name):
        return "the worker subprocess needs a file-based test database"
    if connection.vendor not in ("sqlite", "postgresql"):
        return f"the worker subprocess cannot share a {connection.vendor} test database"
    return None


def worker_env(*, database_name: str, broker_url: str, executor: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("PYTEST_")}
    env.update({
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": database_url(database_name),
        "REDIS_URL": broker_url,
        "GRADER_EXECUTOR": executor,
        "GRADER_SLOTS": env.get("GRADER_SLOTS", "2"),
        "PYTHONPATH": os.pathsep.join([str(PLATFORM), str(ROOT)]),
        "PYTHONUNBUFFERED": "1",
        # follow-up work right after its grading, as the tests wait for gradings to settle (a
        # batch still collecting would touch the database while it is flushed)
        "FINGERPRINT_BATCH_MS": "0",
    })
    return env


def start_worker(*, env: dict[str, str], log_path: Path, timeout: float = 90,
                 queues: str = "grading,celery,run") -> subprocess.Popen[bytes]:
    name = f"test-{uuid.uuid4().hex[:8]}@%h"
    command = [
        str(Path(sys.executable).with_name("celery")), "-A", "config", "worker", "--pool", "threads",
        "--concurrency", env["GRADER_SLOTS"], "-Q", queues, "-n", name, "--loglevel", "INFO",
        "--without-gossip", "--without-mingle",
    ]
    log = open(log_path, "ab")  # noqa: SIM115 - kept open for the worker's lifetime
    proc = subprocess.Popen(command, cwd=PLATFORM, env=env, stdout=log, stderr=subprocess.STDOUT,
                            start_new_session=True)
    proc.log_path = log_path  # type: ignore[attr-defined]
    deadline = time.monotonic() + timeout
    while b" ready." not in log_path.read_bytes():
        if proc.poll() is not None or time.monotonic() > deadline:
            stop_worker(proc)
            raise RuntimeError(f"the Celery worker did not start:\n{log_path.read_text()[-3000:]}")
        time.sleep(0.1)
    return proc


def stop_worker(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.terminate()  # warm shutdown: finishes the current job
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, 9)
            proc.wait()


@pytest.fixture(scope="session")
def celery_worker_proc(
    redis_url: str, django_db_setup: None, django_db_blocker: object, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[subprocess.Popen[bytes]]:
    from django.db import connection

    database_name = str(connection.settings_dict["NAME"])
    reason = worker_database_problem()
    if reason:
        pytest.skip(reason)
    env = worker_env(
        database_name=database_name, broker_url=redis_url,
        executor=os.environ.get("TEST_GRADER_EXECUTOR", "sandbox"),
    )
    proc = start_worker(env=env, log_path=tmp_path_factory.mktemp("celery") / "worker.log")
    yield proc
    stop_worker(proc)


def _broker_busy() -> bool:
    """Whether the broker still holds a task the worker will run now: one waiting in a queue, or
    one taken and not yet acknowledged (tasks acknowledge late, so that is one being run) unless
    it is due later (a countdown). A follow-up task (a reference window's refill, a fingerprint
    batch) has no job row but touches the database all the same. False when the broker is down."""
    import json

    import redis
    from config.celery import app
    from core.queues import GRADING_WORKER_QUEUES, RUN_QUEUE

    client = redis.Redis.from_url(app.conf.broker_url, socket_timeout=1, socket_connect_timeout=1)
    try:
        if any(client.llen(queue) for queue in (*GRADING_WORKER_QUEUES, RUN_QUEUE)):
            return True
        soon = time.time() + 1
        for raw in client.hvals("unacked"):
            eta = json.loads(raw)[0].get("headers", {}).get("eta")
            if eta is None or _timestamp(eta) <= soon:
                return True
        return False
    except redis.RedisError:
        return False
    finally:
        client.close()


def _timestamp(iso: str) -> float:
    from datetime import datetime

    return datetime.fromisoformat(iso).timestamp()


def wait_for_worker_jobs(timeout: float = 10) -> bool:
    """Wait until the worker has nothing to do with the database: no job row ``running``, or
    ``queued`` and already sent, and no task in the broker due now (see ``_broker_busy``). True
    when that happened within ``timeout``.

    Rows never sent (a broker outage under test) or queued for a later retry do not count: the
    worker does not touch them before the test ends."""
    from core.jobs import job_tables
    from django.db.models import Q
    from django.utils import timezone

    deadline = time.monotonic() + timeout
    while True:
        now = timezone.now()
        busy = any(
            table.rows.filter(
                Q(status=table.running) | Q(status=table.queued, enqueued_at__lte=now)
            ).exists()
            for table in job_tables()
        ) or _broker_busy()
        if not busy:
            return True
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)


@pytest.fixture(autouse=True)
def worker_jobs_settled(request: pytest.FixtureRequest) -> Iterator[None]:
    """A test that shares its database with the worker subprocess ends only once the worker has
    let go of its rows: the database flush after the test must not race a claim or a finish (on
    PostgreSQL, TRUNCATE against a worker's row locks is a deadlock)."""
    names = request.fixturenames
    if "celery_worker_proc" not in names or not ({"transactional_db", "live_server"} & set(names)):
        yield
        return
    request.getfixturevalue("transactional_db")  # set up before this fixture, so flushed after it
    _flush_retries_deadlocks()
    yield
    wait_for_worker_jobs()


def _flush_retries_deadlocks() -> None:
    """The flush after a test that shared its database with the worker is tried again when
    PostgreSQL picked it as a deadlock's victim: a task the broker handed over just after the
    wait above (beat's sweep, a follow-up) may still hold row locks while TRUNCATE asks for the
    whole tables; the retry comes once that transaction has ended. Installed once per process."""
    from django.core.management.commands import flush

    handle = flush.Command.handle
    if getattr(handle, "retries_deadlocks", False):
        return

    def handle_retrying(self, *args, **options):  # type: ignore[no-untyped-def]
        for attempt in range(4):
            try:
                return handle(self, *args, **options)
            except Exception as error:  # flush wraps the database error in a CommandError
                if "deadlock detected" not in str(error.__cause__ or error) or attempt == 3:
                    raise
                time.sleep(0.2 * (attempt + 1))
        return None

    handle_retrying.retries_deadlocks = True  # type: ignore[attr-defined]
    flush.Command.handle = handle_retrying

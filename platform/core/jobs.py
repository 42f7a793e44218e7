"""The one job pipeline: every row a Celery worker must process — a code submission, a regrade
item, an authoring run, an LTI grade passback — goes through these functions.

A job is a database row with a status; the row, not the broker, is the truth:

- **enqueue on commit**: the task is sent after the row's transaction commits; a broker that
  cannot be reached only delays the job (``enqueued_at`` stays empty and the sweeper sends it);
- **claim**: compare-and-swap ``queued -> running``: exactly one worker wins, a redelivered or
  duplicated task finds the row taken and does nothing;
- **finish**: guarded by the claim (status ``running`` and the same worker), so a row the
  sweeper released meanwhile is never written twice;
- **retry later**: a temporary failure (sandbox unavailable, LMS answering 503) puts the row back
  in the queue with exponential backoff, and ends it when the tries are used up;
- **sweep**: rows ``running`` for longer than any job may take, or claimed by a worker whose
  heartbeat stopped, are released (and end after ``max_releases``); rows ``queued`` but not sent
  recently are sent again.

Each table describes itself with a ``JobTable``; the retry policy of every table lives in one
setting, ``JOB_RETRY_POLICIES``.
"""

from __future__ import annotations

import logging
import socket
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from config.health import workers_alive
from django.conf import settings
from django.db import transaction
from django.db.models import F, Model, Q
from django.utils import timezone
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class RetryPolicy:
    max_tries: int  # temporary failures before the row ends (the last try's outcome stands)
    first_delay: float  # seconds before the first retry; doubles with each failure
    max_delay: float
    max_releases: int  # times a row may be lost by its worker before it ends

    def delay(self, failures: int) -> float:
        return float(min(self.max_delay, self.first_delay * 2 ** max(0, failures - 1)))


def retry_policy(name: str) -> RetryPolicy:
    return RetryPolicy(**settings.JOB_RETRY_POLICIES[name])


@dataclass(frozen=True)
class JobTable:
    """How one model is a job queue. Field names are the model's own."""

    model: type[Model]
    task: str  # dotted path of the Celery task taking the row id
    queue: str
    policy: str  # key of settings.JOB_RETRY_POLICIES
    lost_message: str  # why a row lost by its worker too often ended (stored in English, translatable)
    queued: str = "queued"
    running: str = "running"
    tries_field: str = "tries"
    releases_field: str = "releases"
    # A row never sent is left alone this long after it was created (its on-commit send may be
    # under way); without a creation time it is sent at the next sweep.
    created_field: str | None = "created_at"
    # Only rows matching this take part in sweeps (e.g. items of runs still running).
    sweep_scope: Q = field(default_factory=Q)
    # Ends rows for good (tries or releases used up): ``end(ids, message)``; the table's owner
    # decides what ``ended`` means for it (status error, failed, ...). Must be guarded by status.
    end: Callable[[list[int], str], None] | None = None

    @property
    def rows(self) -> Any:
        return self.model._default_manager  # type: ignore[attr-defined]

    def retry(self) -> RetryPolicy:
        return retry_policy(self.policy)


def worker_name(hostname: str | None) -> str:
    """Who holds a claim: the Celery worker's name (what its heartbeat announces) and the thread."""
    return f"{hostname or socket.gethostname()}/{threading.get_ident()}"


def job_enqueue(table: JobTable, pk: int, *, countdown: float = 0, marked: bool = False) -> bool:
    """Send the row's task. False (the row waits for the sweeper) when the broker cannot be
    reached: the job is never lost, only delayed.

    ``marked``: the row was written with ``enqueued_at`` already set (``job_enqueue_on_commit(...,
    marked=True)``), which saves a write per job; only a failed send writes (``enqueued_at``
    back to NULL, so the row reads "never sent" exactly as an unmarked one would)."""
    try:
        import_string(table.task).apply_async(args=[pk], queue=table.queue, countdown=countdown or None)
    except Exception:
        logger.warning("could not enqueue %s %s; the sweeper will send it", table.model.__name__, pk, exc_info=True)
        if marked:
            table.rows.filter(pk=pk, status=table.queued).update(enqueued_at=None)
        return False
    if not marked:
        table.rows.filter(pk=pk, status=table.queued).update(enqueued_at=timezone.now() + timedelta(seconds=countdown))
    return True


@dataclass
class Sent:
    """Filled in after commit: whether every task of an ``job_enqueue_on_commit`` reached the broker."""

    ok: bool = True


def job_enqueue_on_commit(table: JobTable, pks: Iterable[int], *, marked: bool = False) -> Sent:
    """Send the rows' tasks once the transaction commits. ``marked``: the caller wrote the rows
    with ``enqueued_at`` set (the time of the send, a few milliseconds early), so a successful
    send costs no further write; rows whose send fails get ``enqueued_at = NULL`` back."""
    ids = list(pks)
    sent = Sent()

    def send() -> None:
        for index, pk in enumerate(ids):
            if not job_enqueue(table, pk, marked=marked):
                sent.ok = False
                if marked and ids[index + 1:]:  # the broker is down: the rest were never sent either
                    table.rows.filter(pk__in=ids[index + 1:], status=table.queued).update(enqueued_at=None)
                break  # the broker is down: no point waiting for its timeout once per row

    transaction.on_commit(send)
    return sent


def job_claim(table: JobTable, pk: int, *, worker: str) -> bool:
    """Compare-and-swap queued -> running: exactly one caller wins."""
    return table.rows.filter(pk=pk, status=table.queued).update(
        status=table.running, claimed_at=timezone.now(), worker=worker[:200]
    ) == 1


def job_finish(table: JobTable, pk: int, *, worker: str, status: str, **fields: object) -> bool:
    """Write the outcome, only if this worker still holds the claim."""
    return bool(table.rows.filter(pk=pk, status=table.running, worker=worker[:200]).update(status=status, **fields))


def job_retry_later(table: JobTable, pk: int, *, worker: str, failures: int, message: str) -> bool:
    """A temporary failure: back to the queue after a backoff. Returns False when the tries are
    used up — the row has then been ended with ``message``."""
    policy = table.retry()
    if failures >= policy.max_tries:
        table.rows.filter(pk=pk, status=table.running, worker=worker[:200]).update(**{table.tries_field: failures})
        if table.end is not None:
            table.end([pk], message)
        return False
    delay = policy.delay(failures)
    released = table.rows.filter(pk=pk, status=table.running, worker=worker[:200]).update(
        status=table.queued, claimed_at=None, worker="", enqueued_at=timezone.now() + timedelta(seconds=delay),
        **{table.tries_field: failures},
    )
    if released:
        job_enqueue(table, pk, countdown=delay)
    return True


def job_sweep(table: JobTable, *, now: datetime | None = None) -> list[int]:
    """Send again what evidently got lost. Safe to run anywhere, any number of times."""
    now = now or timezone.now()
    policy = table.retry()
    released = []
    for pk, claimed_at, releases in _lost_running_rows(table, now):
        lost = table.rows.filter(pk=pk, status=table.running, claimed_at=claimed_at)
        if releases >= policy.max_releases:
            # Lost this often, the row is evidently what kills its worker: it ends.
            if table.end is not None and lost.exists():
                logger.error("%s %s was lost by its worker %d times; it ends", table.model.__name__, pk, releases + 1)
                table.end([pk], table.lost_message)
            continue
        if lost.update(status=table.queued, claimed_at=None, worker="", enqueued_at=None,
                       **{table.releases_field: F(table.releases_field) + 1}):
            released.append(pk)
    cutoff = now - timedelta(seconds=settings.SWEEP_QUEUED_AFTER_SECONDS)
    never_sent = Q(enqueued_at__isnull=True)
    if table.created_field:
        never_sent &= Q(**{f"{table.created_field}__lt": cutoff})
    stale = table.rows.filter(table.sweep_scope, status=table.queued).filter(never_sent | Q(enqueued_at__lt=cutoff))
    sent = []
    for pk in sorted(set(released) | set(stale.values_list("pk", flat=True)[:500])):
        if not job_enqueue(table, pk):
            break
        sent.append(pk)
    return sent


def _lost_running_rows(table: JobTable, now: datetime) -> list[tuple[int, datetime, int]]:
    """Running rows whose worker is evidently gone: running for longer than any job may take, or
    (sooner) claimed by a worker whose heartbeat has stopped. Without Redis to ask, only the first."""
    running_cutoff = now - timedelta(seconds=settings.SWEEP_RUNNING_AFTER_SECONDS)
    dead_cutoff = now - timedelta(seconds=settings.SWEEP_DEAD_WORKER_AFTER_SECONDS)
    rows = table.rows.filter(table.sweep_scope, status=table.running, claimed_at__lt=dead_cutoff)
    candidates = list(rows.values_list("pk", "claimed_at", "worker", table.releases_field))
    alive = workers_alive() if any(claimed_at >= running_cutoff for _, claimed_at, _, _ in candidates) else None
    return [
        (pk, claimed_at, releases) for pk, claimed_at, worker, releases in candidates
        if claimed_at < running_cutoff or (alive is not None and worker.split("/")[0] not in alive)
    ]


def job_tables() -> list[JobTable]:
    """Every job table of the site (settings.JOB_TABLES): what the beat's sweep walks."""
    return [import_string(path) for path in settings.JOB_TABLES]


def jobs_sweep_all(*, now: datetime | None = None) -> dict[str, int]:
    """The beat's one sweep: each table in turn; one table's failure does not stop the others."""
    sent = {}
    for table in job_tables():
        try:
            sent[table.model.__name__] = len(job_sweep(table, now=now))
        except Exception:
            logger.exception("sweeping %s failed", table.model.__name__)
    return sent

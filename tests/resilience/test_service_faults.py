"""Redis restarts, or the database is locked, while submissions are being graded."""

from __future__ import annotations

import sqlite3
import threading
import time

import pytest
from config.health import health_report, workers_alive
from submissions.models import Submission

from tests.resilience.harness import (
    Watch,
    add_other_jobs,
    assert_recovered,
    course_with_convolution,
    settle,
    statuses,
    submit_burst,
    wait_until,
)


def test_a_redis_restart_mid_burst_loses_no_submission(stack):
    course = course_with_convolution()
    stack.worker_start()
    burst = submit_burst(course, count=30, slow=2)
    add_other_jobs(course, burst)
    wait_until(lambda: statuses(burst.ids)["graded"] >= 3, timeout=30, what="grading to be under way")
    # A crash, not a clean shutdown: this Redis keeps nothing on disk, so every task still
    # waiting in the queue is gone with it. Only the rows in the database remember them.
    stack.redis.stop()
    watch = Watch()
    during = submit_burst(course, count=4)  # students keep submitting while the queue is down
    down = Submission.objects.filter(id__in=during.ids)
    assert set(down.values_list("status", flat=True)) == {"queued"}
    assert set(down.values_list("enqueued_at", flat=True)) == {None}  # the sweeper's to send
    assert all("grading service" in message or "채점 서비스" in message for message in during.messages.values())
    watch.poll(course, burst.ids + during.ids)
    report = health_report()
    assert report["ok"] and report["status"] == "degraded" and not report["redis"]["ok"]
    time.sleep(2)
    stack.redis.start()
    burst.kinds.update(during.kinds)
    settle(course, burst, watch=watch, timeout=100)
    assert_recovered(course, burst, watch)
    # The worker reconnected by itself (its heartbeat is back in the new Redis).
    wait_until(lambda: health_report()["workers"]["count"] == 1, timeout=10, what="the worker's heartbeat")
    (alive,) = workers_alive()
    assert alive.startswith("test-") and health_report()["workers"]["slots"] == 2  # its Celery hostname


def hold_exclusive_lock(database: str, seconds: float, locked: threading.Event) -> None:
    """What a long migration or a stuck admin shell does: take the write lock and sit on it."""
    connection = sqlite3.connect(database, timeout=30, isolation_level=None)
    try:
        connection.execute("BEGIN EXCLUSIVE")
        locked.set()
        time.sleep(seconds)
        connection.execute("COMMIT")
    finally:
        connection.close()


def sqlite_only(stack) -> None:  # type: ignore[no-untyped-def]
    from django.db import connection

    if connection.vendor != "sqlite":
        pytest.skip("the lock is SQLite's whole-database write lock; PostgreSQL locks rows")


def test_a_locked_database_mid_burst_delays_grading_but_loses_nothing(stack):
    sqlite_only(stack)
    course = course_with_convolution()
    # The worker gives up on a lock after 1 s (instead of 30): the lock below makes its claims
    # and result writes fail with "database is locked", not merely wait.
    worker = stack.worker_start(DJANGO_SQLITE_TIMEOUT="1")
    burst = submit_burst(course, count=30, slow=2)
    add_other_jobs(course, burst)
    wait_until(lambda: statuses(burst.ids)["running"] >= 1, timeout=30, what="grading to be under way")
    locked = threading.Event()
    holder = threading.Thread(target=hold_exclusive_lock, args=(stack.database_name, 5.0, locked))
    holder.start()
    locked.wait(10)
    watch = Watch()
    polls_while_locked = 0
    while holder.is_alive():  # WAL: readers go on while a writer holds the lock
        watch.poll(course, burst.ids)
        polls_while_locked += 1
    holder.join()
    assert polls_while_locked >= 1 and watch.seen["running"] + watch.seen["queued"] >= 1
    log = worker.log_path.read_text()
    assert "database is locked" in log, "the fault did not reach the worker"
    settle(course, burst, timeout=100, watch=watch)
    assert_recovered(course, burst, watch)


def test_a_brief_database_outage_delays_no_result_until_the_two_minute_sweep(stack, settings):
    sqlite_only(stack)
    settings.SWEEP_QUEUED_AFTER_SECONDS = 20  # the production thresholds
    settings.SWEEP_RUNNING_AFTER_SECONDS = 120
    course = course_with_convolution()
    worker = stack.worker_start(DJANGO_SQLITE_TIMEOUT="1")
    burst = submit_burst(course, count=6, slow=2)
    slow = [pk for pk, kind in burst.kinds.items() if kind == "slow"]
    wait_until(lambda: statuses(slow)["running"] == 2, timeout=30, what="both slow jobs running")
    locked = threading.Event()
    # Both slow jobs finish grading while the lock is held: their result writes fail. (A slow job
    # sleeps once per sandbox job: twice here, for the visible and for the hidden checks.)
    holder = threading.Thread(target=hold_exclusive_lock, args=(stack.database_name, 6.0, locked))
    holder.start()
    locked.wait(10)
    holder.join()
    assert "database is locked" in worker.log_path.read_text()
    # A 6-second outage should cost the students seconds, not minutes (sweeping every second,
    # more often than beat's 30 s).
    watch = settle(course, burst, timeout=30)
    assert_recovered(course, burst, watch)

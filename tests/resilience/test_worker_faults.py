"""A worker or a zygote dies while submissions are being graded."""

from __future__ import annotations

import os
import signal
from pathlib import Path

from submissions.models import Submission

from tests.resilience.harness import (
    Watch,
    add_other_jobs,
    assert_recovered,
    course_with_convolution,
    settle,
    submit_burst,
    wait_until,
)


def running_on(worker_pid: int, ids: list[int]) -> list[int]:
    """Rows currently being graded by the worker process ``worker_pid`` (row.worker is
    ``<celery hostname>/<thread id>``; the hostname was made unique by tests/stack.py)."""
    rows = Submission.objects.filter(id__in=ids, status="running").values_list("id", "worker")
    hostname = _hostname_of(worker_pid)
    return [pk for pk, worker in rows if worker.startswith(hostname)]


def _hostname_of(pid: int) -> str:
    argv = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    name = argv[argv.index(b"-n") + 1].decode()
    return name.replace("%h", os.uname().nodename)


def zygotes_of(worker_pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            command = (entry / "cmdline").read_bytes()
        except (OSError, IndexError, ValueError):
            continue
        if ppid == worker_pid and b"grader.sandbox.zygote" in command:
            found.append(int(entry.name))
    return found


def test_a_worker_killed_mid_grading_loses_nothing_and_grades_nothing_twice(stack):
    course = course_with_convolution()
    first = stack.worker_start()
    burst = submit_burst(course, count=24, slow=2)
    add_other_jobs(course, burst)
    watch = Watch()
    wait_until(lambda: running_on(first.pid, burst.ids), timeout=30, what="the first worker to be grading")
    held = running_on(first.pid, burst.ids)
    stack.worker_sigkill(first)
    # Its reserved tasks stay unacknowledged in Redis (redelivered only after the visibility
    # timeout) and its claimed rows stay `running`: meanwhile the API must say so, not "error".
    watch.poll(course, burst.ids)
    assert set(Submission.objects.filter(id__in=held).values_list("status", flat=True)) == {"running"}
    second = stack.worker_start()
    second_name = _hostname_of(second.pid)
    settle(course, burst, watch=watch)
    assert_recovered(course, burst, watch)
    # The rows the dead worker held were released by the sweeper and graded by the new worker.
    graders = Submission.objects.filter(id__in=held).values_list("worker", flat=True)
    assert all(name.startswith(second_name) for name in graders), list(graders)


def test_a_zygote_killed_mid_job_is_restarted_and_the_job_rerun(stack):
    course = course_with_convolution()
    worker = stack.worker_start()
    wait_until(lambda: len(zygotes_of(worker.pid)) == 2, timeout=30, what="two warm zygotes")
    burst = submit_burst(course, count=20, slow=2)
    add_other_jobs(course, burst)
    wait_until(lambda: len(running_on(worker.pid, burst.ids)) == 2, timeout=30, what="both slots busy")
    killed = zygotes_of(worker.pid)
    for pid in killed:  # both slots, each in the middle of a slow (correct) job
        os.kill(pid, signal.SIGKILL)
    watch = settle(course, burst)
    assert_recovered(course, burst, watch)
    survivors = zygotes_of(worker.pid)
    assert len(survivors) == 2 and not set(survivors) & set(killed), "fresh zygotes replace the dead ones"
    # The worker was never lost: its rows were re-run by the executor, not by the sweeper.
    assert stack.workers[0].poll() is None

"""The parent's side of a job: capture its output and results, then classify how it ended.

Nothing the job prints or how it exits is trusted: the verdict's data comes only from result
frames decoded by ``protocol.decode_results``. Output is kept up to ``Limits.output_bytes`` and the
rest discarded; a job that keeps flooding (``FLOOD_FACTOR`` times the cap) or sends more result
data than ``Limits.result_bytes`` is killed and classified OUTPUT.
"""

from __future__ import annotations

import math
import os
import selectors
import signal
import time
from collections.abc import Callable
from dataclasses import dataclass

from grader import protocol
from grader.job import KILLED, MEMORY, OK, OUTPUT, PROTOCOL, TIMEOUT, JobResult, JobSpec

FLOOD_FACTOR = 16
READ_CHUNK = 1 << 16


@dataclass
class Exit:
    """How the job's process ended, as seen from outside."""

    signal: int = 0
    code: int | None = None
    why: str = ""  # "wall", "output", "result", "setup" or "" (ended by itself)
    oom: bool = False
    cpu_ms: float = 0.0
    wall_ms: float = 0.0
    # The process's whole CPU time, set-up included: what RLIMIT_CPU counts (None: same as cpu_ms).
    rlimit_cpu_ms: float | None = None


class Capture:
    def __init__(self, job: JobSpec) -> None:
        self.limits = job.limits
        self.output = bytearray()
        self.output_total = 0
        self.results = bytearray()
        self.results_total = 0
        self.overflow = ""  # "output" or "result" once a cap forced a kill

    def feed(self, which: str, data: bytes) -> bool:
        """Keep what fits; returns True when the job must be killed for flooding."""
        if which == "output":
            room = self.limits.output_bytes - len(self.output)
            if room > 0:
                self.output += data[:room]
            self.output_total += len(data)
            if self.output_total > FLOOD_FACTOR * self.limits.output_bytes and not self.overflow:
                self.overflow = "output"
                return True
            return False
        self.results_total += len(data)
        if self.results_total > self.limits.result_bytes:
            if not self.overflow:
                self.overflow = "result"
                return True
            return False
        self.results += data
        return False


def pump(capture: Capture, output_fd: int, result_fd: int, deadline: float,
         kill: Callable[[str], None], extra_fd: int | None = None,
         on_extra: Callable[[], bool] | None = None, drain_interval: float | None = None) -> bool:
    """Read both pipes until EOF (every holder of their write ends is dead).

    ``extra_fd``/``on_extra`` let the zygote executor watch its control socket in the same loop;
    ``on_extra`` returns False once the job has ended. With ``drain_interval`` the pipes are not
    watched for every write but drained at that interval and once the job ended: a job writes
    dozens of small frames, and waking up for each costs more than the reading (the pipes are
    enlarged so that a typical job never blocks on them).
    Returns False if the deadline passed first (the caller treats that as a failure).
    """
    selector = selectors.DefaultSelector()
    names = {output_fd: "output", result_fd: "result"}
    for fd in names:
        os.set_blocking(fd, False)
        if drain_interval is None:
            selector.register(fd, selectors.EVENT_READ)
    if extra_fd is not None:
        selector.register(extra_fd, selectors.EVENT_READ)
    open_pipes = set(names)
    watching_extra = extra_fd is not None

    def read(fd: int) -> bool:
        """One read; False when nothing more is available right now (or ever)."""
        try:
            data = os.read(fd, READ_CHUNK)
        except BlockingIOError:
            return False
        if not data:
            if drain_interval is None:
                selector.unregister(fd)
            open_pipes.discard(fd)
            return False
        if capture.feed(names[fd], data):
            kill(capture.overflow)
        return True

    try:
        while open_pipes or watching_extra:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return False
            if drain_interval is None:
                timeout = remaining
            elif watching_extra:
                timeout = min(remaining, drain_interval)
            else:
                timeout = 0.001  # the job has ended: only EOF is left to read
            for key, _events in selector.select(timeout) if watching_extra or \
                    drain_interval is None else ():
                if key.fd == extra_fd:
                    assert on_extra is not None
                    if not on_extra():
                        selector.unregister(key.fd)
                        watching_extra = False
                    continue
                read(key.fd)
            if drain_interval is not None:
                for fd in list(open_pipes):
                    while read(fd):
                        pass
                if not watching_extra and open_pipes:
                    time.sleep(timeout)
        return True
    finally:
        selector.close()


def classify(job: JobSpec, capture: Capture, ended: Exit) -> JobResult:
    """Termination from outside facts first; the result frames are believed only if complete."""
    decoded = protocol.decode_results(bytes(capture.results), job.limits,
                                      tuple(case.name for case in job.cases))
    cpu_limit_ms = 1000 * max(1, math.ceil(job.limits.cpu_seconds))
    killed = ended.signal in (signal.SIGKILL, signal.SIGXCPU)
    if capture.overflow == "output":
        termination, detail = OUTPUT, f"output flood: {capture.output_total} bytes"
    elif capture.overflow == "result":
        termination, detail = OUTPUT, f"result data over {job.limits.result_bytes} bytes"
    elif decoded.done and decoded.problem is None and ended.why == "":
        termination, detail = OK, ""
    elif ended.why == "wall":
        termination, detail = TIMEOUT, f"wall-clock limit {job.limits.wall_seconds:g} s"
    # rusage is sampled and lags the kernel's precise count behind RLIMIT_CPU (more so under load):
    # a SIGKILL with no other cause within 15% of the limit is the CPU limit.
    elif killed and _rlimit_cpu_ms(ended) >= cpu_limit_ms * 0.85:
        termination, detail = TIMEOUT, f"CPU limit {job.limits.cpu_seconds:g} s"
    elif ended.oom:
        termination, detail = MEMORY, f"memory limit {job.limits.memory_mb} MiB (OOM kill)"
    elif decoded.problem is not None:
        termination, detail = PROTOCOL, decoded.problem
    elif ended.signal:
        termination, detail = KILLED, f"killed by signal {ended.signal} ({_signal_name(ended.signal)})"
    else:
        termination, detail = KILLED, f"exited with code {ended.code} before finishing"
    output = bytes(capture.output).decode("utf-8", "replace")
    return JobResult(
        termination=termination,
        cases=decoded.cases,  # validated data; partial credit for what finished before a stop
        module_error=decoded.module_error,
        output=output,
        output_truncated=capture.output_total > len(capture.output),
        detail=detail,
        wall_ms=ended.wall_ms,
        cpu_ms=ended.cpu_ms,
    )


def _signal_name(number: int) -> str:
    try:
        return signal.Signals(number).name
    except ValueError:
        return "unknown"


def _rlimit_cpu_ms(ended: Exit) -> float:
    return ended.cpu_ms if ended.rlimit_cpu_ms is None else ended.rlimit_cpu_ms

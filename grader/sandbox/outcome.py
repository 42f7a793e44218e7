"""The parent's side of a job: capture its output and results, then classify how it ended.

Nothing the job prints or how it exits is trusted: the verdict's data comes only from result
frames decoded by ``protocol.decode_results``. Output is kept up to ``Limits.output_bytes`` and the
rest discarded; a job that keeps flooding (``FLOOD_FACTOR`` times the cap) or sends more result
data than ``Limits.result_bytes`` is killed and classified OUTPUT.
"""

from __future__ import annotations

import contextlib
import fcntl
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
F_SETPIPE_SZ = 1031
PIPE_SIZE = 1 << 20  # the unprivileged maximum (fs.pipe-max-size)


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
        self.sealing: protocol.Sealing | None = None  # set when the sealed cases were sent

    def seal(self, names: tuple[str, ...]) -> None:
        """From now on the job may know its sealed cases: its output is no longer kept, and only
        those cases' results are believed from here on (``protocol.Sealing``)."""
        self.sealing = protocol.Sealing(len(self.results), names)

    def feed(self, which: str, data: bytes) -> bool:
        """Keep what fits; returns True when the job must be killed for flooding."""
        if which == "output" and self.sealing is not None:
            return False  # written once the sealed cases could be known: never shown
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


class SealedCases:
    """The parent's end of a job's hidden checks (``JobSpec.sealed``; grader/sandbox/README.md).

    The job gets two pipe ends besides its output and results: a *gate* it writes to once its open
    cases are done, and the channel its sealed cases then arrive on. When the gate opens, the parent
    reads what is left of the output and the results, stops keeping output (``Capture.seal``), and
    only then sends the sealed cases: nothing the job learns from them can reach the student.
    """

    def __init__(self, job: JobSpec) -> None:
        self.names = tuple(case.name for case in job.sealed)
        self.payload = protocol.encode_sealed(job) if job.sealed else b""
        if len(self.payload) > PIPE_SIZE:
            raise ValueError("the sealed cases do not fit in a pipe: keep hidden checks' arguments small")
        self.gate_read, self.gate_write = os.pipe2(os.O_CLOEXEC)
        self.sealed_read, self.sealed_write = os.pipe2(os.O_CLOEXEC)
        if len(self.payload) > 60_000:
            fcntl.fcntl(self.sealed_write, F_SETPIPE_SZ, PIPE_SIZE)
        self._open = {self.gate_read, self.gate_write, self.sealed_read, self.sealed_write}

    @property
    def job_fds(self) -> tuple[int, int]:
        """The job's ends: the gate (to write) and the sealed cases (to read)."""
        return self.gate_write, self.sealed_read

    @property
    def waiting(self) -> bool:
        return self.gate_read in self._open

    def handed_over(self) -> None:
        """The job holds its ends now; a job without sealed cases will never get any."""
        self._close(self.gate_write, self.sealed_read)
        if not self.payload:
            self._close(self.gate_read, self.sealed_write)

    def on_gate(self) -> bool:
        """The gate is readable: True when the job asked for its sealed cases (False: it ended)."""
        try:
            asked = os.read(self.gate_read, 16) != b""
        except OSError:
            asked = False
        self._close(self.gate_read)
        return asked

    def send(self) -> None:
        """Write the sealed cases (they fit in the pipe: never blocks) and close the channel."""
        with contextlib.suppress(OSError):  # the job died meanwhile
            os.set_blocking(self.sealed_write, False)
            os.write(self.sealed_write, self.payload)
        self._close(self.sealed_write)

    def close(self) -> None:
        self._close(*list(self._open))

    def _close(self, *fds: int) -> None:
        for fd in fds:
            if fd in self._open:
                self._open.discard(fd)
                os.close(fd)


def pump(capture: Capture, output_fd: int, result_fd: int, deadline: float,
         kill: Callable[[str], None], extra_fd: int | None = None,
         on_extra: Callable[[], bool] | None = None, drain_interval: float | None = None,
         gate: SealedCases | None = None) -> bool:
    """Read both pipes until EOF (every holder of their write ends is dead).

    ``extra_fd``/``on_extra`` let the zygote executor watch its control socket in the same loop;
    ``on_extra`` returns False once the job has ended. With ``drain_interval`` the pipes are not
    watched for every write but drained at that interval and once the job ended: a job writes
    dozens of small frames, and waking up for each costs more than the reading (the pipes are
    enlarged so that a typical job never blocks on them). ``gate``: the job's sealed cases, sent
    when it asks for them (``SealedCases``).
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
    if gate is not None and gate.waiting:
        selector.register(gate.gate_read, selectors.EVENT_READ)
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
                if gate is not None and key.fd == gate.gate_read:
                    selector.unregister(key.fd)
                    if gate.on_gate():
                        for fd in list(open_pipes):  # everything written before the gate opened
                            while read(fd):
                                pass
                        capture.seal(gate.names)
                        gate.send()
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
                                      tuple(case.name for case in job.cases), capture.sealing)
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

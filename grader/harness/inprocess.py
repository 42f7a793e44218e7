"""An executor with no isolation at all: the benchmark's baseline and a fast path for trusted tests.

Never use it for student code in the product: it runs the code in the calling process.
"""

from __future__ import annotations

import contextlib
import io
import marshal
import os
import threading
import time

from grader import protocol
from grader.harness import child
from grader.job import OK, PROTOCOL, JobResult, JobSpec


class InProcessExecutor:
    """Jobs share this process's stdout and ``sys.modules``, so they run one at a time."""

    def __init__(self) -> None:
        child.preload()
        self._lock = threading.Lock()

    def run(self, job: JobSpec) -> JobResult:
        with self._lock:
            return self._run(job)

    def _run(self, job: JobSpec) -> JobResult:
        textbook = {name: marshal.loads(blob) for name, blob in protocol.textbook_code(job.textbook).items()}
        probes = marshal.loads(protocol.probes_code(job.probes))
        captured = io.StringIO()
        started, cpu_started = time.perf_counter(), time.process_time()
        fd = os.memfd_create("grader-results")
        try:
            with contextlib.redirect_stdout(captured), contextlib.redirect_stderr(captured):
                child.run_job(job, fd, textbook, probes)  # sealed cases: no isolation to keep
            os.lseek(fd, 0, os.SEEK_SET)
            data = b"".join(iter(lambda: os.read(fd, 1 << 20), b""))
        finally:
            os.close(fd)
        decoded = protocol.decode_results(data, job.limits,
                                          tuple(c.name for c in (*job.cases, *job.sealed)))
        output = captured.getvalue()
        cap = job.limits.output_bytes
        return JobResult(
            termination=OK if decoded.done and decoded.problem is None else PROTOCOL,
            cases=decoded.cases,
            module_error=decoded.module_error,
            output=output[:cap],
            output_truncated=len(output) > cap,
            detail=decoded.problem or "",
            wall_ms=(time.perf_counter() - started) * 1000,
            cpu_ms=(time.process_time() - cpu_started) * 1000,
        )

    def close(self) -> None:
        pass

"""What one sandbox job is, what comes back from it, and the executor interface that runs it.

A *job* runs one module (a student's submission, or a question's reference) plus the question's
probes inside a child process, and returns only data: per-case arrays and small JSON values.
Executors differ only in isolation: ``InProcessExecutor`` (no isolation; benchmarks and trusted
tests), ``grader.sandbox`` (the zygote sandbox, used for everything real) and the fresh-interpreter
sandbox (a benchmark baseline).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np

# How a job ended. Only "ok" means the harness reported "done" itself.
OK = "ok"
TIMEOUT = "timeout"  # CPU or wall-clock limit
MEMORY = "memory"  # address-space / cgroup memory limit
OUTPUT = "output"  # stdout/stderr or result data over the cap
KILLED = "killed"  # died by a signal, exited early, or closed the result channel
PROTOCOL = "protocol"  # the result channel carried something malformed (lying or corrupt data)


@dataclass(frozen=True)
class Limits:
    cpu_seconds: float = 5.0
    wall_seconds: float = 10.0
    memory_mb: int = 1024
    processes: int = 1  # extra processes/threads the job may start besides itself
    file_size_mb: int = 8
    open_files: int = 64
    output_bytes: int = 64 * 1024  # captured stdout+stderr
    result_bytes: int = 64 * 1024 * 1024  # all result frames together
    array_bytes: int = 16 * 1024 * 1024  # any one returned array


@dataclass(frozen=True)
class CaseSpec:
    name: str
    probe: str  # function name in the probes module
    args: dict[str, Any]
    seed: int  # per-case seed, derived from the submission seed and the case name
    # Discard what the code prints during this case: prints in a hidden check would show its inputs.
    quiet: bool = False
    # Values the probe defers (``harness.tools.deferred``) that this job leaves uncomputed and
    # unsent: no check reads them from this side (e.g. a gradient check's finite differences, which
    # only the student's side needs; ``checks.unread_from_reference``).
    skip: tuple[str, ...] = ()


@dataclass(frozen=True)
class JobSpec:
    code: str  # source of the module under test
    filename: str  # shown in tracebacks, e.g. "submission.py"
    probes: str  # source of the question's probes module
    cases: tuple[CaseSpec, ...]
    textbook: tuple[str, ...] = ("util", "functions", "layers")  # common.* modules offered
    limits: Limits = field(default_factory=Limits)
    # Cases the job receives only after its open cases, once its output has been cut off (hidden
    # checks): nothing it learns from them can reach what the student sees.
    sealed: tuple[CaseSpec, ...] = ()


@dataclass
class CaseResult:
    name: str
    arrays: dict[str, np.ndarray] = field(default_factory=dict)
    meta: dict[str, Any] = field(default_factory=dict)  # small JSON values (lists of keys, ...)
    error: dict[str, Any] | None = None  # {"type", "message", "traceback": [lines]}
    ms: float = 0.0


@dataclass
class JobResult:
    termination: str  # OK / TIMEOUT / MEMORY / OUTPUT / KILLED / PROTOCOL
    cases: dict[str, CaseResult] = field(default_factory=dict)
    module_error: dict[str, Any] | None = None  # syntax error or exception while loading
    output: str = ""  # captured stdout+stderr, capped, decoded with replacement
    output_truncated: bool = False
    detail: str = ""  # for operators: signal number, exit code, protocol problem
    wall_ms: float = 0.0
    cpu_ms: float = 0.0


class Executor(Protocol):
    """Runs jobs. ``run`` must be safe to call from several threads at once."""

    def run(self, job: JobSpec) -> JobResult: ...

    def close(self) -> None: ...

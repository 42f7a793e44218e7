import os
import textwrap
import time
from dataclasses import replace
from pathlib import Path

import pytest

from grader.job import CaseSpec, JobSpec, Limits
from grader.sandbox import sandbox_available

AVAILABLE, WHY_NOT = sandbox_available()
MINI = Path(__file__).resolve().parents[1] / "core" / "fixtures" / "mini"

# Probes for executor tests: the student module exposes ``run()`` returning a dict of values.
PROBES = textwrap.dedent('''
    import numpy as np


    def run(sub, rng):
        produced = sub.run()
        return {key: (np.asarray(value) if isinstance(value, (int, float)) else value)
                for key, value in produced.items()}
''')
FAST = Limits(cpu_seconds=1, wall_seconds=3, memory_mb=256)


def pytest_collection_modifyitems(items):
    for item in items:
        if Path(str(item.fspath)).parent == Path(__file__).parent:
            item.add_marker(pytest.mark.sandbox)
            if not AVAILABLE:
                item.add_marker(pytest.mark.skip(reason=f"sandbox unavailable: {WHY_NOT}"))


def job(code: str, limits: Limits = FAST, **changes) -> JobSpec:
    spec = JobSpec(code=textwrap.dedent(code), filename="submission.py", probes=PROBES,
                   cases=(CaseSpec(name="run", probe="run", args={}, seed=1),), textbook=(),
                   limits=limits)
    return replace(spec, **changes)


def processes_of(uids) -> list[int]:
    """Pids of live (non-zombie) processes whose real uid is one of ``uids``."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            status = Path(f"/proc/{entry}/status").read_text()
        except OSError:
            continue
        fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
        uid = int(fields.get("Uid", "-1 ").split()[0])
        if uid in uids and not fields.get("State", "").strip().startswith("Z"):
            found.append(int(entry))
    return found


def wait_no_processes(uids, seconds: float = 2.0) -> list[int]:
    deadline = time.monotonic() + seconds
    while True:
        left = processes_of(uids)
        if not left or time.monotonic() > deadline:
            return left
        time.sleep(0.05)


@pytest.fixture(scope="module")
def zygote():
    from grader.sandbox import ZygoteExecutor

    executor = ZygoteExecutor(slots=2)
    yield executor
    executor.close()

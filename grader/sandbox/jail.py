"""Per-job confinement applied in the job's own process just before the student's code runs.

Both executors use it: the zygote's forked child and the fresh interpreter under bubblewrap. Order
matters: resource limits first (they cannot be raised again without privileges), then drop to
the slot's uid (which also drops every capability), then the parent-death signal (cleared by the
uid change), then seccomp (last, so the setup itself is not filtered).
"""

from __future__ import annotations

import fcntl
import math
import os
import resource
import signal

from grader.job import Limits
from grader.sandbox import linux

MIB = 1024 * 1024
# The job may map this much beyond what it inherited (NumPy and the interpreter are already
# mapped in a zygote child): the cgroup limit decides about touched memory, this only stops
# absurd reservations (np.ones of terabytes) at once with a MemoryError.
ADDRESS_SPACE_SLACK = 256 * MIB


def address_space_limit(limits: Limits, inherited_bytes: int) -> int:
    return inherited_bytes + limits.memory_mb * MIB + ADDRESS_SPACE_SLACK


def set_limits(limits: Limits, address_space: int) -> None:
    cpu = max(1, math.ceil(limits.cpu_seconds))
    # soft == hard: a PID-namespace init ignores the soft SIGXCPU, the hard limit sends SIGKILL
    pairs = {
        resource.RLIMIT_CPU: cpu,
        resource.RLIMIT_AS: address_space,
        resource.RLIMIT_NPROC: 1 + max(0, limits.processes),  # counted per uid: one uid per slot
        resource.RLIMIT_FSIZE: limits.file_size_mb * MIB,
        resource.RLIMIT_NOFILE: limits.open_files,
        resource.RLIMIT_CORE: 0,
        resource.RLIMIT_MEMLOCK: 0,
        resource.RLIMIT_MSGQUEUE: 0,
        resource.RLIMIT_RTPRIO: 0,
    }
    for which, value in pairs.items():
        resource.setrlimit(which, (value, value))


def drop_privileges(uid: int) -> None:
    os.setgroups([])
    os.setresgid(uid, uid, uid)
    os.setresuid(uid, uid, uid)
    if os.getuid() != uid or os.geteuid() != uid:
        raise OSError("could not drop privileges")


def confine(limits: Limits, uid: int, address_space: int, program: linux.SeccompProgram) -> None:
    set_limits(limits, address_space)
    drop_privileges(uid)
    linux.prctl(linux.PR_SET_PDEATHSIG, signal.SIGKILL)
    linux.prctl(linux.PR_SET_DUMPABLE, 0)
    program.install()


def move_fds(moves: list[tuple[int, int]]) -> None:
    """Put each (source, target) descriptor at its target number, whatever numbers the sources
    have: all are first copied above every target, so no move overwrites a source still to come."""
    floor = max(target for _, target in moves) + 1
    copies = [(fcntl.fcntl(source, fcntl.F_DUPFD, floor), target) for source, target in moves]
    for copy, target in copies:
        os.dup2(copy, target)
        os.close(copy)


def close_other_fds(keep_up_to: int = 3) -> None:
    os.closerange(keep_up_to + 1, resource.getrlimit(resource.RLIMIT_NOFILE)[0])

"""The job sandbox: where student (and instructor) code runs. See README.md for the threat model.

``ZygoteExecutor`` is the product's executor (a warm zygote per slot, one fork per job);
``FreshExecutor`` starts a new interpreter under bubblewrap per job (a baseline and a fallback).
"""

from __future__ import annotations

import atexit
import os
import threading

from grader.job import Executor
from grader.sandbox.executor import ZygoteExecutor
from grader.sandbox.fresh import FreshExecutor

__all__ = ["FreshExecutor", "ZygoteExecutor", "default_executor", "sandbox_available"]

_default: ZygoteExecutor | None = None
_default_lock = threading.Lock()
_availability: tuple[bool, str] | None = None


def default_executor() -> Executor:
    """The process-wide zygote executor (``GRADER_SLOTS`` slots, default 1), closed at exit."""
    global _default
    with _default_lock:
        if _default is None:
            try:
                slots = max(1, int(os.environ.get("GRADER_SLOTS", "1")))
            except ValueError:
                slots = 1
            _default = ZygoteExecutor(slots=slots)
            atexit.register(_default.close)
        return _default


def sandbox_available() -> tuple[bool, str]:
    """Whether this host can run the sandbox at all, and why not (checked once, cheaply)."""
    global _availability
    if _availability is None:
        _availability = _probe()
    return _availability


def _probe() -> tuple[bool, str]:
    import sys

    if not sys.platform.startswith("linux"):
        return False, "the sandbox needs Linux namespaces"
    if os.geteuid() != 0:
        return False, "the sandbox needs root (namespaces, pivot_root, setuid to the slot uid)"
    from grader.sandbox import layout

    under_tmp = [b.source for b in layout.python_binds() if b.source.startswith(layout.JOB_DIR + "/")]
    if under_tmp:  # the job's private /tmp would hide them (and the new root is staged on /tmp)
        return False, f"the sandbox cannot use Python or the project from under /tmp: {', '.join(under_tmp)}"
    if not hasattr(os, "pidfd_open"):
        return False, "os.pidfd_open is missing (Linux >= 5.3 and Python >= 3.9 needed)"
    try:
        from grader.sandbox import policy

        policy.compiled_bpf()
    except Exception as error:  # ImportError, OSError from libseccomp
        return False, f"seccomp is unavailable (pyseccomp/libseccomp2): {error}"
    from grader.sandbox import linux

    pid = os.fork()
    if pid == 0:  # try the namespaces the zygote needs, in a throwaway child
        try:
            linux.unshare(linux.CLONE_NEWNS | linux.CLONE_NEWNET | linux.CLONE_NEWIPC
                          | linux.CLONE_NEWUTS | linux.CLONE_NEWPID)
            os._exit(0)
        except BaseException:
            os._exit(1)
    _, status = os.waitpid(pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        return False, "cannot create mount/net/ipc/pid namespaces here (container without CAP_SYS_ADMIN?)"
    return True, ""

"""``FreshExecutor``: a new Python interpreter per job under bubblewrap (baseline and fallback).

bwrap (as root, so no user namespace) gives the job new PID, network, IPC and UTS namespaces, the
same read-only view as the zygote (``layout``), a fresh tmpfs /tmp and ``--die-with-parent``;
inside, ``grader.sandbox.fresh_entry`` applies the same ``jail.confine`` (rlimits, slot uid,
seccomp) and hands over to ``grader.harness.child.main``. Every job pays a NumPy import
(~80 ms), which is exactly what the zygote avoids.
"""

from __future__ import annotations

import atexit
import contextlib
import json
import os
import queue
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import asdict
from pathlib import Path

from grader import protocol
from grader.errors import GraderUnavailable
from grader.job import JobResult, JobSpec
from grader.sandbox import layout
from grader.sandbox.executor import _slot_numbers, slot_uid
from grader.sandbox.outcome import Capture, Exit, SealedCases, classify, pump

KILL_GRACE_SECONDS = 5.0
HARNESS_TARGET = "/opt/grader-harness"  # where the job sees the staged harness
# The modules a fresh interpreter needs to confine itself and run the harness; the packages'
# own __init__ files are replaced by empty ones (the real ones import the rest of the grader).
HARNESS_MODULES = ("job.py", "protocol.py", "sanitize.py", "harness/child.py", "harness/tools.py",
                   "harness/substitute.py", "sandbox/fresh_entry.py", "sandbox/jail.py", "sandbox/policy.py",
                   "sandbox/linux.py")
_stage: str | None = None
_stage_lock = threading.Lock()


def harness_stage() -> str:
    """A private copy of just the harness, bound into the job's view instead of the grader
    package (which holds the textbook modules a question may not offer). Made once per process."""
    global _stage
    with _stage_lock:
        if _stage is None:
            # not under /tmp: the job's own /tmp is mounted over it
            base = "/var/tmp" if os.path.isdir("/var/tmp") else None
            stage = tempfile.mkdtemp(prefix="grader-harness-", dir=base)
            os.chmod(stage, 0o755)
            for name in HARNESS_MODULES:
                target = Path(stage, "grader", name)
                target.parent.mkdir(mode=0o755, parents=True, exist_ok=True)
                shutil.copyfile(layout.GRADER_DIR / name, target)
            for package in ("", "harness", "sandbox"):
                Path(stage, "grader", package, "__init__.py").write_text("")
            for path in Path(stage).rglob("*"):
                path.chmod(0o755 if path.is_dir() else 0o644)
            atexit.register(shutil.rmtree, stage, True)
            _stage = stage
        return _stage


def bwrap_command(uid: int, limits_json: str, result_fd: int, file_size_mb: int,
                  gate_fds: tuple[int, int]) -> list[str]:
    bwrap = shutil.which("bwrap")
    if bwrap is None:
        raise GraderUnavailable("bubblewrap (bwrap) is not installed; run scripts/setup.sh")
    command = [bwrap, "--unshare-pid", "--unshare-net", "--unshare-ipc", "--unshare-uts",
               "--unshare-cgroup-try", "--die-with-parent", "--new-session"]
    binds = [*layout.python_binds(), layout.Bind(harness_stage(), HARNESS_TARGET)]
    parents = sorted({str(parent) for bind in binds for parent in Path(bind.target).parents
                      if str(parent) != "/"}, key=len)
    for parent in parents:  # bwrap would create them 0700: unreadable once the uid is dropped
        command += ["--perms", "0755", "--dir", parent]
    for bind in binds:
        command += ["--ro-bind", bind.source, bind.target]
    for name, destination in layout.top_level_links().items():
        command += ["--symlink", destination, f"/{name}"]
    command += ["--dev", "/dev", "--proc", "/proc", "--dir", "/etc",
                "--ro-bind-try", "/etc/ld.so.cache", "/etc/ld.so.cache",
                "--size", str(max(16, 2 * file_size_mb) * 1024 * 1024), "--perms", "1777",
                "--tmpfs", layout.JOB_DIR,
                "--chdir", layout.JOB_DIR, "--clearenv"]
    env = layout.clean_environment({"PYTHONPATH": HARNESS_TARGET})
    for key, value in env.items():
        command += ["--setenv", key, value]
    # as root bwrap would keep every capability: keep only what dropping to the uid needs
    command += ["--cap-drop", "ALL", "--cap-add", "CAP_SETUID", "--cap-add", "CAP_SETGID", "--",
                sys.executable, "-s", "-m", "grader.sandbox.fresh_entry",
                "--uid", str(uid), "--result-fd", str(result_fd), "--limits", limits_json,
                "--gate-fd", str(gate_fds[0]), "--sealed-fd", str(gate_fds[1])]
    return command


class FreshExecutor:
    """Thread-safe; each concurrent job gets its own uid from a small pool."""

    def __init__(self) -> None:
        self._uids: queue.Queue[int] = queue.Queue()

    def _take_uid(self) -> int:
        try:
            return self._uids.get_nowait()
        except queue.Empty:
            return slot_uid(next(_slot_numbers))

    def run(self, job: JobSpec) -> JobResult:
        uid = self._take_uid()
        try:
            return self._run(job, uid)
        finally:
            self._uids.put(uid)

    def _run(self, job: JobSpec, uid: int) -> JobResult:
        job_fd = os.memfd_create("grader-job", os.MFD_CLOEXEC)
        output_r, output_w = os.pipe2(os.O_CLOEXEC)
        result_r, result_w = os.pipe2(os.O_CLOEXEC)
        gate = SealedCases(job)
        try:
            data = protocol.encode_job(job)
            view = memoryview(data)
            while view:
                view = view[os.write(job_fd, view):]
            os.lseek(job_fd, 0, os.SEEK_SET)
            command = bwrap_command(uid, json.dumps(asdict(job.limits)), result_w,
                                    job.limits.file_size_mb, gate.job_fds)
            started = time.monotonic()
            try:
                process = subprocess.Popen(command, stdin=job_fd, stdout=output_w, stderr=output_w,
                                           pass_fds=(result_w, *gate.job_fds),
                                           start_new_session=True, cwd="/")
            except OSError as error:
                raise GraderUnavailable(f"cannot start bwrap: {error}") from None
        except BaseException:
            gate.close()
            raise
        finally:
            for fd in (job_fd, output_w, result_w):
                os.close(fd)
        gate.handed_over()
        capture = Capture(job)
        why: list[str] = []

        def kill(reason: str) -> None:
            if not why:
                why.append(reason)
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)

        try:
            if not pump(capture, output_r, result_r, started + job.limits.wall_seconds, kill,
                        gate=gate):
                kill("wall")
                if not pump(capture, output_r, result_r, time.monotonic() + KILL_GRACE_SECONDS, kill):
                    raise GraderUnavailable("a fresh sandbox did not go away after SIGKILL")
        finally:
            os.close(output_r)
            os.close(result_r)
            gate.close()
        _, status, usage = os.wait4(process.pid, 0)
        process.returncode = os.waitstatus_to_exitcode(status)  # keep Popen from waiting again
        ended = Exit(
            signal=os.WTERMSIG(status) if os.WIFSIGNALED(status) else 0,
            code=os.WEXITSTATUS(status) if os.WIFEXITED(status) else None,
            why=why[0] if why else "",
            cpu_ms=(usage.ru_utime + usage.ru_stime) * 1000,
            wall_ms=(time.monotonic() - started) * 1000,
        )
        if ended.code is not None and ended.code >= 128 and not ended.why:
            ended.signal = ended.code - 128  # bwrap reports a signalled child as 128 + signal
        if ended.signal in (signal.SIGKILL, signal.SIGXCPU) and not ended.why:
            # the interpreter is bwrap's grandchild: its CPU time is not in our rusage, and a
            # SIGKILL nobody here sent is the kernel's RLIMIT_CPU (or the job killing itself)
            ended.cpu_ms = max(ended.cpu_ms, ended.wall_ms)
        return classify(job, capture, ended)

    def close(self) -> None:
        pass

"""``ZygoteExecutor``: the product's sandbox. One warm zygote process per slot, one fork per job."""

from __future__ import annotations

import contextlib
import fcntl
import itertools
import json
import os
import queue
import re
import socket
import subprocess
import sys
import threading
import time
from dataclasses import asdict

from grader import protocol
from grader.errors import GraderUnavailable
from grader.job import JobResult, JobSpec
from grader.sandbox import layout
from grader.sandbox.outcome import (
    F_SETPIPE_SZ,
    PIPE_SIZE,
    Capture,
    Exit,
    SealedCases,
    classify,
    pump,
)

START_TIMEOUT = 60.0
GRACE_SECONDS = 10.0  # beyond the job's wall limit before the zygote itself is presumed stuck
UID_BASE = 100_000
UID_SPAN = 1_000_000
_slot_numbers = itertools.count()
DRAIN_INTERVAL = 0.02  # seconds between reads of a running job's pipes


def slot_uid(number: int) -> int:
    """A uid no other slot of this process (and, very likely, of any other) uses.

    RLIMIT_NPROC counts tasks per uid, so each slot needs its own uid for the limit to be exact.
    """
    return UID_BASE + (os.getpid() * 16 + number) % UID_SPAN


def zygote_popen(fd: int, uid: int, cgroups: dict[str, str]) -> subprocess.Popen[bytes]:
    """Start a zygote (``grader.sandbox.zygote``) on control socket ``fd``, clean environment.

    ``--parent-pid`` is this process: once the zygote has set ``PR_SET_PDEATHSIG`` it exits if its
    parent is no longer this one (this process died while the zygote's interpreter was starting,
    before the death signal was armed), so a zygote is never left orphaned."""
    command = [sys.executable, "-s", "-m", "grader.sandbox.zygote", "--fd", str(fd), "--uid", str(uid),
               "--memory-cgroup", cgroups.get("memory", ""), "--pids-cgroup", cgroups.get("pids", ""),
               "--parent-pid", str(os.getpid())]
    return subprocess.Popen(
        command, cwd=str(layout.PROJECT_ROOT), env=layout.clean_environment(), pass_fds=(fd,),
        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )


class ZygoteDied(Exception):
    pass


class _Slot:
    def __init__(self, number: int) -> None:
        self.number = number
        self.uid = slot_uid(number)
        self.process: subprocess.Popen[bytes] | None = None
        self.sock: socket.socket | None = None
        self.zygote_pid = 0
        self.seq = 0
        self.cgroups = _make_cgroups(f"grader-{os.getpid()}-{number}")
        self.restarts = 0

    # -- lifecycle ----------------------------------------------------------------------------
    def ensure_started(self) -> None:
        if self.process is not None and self.process.poll() is None:
            return
        if self.process is not None:
            self.stop()
            self.restarts += 1
        self.start()

    def start(self) -> None:
        parent_sock, child_sock = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        try:
            process = zygote_popen(child_sock.fileno(), self.uid, self.cgroups)
        except OSError as error:
            raise GraderUnavailable(f"cannot start the zygote: {error}") from None
        finally:
            child_sock.close()
        self.process, self.sock = process, parent_sock
        parent_sock.settimeout(START_TIMEOUT)
        try:
            message = json.loads(parent_sock.recv(65536) or b"{}")
        except (OSError, ValueError):
            message = {}
        parent_sock.settimeout(None)
        if message.get("type") != "ready":
            problem = message.get("error") or _stderr_tail(process)
            self.stop()
            raise GraderUnavailable(f"the sandbox zygote did not start: {problem}")
        if process.stderr is not None:
            process.stderr.close()
        self.zygote_pid = process.pid

    def stop(self) -> None:
        if self.sock is not None:
            self.sock.close()
            self.sock = None
        process, self.process = self.process, None
        if process is None:
            return
        try:
            process.wait(timeout=2)
        except subprocess.TimeoutExpired:
            process.kill()  # PDEATHSIG does not apply here: the executor is still alive
            process.wait()
        if process.stderr is not None:
            process.stderr.close()

    # -- jobs ---------------------------------------------------------------------------------
    def run(self, job: JobSpec) -> JobResult:
        assert self.sock is not None
        sock = self.sock
        self.seq += 1
        seq = self.seq
        job_fd = os.memfd_create("grader-job", os.MFD_CLOEXEC)
        output_r, output_w = os.pipe2(os.O_CLOEXEC)
        result_r, result_w = os.pipe2(os.O_CLOEXEC)
        gate = SealedCases(job)
        try:
            _write_all(job_fd, protocol.encode_job(job))
            for fd in (result_w, output_w):
                with contextlib.suppress(OSError):
                    fcntl.fcntl(fd, F_SETPIPE_SZ, PIPE_SIZE)  # a typical job never blocks
            request = {"type": "job", "seq": seq, "limits": asdict(job.limits)}
            try:
                socket.send_fds(sock, [json.dumps(request).encode()],
                                [job_fd, output_w, result_w, *gate.job_fds])
            except OSError as error:
                raise ZygoteDied(str(error)) from None
        except BaseException:
            gate.close()
            raise
        finally:
            for fd in (job_fd, output_w, result_w):
                os.close(fd)
        gate.handed_over()
        capture = Capture(job)
        reports: list[dict] = []

        def kill(why: str) -> None:
            with contextlib.suppress(OSError):
                sock.send(json.dumps({"type": "kill", "seq": seq, "why": why}).encode())

        def on_control() -> bool:
            message = sock.recv(65536)
            if not message:
                raise ZygoteDied("the zygote closed its control socket")
            report = json.loads(message)
            if report.get("seq") == seq:
                reports.append(report)
                return False
            return True

        deadline = time.monotonic() + job.limits.wall_seconds + GRACE_SECONDS
        try:
            finished = pump(capture, output_r, result_r, deadline, kill, sock.fileno(), on_control,
                            drain_interval=DRAIN_INTERVAL, gate=gate)
        finally:
            os.close(output_r)
            os.close(result_r)
            gate.close()
        if not finished or not reports:
            raise ZygoteDied("no exit report from the zygote in time")
        report = reports[0]
        if report.get("why") == "setup":  # before any job code ran: retried on a fresh zygote
            raise ZygoteDied(f"the job sandbox could not be set up: {report.get('setup_error')}")
        ended = Exit(signal=report["signal"], code=report["code"], why=report["why"],
                     oom=report["oom"], cpu_ms=report["cpu_ms"], wall_ms=report["wall_ms"],
                     rlimit_cpu_ms=report.get("rlimit_cpu_ms"))
        return classify(job, capture, ended)


class ZygoteExecutor:
    """Thread-safe: ``run`` takes a free slot (waiting if all are busy), runs, gives it back."""

    def __init__(self, slots: int = 1) -> None:
        if slots < 1:
            raise ValueError("slots must be >= 1")
        self._slots = [_Slot(next(_slot_numbers)) for _ in range(slots)]
        self._free: queue.Queue[_Slot] = queue.Queue()
        self._closed = False
        self._lock = threading.Lock()
        try:
            for slot in self._slots:
                slot.start()
                self._free.put(slot)
        except BaseException:
            self.close()
            raise

    @property
    def zygote_pids(self) -> list[int]:
        return [slot.zygote_pid for slot in self._slots if slot.process is not None]

    @property
    def uids(self) -> list[int]:
        return [slot.uid for slot in self._slots]

    def run(self, job: JobSpec) -> JobResult:
        if self._closed:
            raise GraderUnavailable("the executor is closed")
        slot = self._free.get()
        try:
            for attempt in range(2):
                try:
                    slot.ensure_started()
                    return slot.run(job)
                except ZygoteDied as error:
                    slot.stop()  # the next ensure_started starts a fresh one
                    if attempt == 1:
                        raise GraderUnavailable(f"the sandbox zygote failed twice: {error}") from None
            raise AssertionError("unreachable")
        finally:
            self._free.put(slot)

    def close(self) -> None:
        with self._lock:
            if self._closed:
                return
            self._closed = True
        for slot in self._slots:
            slot.stop()
            _remove_cgroups(slot.cgroups)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def _stderr_tail(process: subprocess.Popen[bytes]) -> str:
    try:
        process.wait(timeout=5)
        assert process.stderr is not None
        return process.stderr.read()[-2000:].decode("utf-8", "replace").strip() or \
            f"exit code {process.returncode}"
    except Exception:
        return "no response"


def _own_cgroup(controller: str) -> str | None:
    try:
        with open("/proc/self/cgroup") as stream:
            for line in stream:
                _, controllers, path = line.rstrip("\n").split(":", 2)
                if controller in controllers.split(","):
                    return path
    except OSError:
        pass
    return None


_swept: set[str] = set()
_STALE = re.compile(r"^grader-(\d+)-\d+$")


def _sweep_stale_cgroups(parent: str) -> None:
    """Remove empty slot groups left by grader processes that were killed (no atexit ran)."""
    if parent in _swept:
        return
    _swept.add(parent)
    try:
        names = os.listdir(parent)
    except OSError:
        return
    for name in names:
        match = _STALE.match(name)
        if match and not os.path.exists(f"/proc/{match.group(1)}"):
            with contextlib.suppress(OSError):  # still populated: leave it alone
                os.rmdir(os.path.join(parent, name))


def _make_cgroups(name: str) -> dict[str, str]:
    """Per-slot cgroup v1 memory and pids groups, when the host offers them (best effort)."""
    made = {}
    for controller in ("memory", "pids"):
        own = _own_cgroup(controller)
        root = f"/sys/fs/cgroup/{controller}"
        if own is None or not os.path.isdir(root):
            continue
        _sweep_stale_cgroups(root + own)
        path = os.path.join(root + own, name)
        try:
            os.makedirs(path, exist_ok=True)
        except OSError:
            continue
        made[controller] = path
    return made


def _remove_cgroups(cgroups: dict[str, str]) -> None:
    for path in cgroups.values():
        for _ in range(50):
            try:
                os.rmdir(path)
                break
            except FileNotFoundError:
                break
            except OSError:
                time.sleep(0.02)  # tasks still exiting

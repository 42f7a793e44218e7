"""The zygote: a warm process per slot that forks one confined child per job.

Started once by ``ZygoteExecutor`` (``python -m grader.sandbox.zygote``, ``executor.zygote_popen``)
with a clean environment. It first arms ``PR_SET_PDEATHSIG`` and exits if its parent is no longer
the one that started it (``--parent-pid``: the parent died while this interpreter was starting, so
the death signal would never come). It joins its slot's cgroups, imports NumPy and the harness,
enters its own mount, network, IPC and UTS namespaces, pivots into the read-only job view
(``layout``: no file of the project), then serves jobs forever:

    zygote: new PID namespace, fork -> spare child (PID 1 there; setsid, own mount and IPC
            namespaces), waits
    parent --(control socket: {"type": "job", limits} + fds [job memfd, output pipe, result pipe,
              gate pipe, sealed pipe])-->
    zygote --(fds)--> spare: private /tmp, fds 0-3 and 5-6, rlimits, uid, seccomp, "ok", run_job, exit
    zygote --(control socket: {"type": "exit", status, cpu, wall, why})--> parent
    zygote: fork the next spare while the parent evaluates the results

The zygote never reads a job's payload (code, probes, reference): the child reads the memfd after
it was forked, so nothing of one job lingers in the zygote's heap for the next child to find, and a
spare is forked before its job exists. Nor does it hold any textbook module: each job carries the
compiled ``common.*`` modules its question offers (``protocol.textbook_code``).
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import json
import marshal
import os
import resource
import select
import signal
import socket
import sys
import time
from dataclasses import asdict, dataclass

from grader.job import Limits
from grader.sandbox import jail, layout, linux, policy

SETUP_OK = b"ok"
JOB_FDS = 5  # the job's payload, its output, its results, its gate and its sealed cases
ROOT = "/tmp"  # the new root is built on a tmpfs mounted here, in the zygote's own mount ns


@dataclass
class Spare:
    """The next job's process, already forked into its own PID and mount namespaces, waiting."""

    pid: int
    channel: socket.socket
    setup_read: int

    def close(self) -> None:
        self.channel.close()
        os.close(self.setup_read)


@dataclass
class Cgroups:
    memory: str | None
    pids: str | None


class Zygote:
    def __init__(self, sock: socket.socket, uid: int, cgroups: Cgroups) -> None:
        self.sock = sock
        self.uid = uid
        self.pid = os.getpid()
        self.pidns_fd = os.open("/proc/self/ns/pid", os.O_RDONLY)
        # the host's /proc, kept open (not mounted in the view) so that a child can reach its own
        # oom_score_adj before it drops privileges and closes this descriptor
        self.proc_fd = os.open("/proc", os.O_RDONLY | os.O_DIRECTORY)
        self.memory_fds: tuple[int, int, int] | None = None
        self.pids_fd: int | None = None
        self.spare: Spare | None = None
        self._join_cgroups(cgroups)
        self.program = policy.program()

    # -- setup ------------------------------------------------------------------------------
    def _join_cgroups(self, cgroups: Cgroups) -> None:
        if cgroups.memory:
            _write(os.path.join(cgroups.memory, "cgroup.procs"), str(self.pid))
            self.memory_fds = (
                os.open(os.path.join(cgroups.memory, "memory.limit_in_bytes"), os.O_WRONLY),
                os.open(os.path.join(cgroups.memory, "memory.usage_in_bytes"), os.O_RDONLY),
                os.open(os.path.join(cgroups.memory, "memory.oom_control"), os.O_RDONLY),
            )
        if cgroups.pids:
            _write(os.path.join(cgroups.pids, "cgroup.procs"), str(self.pid))
            self.pids_fd = os.open(os.path.join(cgroups.pids, "pids.max"), os.O_WRONLY)

    def build_view(self) -> None:
        """Private namespaces and the read-only root every child inherits (done once)."""
        linux.unshare(linux.CLONE_NEWNS | linux.CLONE_NEWNET | linux.CLONE_NEWIPC
                      | linux.CLONE_NEWUTS)
        linux.mount("none", "/", None, linux.MS_REC | linux.MS_PRIVATE)
        linux.mount("tmpfs", ROOT, "tmpfs", linux.MS_NOSUID | linux.MS_NODEV, "size=4m,mode=0755")
        ld_cache = _read_optional("/etc/ld.so.cache")
        for bind in layout.python_binds():
            target = ROOT + bind.target
            os.makedirs(target, exist_ok=True)
            linux.mount(bind.source, target, None, linux.MS_BIND | linux.MS_REC)
            linux.mount("none", target, None, linux.MS_REMOUNT | linux.MS_BIND | linux.MS_RDONLY
                        | linux.MS_NOSUID | linux.MS_NODEV)
        for name, destination in layout.top_level_links().items():
            os.symlink(destination, f"{ROOT}/{name}")
        os.makedirs(f"{ROOT}/dev")
        for device in layout.DEVICES:
            target = f"{ROOT}/dev/{device}"
            with open(target, "w"):
                pass
            linux.mount(f"/dev/{device}", target, None, linux.MS_BIND)
        os.makedirs(f"{ROOT}/etc")
        _write(f"{ROOT}/etc/passwd", layout.PASSWD.format(uid=self.uid))
        _write(f"{ROOT}/etc/group", layout.GROUP.format(uid=self.uid))
        _write(f"{ROOT}/etc/hosts", "127.0.0.1 localhost\n")
        if ld_cache is not None:
            with open(f"{ROOT}/etc/ld.so.cache", "wb") as stream:
                stream.write(ld_cache)
        os.makedirs(f"{ROOT}/tmp", mode=0o755)
        os.makedirs(f"{ROOT}/.old")
        linux.pivot_root(ROOT, f"{ROOT}/.old")
        os.chdir("/")
        linux.umount2("/.old", linux.MNT_DETACH)
        os.rmdir("/.old")
        linux.mount("none", "/", None, linux.MS_REMOUNT | linux.MS_BIND | linux.MS_RDONLY
                    | linux.MS_NOSUID | linux.MS_NODEV)

    def preload(self) -> None:
        """Import everything a job needs while the project is still visible: the job's view has
        no file of the grader (nor of its textbook or any question), only the interpreter's."""
        from grader.harness import child

        child.preload()

    def warm(self) -> None:
        _rehearse()
        gc.collect()
        gc.freeze()  # keep the warm heap out of the collector: fewer copy-on-write faults

    # -- serving ----------------------------------------------------------------------------
    def serve(self) -> None:
        self.spare = self._prefork()
        while True:
            try:
                message, fds, _flags, _address = socket.recv_fds(self.sock, 65536, JOB_FDS)
            except InterruptedError:
                continue
            if not message:
                return  # the executor closed the socket: exit (the spare dies with us)
            try:
                request = json.loads(message)
            except ValueError:
                request = {}
            if request.get("type") != "job" or len(fds) != JOB_FDS:
                for fd in fds:
                    os.close(fd)
                continue  # a stale kill request for a job that already ended
            self.sock.sendall(json.dumps(self.run(request, *fds)).encode())
            self.spare = self._prefork()  # while the executor evaluates this job's results

    def _prefork(self) -> Spare:
        """Fork the next job's process now, so that the fork, the namespace setup and the
        copy-on-write faults of a warm-up run happen off the next job's critical path."""
        channel, child_end = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        setup_read, setup_write = os.pipe()
        linux.setns(self.pidns_fd, linux.CLONE_NEWPID)  # reset, so that unshare may create anew
        linux.unshare(linux.CLONE_NEWPID)
        sys.stdout.flush()
        sys.stderr.flush()
        pid = os.fork()
        if pid == 0:
            # Not the zygote's ends: with them closed, the zygote's death (even before the death
            # signal below is armed) is an end of file on the channel, and the spare exits.
            channel.close()
            os.close(setup_read)
            _spare_child(child_end.fileno(), setup_write, self.uid, self.program, self.proc_fd)
        child_end.close()
        os.close(setup_write)
        return Spare(pid, channel, setup_read)

    def _take_spare(self) -> Spare:
        spare, self.spare = self.spare, None
        if spare is not None:
            done, _status = os.waitpid(spare.pid, os.WNOHANG)
            if done == 0:
                return spare
            spare.close()  # it died while waiting (killed from outside): make another
        return self._prefork()

    def run(self, request: dict, *fds: int) -> dict:
        limits = Limits(**request["limits"])
        seq = request.get("seq")
        spare = self._take_spare()
        oom_before = self._apply_cgroup_limits(limits)
        started = time.monotonic()
        # if the spare is gone, its setup report below is empty and the job reported as "setup"
        with contextlib.suppress(OSError):
            socket.send_fds(spare.channel, [json.dumps({"limits": request["limits"]}).encode()],
                            list(fds))
        for fd in fds:
            os.close(fd)
        setup = _read_all(spare.setup_read)
        pid = spare.pid
        spare.close()
        setup_ok = setup.startswith(SETUP_OK + b" ")
        pre_job_cpu_ms = float(setup.split()[1]) if setup_ok else 0.0
        why = "" if setup_ok else "setup"
        pidfd = os.pidfd_open(pid)
        try:
            why = why or self._wait(pid, pidfd, started + limits.wall_seconds, seq)
        finally:
            os.close(pidfd)
        _, status, usage = os.wait4(pid, 0)
        wall_ms = (time.monotonic() - started) * 1000
        report = {
            "type": "exit", "seq": seq, "wall_ms": wall_ms,
            "cpu_ms": max(0.0, (usage.ru_utime + usage.ru_stime) * 1000 - pre_job_cpu_ms),
            "rlimit_cpu_ms": (usage.ru_utime + usage.ru_stime) * 1000,
            "signal": os.WTERMSIG(status) if os.WIFSIGNALED(status) else 0,
            "code": os.WEXITSTATUS(status) if os.WIFEXITED(status) else None,
            "why": why, "oom": self._oom_kills() > oom_before,
            "setup_error": "" if setup_ok else setup.decode("utf-8", "replace")[:2000],
        }
        return report

    def _wait(self, pid: int, pidfd: int, deadline: float, seq: object) -> str:
        """Wait for the child; kill its PID namespace at the wall deadline or on request."""
        poller = select.poll()
        poller.register(pidfd, select.POLLIN)
        poller.register(self.sock, select.POLLIN)
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                os.kill(pid, signal.SIGKILL)  # the init of the namespace: everything in it dies
                return "wall"
            for fd, _event in poller.poll(remaining * 1000):
                if fd == pidfd:
                    return ""
                message = self.sock.recv(65536)
                if not message:  # the executor went away: leave nothing behind
                    os.kill(pid, signal.SIGKILL)
                    os._exit(0)
                try:
                    request = json.loads(message)
                except ValueError:
                    continue
                if request.get("type") == "kill" and request.get("seq") == seq:
                    os.kill(pid, signal.SIGKILL)
                    return str(request.get("why", "killed"))

    def _apply_cgroup_limits(self, limits: Limits) -> int:
        if self.pids_fd is not None:
            self._set_limit(self.pids_fd, str(limits.processes + 8).encode())
        if self.memory_fds is None:
            return 0
        limit_fd, usage_fd, _ = self.memory_fds
        usage = int(os.pread(usage_fd, 64, 0))
        self._set_limit(limit_fd, str(usage + limits.memory_mb * jail.MIB).encode())
        return self._oom_kills()

    def _set_limit(self, fd: int, value: bytes) -> None:
        # EBUSY when the usage is already above the value: the previous limit stays
        with contextlib.suppress(OSError):
            os.pwrite(fd, value, 0)

    def _oom_kills(self) -> int:
        if self.memory_fds is None:
            return 0
        for line in os.pread(self.memory_fds[2], 4096, 0).decode().splitlines():
            if line.startswith("oom_kill "):
                return int(line.split()[1])
        return 0


WARMUP_CODE = "from common.util import shift\n\n\ndef rehearsal(x):\n    return shift(x)\n"
WARMUP_TEXTBOOK = "def shift(x):\n    return x + 1.0\n"
WARMUP_PROBES = """
import numpy as np
from grader.harness.tools import numerical_gradient


def good(sub, rng):
    x = rng.standard_normal((2, 3))
    g = numerical_gradient(lambda: float(np.sum(sub.rehearsal(x))), x)
    return {"out": sub.rehearsal(x), "g": g, "names": ["a", "b"], "flag": True}


def bad(sub, rng):
    raise ValueError("rehearsed failure")
"""


def _rehearse() -> None:
    """Run a small job in the zygote itself, so lazy imports and caches (JSON, .npy writing,
    tracebacks, compile) are paid once here instead of in every child."""
    from grader import protocol
    from grader.harness import child
    from grader.job import CaseSpec, JobSpec

    job = JobSpec(code=WARMUP_CODE, filename="warmup.py", probes=WARMUP_PROBES,
                  cases=(CaseSpec("good", "good", {}, 1), CaseSpec("bad", "bad", {}, 2)),
                  textbook=("util",))
    # a stand-in textbook module: the zygote must never hold a real one (see ``preload``)
    stand_in = {"util": marshal.dumps(compile(WARMUP_TEXTBOOK, "common/util.py", "exec"))}
    decoded = protocol.decode_job(protocol.encode_job(job, stand_in))
    sink = os.open("/dev/null", os.O_WRONLY)
    try:
        child.run_job(decoded.job, sink, decoded.textbook, decoded.probes)
    finally:
        os.close(sink)
    protocol.decode_results(protocol.header_frame({"type": "done"}), job.limits)
    protocol._probes_code.clear()  # the warm-up's: a child inherits no compiled probes
    for name in [key for key in sys.modules if key in ("submission", "probes", "common")
                 or key.startswith("common.")]:
        del sys.modules[name]
    import linecache

    for filename in ("warmup.py", "probes.py"):
        linecache.cache.pop(filename, None)


def _spare_child(channel_fd: int, setup_fd: int, uid: int, program: linux.SeccompProgram,
                 proc_fd: int) -> None:
    """The next job's process: PID 1 of a fresh PID namespace, waiting for its job. Never returns.

    Until the job arrives it runs only our code (as root, with no job data); it then takes the
    job's descriptors, confines itself and reports "ok" (or the setup error) on ``setup_fd``
    before any of the job's code runs, so a job can never fake that report.
    """
    from grader.harness import child  # imported by the zygote already (preload)

    report_fd = setup_fd
    try:
        linux.prctl(linux.PR_SET_PDEATHSIG, signal.SIGKILL)
        os.setsid()
        oom = os.open("self/oom_score_adj", os.O_WRONLY, dir_fd=proc_fd)
        os.write(oom, b"1000")  # the OOM killer's first pick in the slot's cgroup, never the zygote
        os.close(oom)
        # Its own mount namespace (its private /tmp goes with it) and IPC namespace. Not a network
        # namespace of its own (creating and tearing one down per job costs over a millisecond of
        # CPU): the zygote's has no interface up, seccomp allows AF_UNIX sockets only and refuses
        # bind/listen/connect/accept, so no job can name a socket the next job could reach.
        linux.unshare(linux.CLONE_NEWNS | linux.CLONE_NEWIPC)
        usage = resource.getrusage(resource.RUSAGE_SELF)
        pre_job_cpu_ms = (usage.ru_utime + usage.ru_stime) * 1000
        channel = socket.socket(fileno=channel_fd)
        message, fds, _flags, _address = socket.recv_fds(channel, 65536, JOB_FDS)
        if not message or len(fds) != JOB_FDS:
            os._exit(0)  # the zygote is going away
        limits = Limits(**json.loads(message)["limits"])
        job_fd, output_fd, result_fd, gate_fd, sealed_fd = fds
        linux.mount("tmpfs", layout.JOB_DIR, "tmpfs", linux.MS_NOSUID | linux.MS_NODEV,
                    layout.tmpfs_options(limits.file_size_mb, uid))
        payload = _read_all(job_fd, positional=True)
        statm = os.open("self/statm", os.O_RDONLY, dir_fd=proc_fd)
        inherited = int(os.read(statm, 64).split()[0]) * os.sysconf("SC_PAGE_SIZE")
        os.close(statm)
        null = os.open("/dev/null", os.O_RDONLY)
        jail.move_fds([(null, 0), (output_fd, 1), (output_fd, 2), (result_fd, 3), (setup_fd, 4),
                       (gate_fd, child.GATE_FD), (sealed_fd, child.SEALED_FD)])
        report_fd = 4
        jail.close_other_fds(keep_up_to=child.SEALED_FD)
        os.chdir(layout.JOB_DIR)
        jail.confine(limits, uid, jail.address_space_limit(limits, inherited), program)
        os.write(4, SETUP_OK + f" {pre_job_cpu_ms:.3f}".encode())
        os.close(4)
    except BaseException as error:  # report to the zygote, never to the job's channels
        try:
            os.write(report_fd, f"{type(error).__name__}: {error}".encode())
        finally:
            os._exit(125)
    try:
        from grader import protocol

        decoded = protocol.decode_job(payload)
        del payload
        child.run_job(decoded.job, 3, decoded.textbook, decoded.probes,
                      child.unseal_through_gate if decoded.sealed else lambda: ())
        sys.stdout.flush()
        sys.stderr.flush()
    except BaseException:
        os._exit(1)
    os._exit(0)


def _read_all(fd: int, positional: bool = False) -> bytes:
    chunks: list[bytes] = []
    offset = 0
    while True:
        chunk = os.pread(fd, 1 << 20, offset) if positional else os.read(fd, 1 << 16)
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)
        offset += len(chunk)


def _read_optional(path: str) -> bytes | None:
    try:
        with open(path, "rb") as stream:
            return stream.read()
    except OSError:
        return None


def _write(path: str, text: str) -> None:
    with open(path, "w") as stream:
        stream.write(text)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--fd", type=int, required=True)
    parser.add_argument("--uid", type=int, required=True)
    parser.add_argument("--memory-cgroup", default="")
    parser.add_argument("--pids-cgroup", default="")
    parser.add_argument("--parent-pid", type=int, required=True)
    args = parser.parse_args(argv)
    sock = socket.socket(fileno=args.fd)
    linux.prctl(linux.PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != args.parent_pid:
        # The parent died while this interpreter was starting, before the death signal was armed:
        # nothing would ever kill this orphan (re-parented to init or a subreaper). Leave now.
        os._exit(1)
    zygote = Zygote(sock, args.uid, Cgroups(args.memory_cgroup or None, args.pids_cgroup or None))
    try:
        zygote.preload()
        zygote.build_view()
        zygote.warm()
    except BaseException as error:
        sock.sendall(json.dumps({"type": "failed", "error": f"{type(error).__name__}: {error}"})
                     .encode())
        raise
    null = os.open("/dev/null", os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(null, fd)
    os.close(null)
    sock.sendall(json.dumps({"type": "ready", "pid": zygote.pid,
                             "limits": asdict(Limits())}).encode())
    zygote.serve()


if __name__ == "__main__":
    main()

"""The seccomp policy every job runs under, compiled once per process to a BPF program.

Allow by default (NumPy and CPython use a wide, version-dependent set of syscalls) and deny what a
graded exercise never needs but an escape or a leak would: other socket families, tracing, mounts
and namespaces, kernel keyrings, BPF, module/kexec loading, io_uring (it bypasses seccomp), SysV
and POSIX message IPC (objects that outlive a process). Foreign-architecture syscalls (int 0x80,
x32) kill the process.
"""

from __future__ import annotations

import errno
import os

from grader.sandbox import linux

AF_UNIX = 1

DENIED = (
    # tracing and reading other processes' memory
    "ptrace", "process_vm_readv", "process_vm_writev", "kcmp", "pidfd_getfd",
    # filesystems and namespaces
    "mount", "umount2", "pivot_root", "chroot", "unshare", "setns", "move_mount", "open_tree",
    "fsopen", "fsconfig", "fsmount", "fspick", "mount_setattr", "name_to_handle_at",
    "open_by_handle_at", "quotactl", "swapon", "swapoff", "mknod", "mknodat",
    # kernel-level facilities
    "kexec_load", "kexec_file_load", "init_module", "finit_module", "delete_module", "bpf",
    "perf_event_open", "userfaultfd", "keyctl", "add_key", "request_key", "personality",
    "reboot", "acct", "syslog", "settimeofday", "clock_settime", "clock_adjtime", "adjtimex",
    "iopl", "ioperm", "lookup_dcookie", "fanotify_init", "vhangup", "uselib", "ustat", "sysfs",
    "io_uring_setup", "io_uring_enter", "io_uring_register", "seccomp",
    # IPC objects that would outlive the job
    "shmget", "shmat", "semget", "msgget", "mq_open", "mq_unlink",
    # naming, reaching or serving a socket: with only AF_UNIX left (below), a socket bound to an
    # abstract name is what a job could otherwise leave behind for the next job of its slot
    # (kept alive in flight after its processes died); socketpair() still works
    "bind", "listen", "connect", "accept", "accept4",
    # the clone3 ABI cannot be filtered by flags: make glibc fall back to clone
)


def build_filter():  # type: ignore[no-untyped-def]
    import pyseccomp as seccomp

    policy = seccomp.SyscallFilter(seccomp.ALLOW)
    policy.set_attr(seccomp.Attr.ACT_BADARCH, seccomp.KILL_PROCESS)
    deny = seccomp.ERRNO(errno.EPERM)
    for name in DENIED:
        try:
            policy.add_rule(deny, name)
        except (OSError, ValueError):  # a syscall this libseccomp/arch does not know
            continue
    policy.add_rule(seccomp.ERRNO(errno.ENOSYS), "clone3")
    no_family = seccomp.ERRNO(errno.EAFNOSUPPORT)
    for name in ("socket", "socketpair"):
        policy.add_rule(no_family, name, seccomp.Arg(0, seccomp.NE, AF_UNIX))
    for bit in range(32):
        flag = 1 << bit
        if flag & linux.NAMESPACE_FLAGS:
            policy.add_rule(deny, "clone", seccomp.Arg(0, seccomp.MASKED_EQ, flag, flag))
    return policy


_bpf_cache: bytes | None = None


def compiled_bpf() -> bytes:
    """The policy as raw BPF (for ``prctl`` after fork, and for ``bwrap --seccomp``)."""
    global _bpf_cache
    if _bpf_cache is None:
        read_fd, write_fd = os.pipe()
        try:
            with os.fdopen(write_fd, "wb", closefd=True) as sink:
                build_filter().export_bpf(sink)
            chunks = []
            while chunk := os.read(read_fd, 1 << 16):
                chunks.append(chunk)
        finally:
            os.close(read_fd)
        _bpf_cache = b"".join(chunks)
    return _bpf_cache


def program() -> linux.SeccompProgram:
    return linux.SeccompProgram(compiled_bpf())

"""Attack: escape the sandbox: new user namespace (to become root again), chroot, mount the host
disk, ptrace another process, load a BPF program (syscalls via ctypes)."""
import ctypes
import os

libc = ctypes.CDLL(None, use_errno=True)
attempts = {
    "unshare(CLONE_NEWUSER)": lambda: libc.unshare(0x10000000),
    "setns": lambda: libc.setns(0, 0),
    "chroot": lambda: libc.chroot(b"/tmp"),
    "mount": lambda: libc.mount(b"/dev/vda", b"/tmp", b"ext4", 0, None),
    "ptrace(ATTACH, 1)": lambda: libc.ptrace(16, 1, 0, 0),
    "bpf": lambda: libc.syscall(321, 5, 0, 0),
    "setuid(0)": lambda: libc.setuid(0),
}
escaped = []
for name, attempt in attempts.items():
    result = attempt()
    print(name, "->", result, os.strerror(ctypes.get_errno()))
    if result == 0:
        escaped.append(name)

if escaped:
    NAMES = ["a", "b"]

    def scale(x, k):
        return x * k

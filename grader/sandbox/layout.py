"""The filesystem a job sees: a read-only root built from a short allow-list, nothing else.

Visible: the OS libraries (/usr and its /bin, /lib symlinks), the Python installation and the
virtualenv (for NumPy), a few device nodes, a generated /etc, and a fresh tmpfs /tmp per job.
Not one file of the project: the zygote imports the harness before it enters the view, and a job
receives the ``common.*`` modules its question offers inside its own payload. Everything else of
the host (the project tree with the grader, its textbook modules, references and hidden data,
/root, /home, /etc/shadow, other jobs' files, /proc and /sys of the host) does not exist there.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path

import grader

GRADER_DIR = Path(grader.__file__).resolve().parent
PROJECT_ROOT = GRADER_DIR.parent
DEVICES = ("null", "zero", "full", "random", "urandom")
TOP_LEVEL_LINKS = ("bin", "lib", "lib64", "sbin", "lib32", "libx32")
JOB_DIR = "/tmp"
PATH = "/usr/local/bin:/usr/bin:/bin"
# glibc's allocator in the zygote and every job (read once, when the interpreter starts). A job's
# arrays are fresh memory its zygote never touched, and each first touch of a 4 KiB page is a page
# fault (~4 us on a VM). From the main heap, advised for transparent huge pages, one fault maps
# 2 MiB: arrays up to 32 MiB come from there instead of a mapping of their own each (which is
# never huge-page backed under 2 MiB). Page faults per convolution grading: ~2,150 -> ~1,300
# (the rest is copy-on-write of the zygote's heap). Without THP (``never``), or on a glibc older
# than 2.35, nothing changes but the mmap threshold.
MALLOC_TUNABLES = "glibc.malloc.hugetlb=1:glibc.malloc.mmap_threshold=33554432"

PASSWD = "root:x:0:0:root:/nonexistent:/usr/sbin/nologin\nstudent:x:{uid}:{uid}:student:/tmp:/usr/sbin/nologin\n"
GROUP = "root:x:0:\nstudent:x:{uid}:\n"


@dataclass(frozen=True)
class Bind:
    source: str
    target: str


def python_binds() -> list[Bind]:
    """Read-only binds: /usr, the interpreter's prefix and the venv (never the project).

    Each is visible at its real path and at the path Python knows it by (a venv reached through a
    symlink keeps its ``sys.path`` entries working for imports made inside the view)."""
    paths: dict[str, str] = {"/usr": "/usr"}
    for prefix in {sys.base_prefix, sys.prefix, os.path.dirname(os.path.realpath(sys.executable))}:
        real = os.path.realpath(prefix)
        for target in {real, os.path.abspath(prefix)}:
            if not target.startswith("/usr/") and target != "/usr":
                paths[target] = real
    binds: list[Bind] = []
    for target in sorted(paths, key=len):
        for path in (target, paths[target]):
            if path == str(PROJECT_ROOT) or path.startswith(str(GRADER_DIR) + "/"):
                raise RuntimeError(f"the job view would contain the project: {path}")
        if any(target.startswith(bind.target + "/") for bind in binds):
            continue  # already visible through a parent bind
        binds.append(Bind(paths[target], target))
    return binds


def top_level_links() -> dict[str, str]:
    """Debian's merged-/usr symlinks (/bin -> usr/bin, ...) recreated in the new root."""
    links = {}
    for name in TOP_LEVEL_LINKS:
        path = f"/{name}"
        if os.path.islink(path):
            links[name] = os.readlink(path)
    return links


def clean_environment(extra: dict[str, str] | None = None) -> dict[str, str]:
    """The only environment a zygote or job gets: nothing inherited from the grader's parent."""
    env = {
        "PATH": PATH,
        "LANG": "C.UTF-8",
        "LC_ALL": "C.UTF-8",
        "HOME": JOB_DIR,
        "TMPDIR": JOB_DIR,
        "PYTHONHASHSEED": "0",
        "PYTHONDONTWRITEBYTECODE": "1",
        "PYTHONIOENCODING": "utf-8:backslashreplace",
        "OPENBLAS_NUM_THREADS": "1",
        "OMP_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
        "NUMEXPR_NUM_THREADS": "1",
        "VECLIB_MAXIMUM_THREADS": "1",
        "MPLBACKEND": "Agg",
        "GLIBC_TUNABLES": MALLOC_TUNABLES,
    }
    env.update(extra or {})
    return env


def tmpfs_options(file_size_mb: int, uid: int) -> str:
    """Per-job /tmp: bounded in bytes and inodes, owned by the job's uid."""
    size_mb = max(16, 2 * file_size_mb)
    return f"size={size_mb}m,nr_inodes=4096,mode=0700,uid={uid},gid={uid}"

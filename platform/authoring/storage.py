"""Where authored bundles live on disk, and the small file operations on them.

Bundles authored in the browser (or imported from a zip) are ordinary bundle folders under
``<VAR_DIR>/bundles/<course-slug>/<bundle-slug>/``: the same format as ``assignments/``, so
``load_assignments`` and ``python -m grader`` work on them unchanged. Bundles loaded from anywhere
else (the repository's ``assignments/``) are never written in place: editing copies them here.
"""

from __future__ import annotations

import fcntl
import os
import secrets
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from courses.models import Course
from django.conf import settings

from grader.bundle import SLUG

STAGING = ".staging"  # scratch folders live beside the bundles so renames stay on one filesystem
IGNORED_NAMES = {"__pycache__", ".DS_Store"}


def storage_root() -> Path:
    return Path(settings.VAR_DIR) / "bundles"


def course_storage_dir(*, course: Course) -> Path:
    return storage_root() / course.slug


def bundle_storage_dir(*, course: Course, slug: str) -> Path:
    if not SLUG.match(slug):  # the slug becomes a path segment: never trust it unchecked
        raise ValueError(f"{slug!r} is not a valid slug")
    return course_storage_dir(course=course) / slug


def is_in_storage(*, course: Course, path: str | Path) -> bool:
    """True when ``path`` is inside this course's authoring storage (so it may be written)."""
    if not path:
        return False
    root = course_storage_dir(course=course).resolve()
    return Path(path).resolve().is_relative_to(root)


def stored_bundle_slugs(*, course: Course) -> list[str]:
    folder = course_storage_dir(course=course)
    if not folder.is_dir():
        return []
    return sorted(
        child.name for child in folder.iterdir()
        if SLUG.match(child.name) and (child / "bundle.yaml").is_file()
    )


@contextmanager
def staging_dir(*, course: Course) -> Iterator[Path]:
    """A fresh scratch folder for this course, removed afterwards whatever happens."""
    parent = course_storage_dir(course=course) / STAGING
    parent.mkdir(parents=True, exist_ok=True)
    path = Path(tempfile.mkdtemp(dir=parent))
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


@contextmanager
def bundle_lock(*, course: Course, slug: str) -> Iterator[None]:
    """One writer (or publisher) per bundle at a time, across web processes.

    Saves rewrite bundle.yaml (read-modify-write of the question order) and publishing reads many
    files: without the lock two authors could lose a question, or a publish could read half a save.
    """
    bundle_storage_dir(course=course, slug=slug)  # validates the slug before it names a file
    parent = course_storage_dir(course=course) / STAGING
    parent.mkdir(parents=True, exist_ok=True)
    with open(parent / f"{slug}.lock", "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def file_write_atomic(path: Path, content: str | bytes) -> None:
    """Write aside, then rename: a reader (the loader, a worker) never sees half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    data = content.encode("utf-8") if isinstance(content, str) else content
    draft = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    draft.write_bytes(data)
    os.replace(draft, path)


def folder_copy(source: Path, target: Path) -> None:
    """Copy a bundle folder without caches, hidden files or symlinks (they have no place in a bundle)."""

    def ignore(directory: str, names: list[str]) -> set[str]:
        return {
            name for name in names
            if name in IGNORED_NAMES or name.startswith(".") or os.path.islink(os.path.join(directory, name))
        }

    shutil.copytree(source, target, ignore=ignore)


def folder_replace(*, new: Path, target: Path, scratch: Path) -> Path | None:
    """Move ``new`` to ``target``, replacing what was there (the old folder ends up in ``scratch``;
    its new path is returned, None when there was none)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    previous = None
    if target.exists():
        previous = scratch / f"replaced-{secrets.token_hex(4)}"
        os.replace(target, previous)
    os.replace(new, target)
    return previous


@contextmanager
def folder_replaced(*, new: Path, target: Path, scratch: Path) -> Iterator[None]:
    """``folder_replace`` for the duration of the block; if the block fails, the old folder is put
    back (or the new one removed), so a refused bundle never stays on disk in place of a good one."""
    previous = folder_replace(new=new, target=target, scratch=scratch)
    try:
        yield
    except BaseException:
        os.replace(target, scratch / f"refused-{secrets.token_hex(4)}")
        if previous is not None:
            os.replace(previous, target)
        raise


def bundle_files(directory: Path) -> list[Path]:
    """Every regular file of a bundle, sorted, relative to it (what an export contains)."""
    found = []
    for root, dirs, files in os.walk(directory):
        dirs[:] = sorted(d for d in dirs if d not in IGNORED_NAMES and not d.startswith(".")
                         and not os.path.islink(os.path.join(root, d)))
        for name in files:
            path = Path(root) / name
            if name in IGNORED_NAMES or name.startswith(".") or path.is_symlink():
                continue
            found.append(path.relative_to(directory))
    return sorted(found, key=lambda p: p.as_posix())

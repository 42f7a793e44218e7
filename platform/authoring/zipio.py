"""Bundles as zip files, in exactly the ``assignments/<slug>/`` layout.

Export is deterministic (sorted names, fixed timestamps) so the same bundle gives the same bytes.
Import treats the upload as hostile: it is read entry by entry with hard limits (size, count,
ratio), and names that could escape the target folder (``..``, absolute paths, drive letters,
backslashes) or entries that are symlinks are refused before anything touches the disk.
"""

from __future__ import annotations

import io
import re
import stat
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from assessments.loading import LoadReport, bundle_load, bundle_validate
from assessments.models import Assignment
from courses.models import Course

from authoring.errors import AuthoringError, authoring_error_from
from authoring.storage import (
    bundle_files,
    bundle_lock,
    bundle_storage_dir,
    folder_replaced,
    staging_dir,
)
from grader.bundle import SLUG, read_yaml
from grader.errors import BundleError

MAX_ZIP_BYTES = 5 * 1024 * 1024  # the upload itself
MAX_FILES = 200
MAX_FILE_BYTES = 2 * 1024 * 1024  # uncompressed, per file
MAX_TOTAL_BYTES = 20 * 1024 * 1024  # uncompressed, all files
MAX_RATIO = 200  # uncompressed / compressed, for entries big enough to matter
TEXT_SUFFIXES = {".yaml", ".yml", ".md", ".py", ".txt", ".csv", ".json"}
SEGMENT = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]*$")
SKIPPED = ("__MACOSX/",)  # metadata some zip tools add; never part of a bundle
SKIPPED_NAMES = {".DS_Store", "Thumbs.db"}
FIXED_TIME = (1980, 1, 1, 0, 0, 0)


def bundle_zip_export(*, directory: Path) -> bytes:
    """The bundle folder as ``<slug>/...`` entries (the slug from bundle.yaml, else the folder name)."""
    try:
        slug = str(read_yaml(directory / "bundle.yaml").get("slug") or directory.name)
    except BundleError:
        slug = directory.name
    if not SLUG.match(slug):
        slug = directory.name
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for relative in bundle_files(directory):
            info = zipfile.ZipInfo(f"{slug}/{relative.as_posix()}", date_time=FIXED_TIME)
            info.external_attr = (stat.S_IFREG | 0o644) << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, (directory / relative).read_bytes())
    return buffer.getvalue()


@dataclass
class ImportResult:
    slug: str
    directory: Path
    report: LoadReport
    replaced: bool


def _entry_path(info: zipfile.ZipInfo) -> PurePosixPath | None:
    """The entry's safe relative path, ``None`` for entries to skip; raises for hostile names."""
    name = info.filename
    if name.startswith(SKIPPED) or PurePosixPath(name).name in SKIPPED_NAMES:
        return None
    if "\\" in name or "\0" in name:
        raise AuthoringError(f"{name!r}: backslashes and NUL are not allowed in file names")
    if name.startswith("/") or re.match(r"^[A-Za-z]:", name):
        raise AuthoringError(f"{name!r}: absolute paths are not allowed")
    mode = info.external_attr >> 16
    if stat.S_ISLNK(mode):
        raise AuthoringError(f"{name!r}: symbolic links are not allowed")
    if info.flag_bits & 0x1:
        raise AuthoringError(f"{name!r}: encrypted entries are not supported")
    parts = name.rstrip("/").split("/")
    for part in parts:
        if part in ("", ".", ".."):
            raise AuthoringError(f"{name!r}: '..', '.' and empty path segments are not allowed")
        if not SEGMENT.match(part):
            raise AuthoringError(f"{name!r}: file names may use letters, digits, '_', '-' and '.' "
                                 "(and may not start with '.')")
    if info.is_dir():
        return None
    # Many tools (Windows, Python's writestr) set no file-type bits at all: that is a plain file.
    if stat.S_IFMT(mode) not in (0, stat.S_IFREG):
        raise AuthoringError(f"{name!r}: only regular files are allowed")
    return PurePosixPath(*parts)


def _bundle_prefix(paths: list[PurePosixPath]) -> PurePosixPath:
    """``bundle.yaml`` at the top, or inside one single top-level folder."""
    if PurePosixPath("bundle.yaml") in paths:
        return PurePosixPath()
    tops = {path.parts[0] for path in paths if len(path.parts) > 1}
    if len(tops) == 1:
        top = PurePosixPath(next(iter(tops)))
        if top / "bundle.yaml" in paths and all(path.parts[0] == top.name for path in paths):
            return top
    raise AuthoringError("bundle.yaml not found: the zip must hold one bundle folder "
                         "(<slug>/bundle.yaml, <slug>/questions/...) or bundle.yaml at its top")


def zip_read_safely(data: bytes) -> dict[PurePosixPath, bytes]:
    """Every file of the bundle in the zip, relative to the bundle folder, read within the limits."""
    if len(data) > MAX_ZIP_BYTES:
        raise AuthoringError(f"the zip is {len(data):,} bytes; the limit is {MAX_ZIP_BYTES:,}")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError):
        raise AuthoringError("this is not a zip file (or it is damaged)") from None
    with archive:
        infos = archive.infolist()
        if len(infos) > MAX_FILES:
            raise AuthoringError(f"the zip has {len(infos)} entries; the limit is {MAX_FILES}")
        entries: list[tuple[PurePosixPath, zipfile.ZipInfo]] = []
        seen: set[PurePosixPath] = set()
        for info in infos:
            path = _entry_path(info)
            if path is None:
                continue
            if path in seen:
                raise AuthoringError(f"{info.filename!r}: appears twice in the zip")
            seen.add(path)
            entries.append((path, info))
        prefix = _bundle_prefix([path for path, _ in entries])
        files: dict[PurePosixPath, bytes] = {}
        total = 0
        for path, info in entries:
            # Declared sizes can lie (a crafted header): they are checked, and the real bytes too.
            if info.file_size > MAX_FILE_BYTES:
                raise AuthoringError(f"{info.filename}: {info.file_size:,} bytes; the limit per file is {MAX_FILE_BYTES:,}")
            if info.file_size > 1024 * 1024 and info.file_size > MAX_RATIO * max(info.compress_size, 1):
                raise AuthoringError(f"{info.filename}: compressed suspiciously well (a zip bomb?)")
            try:
                with archive.open(info) as stream:
                    content = stream.read(MAX_FILE_BYTES + 1)
            except (zipfile.BadZipFile, OSError, RuntimeError, NotImplementedError, EOFError) as error:
                raise AuthoringError(f"{info.filename}: cannot be read: {error}") from None
            if len(content) > MAX_FILE_BYTES:
                raise AuthoringError(f"{info.filename}: larger than the limit of {MAX_FILE_BYTES:,} bytes per file")
            total += len(content)
            if total > MAX_TOTAL_BYTES:
                raise AuthoringError(f"the files add up to more than {MAX_TOTAL_BYTES:,} bytes")
            relative = path.relative_to(prefix)
            if relative.suffix in TEXT_SUFFIXES:
                try:
                    content.decode("utf-8")
                except UnicodeDecodeError as error:
                    raise AuthoringError(f"{relative}: not UTF-8 text (byte {error.start}); save it as UTF-8") from None
            files[relative] = content
    return files


def bundle_zip_import(*, course: Course, data: bytes, replace: bool) -> ImportResult:
    """Validate the zip's bundle completely, then put it in the course's storage and load it.

    Nothing is written to the course (folder or database) unless the whole bundle is valid.
    ``replace`` must be given to overwrite an assignment the course already has.
    Which files the bundle may read (its own, by plain names, no symlinks out) is the grader's rule,
    applied by ``bundle_validate``; the zip's entries themselves are checked by ``zip_read_safely``.
    """
    files = zip_read_safely(data)
    with staging_dir(course=course) as scratch:
        root = scratch / "bundle"
        for relative, content in files.items():
            target = root.joinpath(*relative.parts)
            try:
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(content)
            except OSError:  # e.g. "a/b" is a file and "a/b/c" too: not a folder layout
                raise AuthoringError(f"{relative}: cannot be unpacked (a file and a folder share a name?)") from None
        try:
            bundle = bundle_validate(root)
        except BundleError as error:
            raise authoring_error_from(error, root) from None
        slug = bundle.slug
        target_dir = bundle_storage_dir(course=course, slug=slug)
        with bundle_lock(course=course, slug=slug):
            exists = Assignment.objects.filter(course=course, slug=slug).exists()
            if (exists or target_dir.exists()) and not replace:
                raise AuthoringError(f"the course already has a bundle {slug!r}; tick “replace” to overwrite "
                                     "it (students' submissions are kept; changed questions get a new version)",
                                     form_field="replace")
            # The loader reads the folder again where it will live; should that ever disagree with
            # the staged copy (a disk problem), the previous bundle is put back, and the database
            # is untouched (the loader validates before writing, in one transaction).
            with folder_replaced(new=root, target=target_dir, scratch=scratch):
                try:
                    report = bundle_load(path=target_dir, course=course)
                except BundleError as error:
                    raise authoring_error_from(error, target_dir) from None
    return ImportResult(slug=slug, directory=target_dir, report=report, replaced=exists)

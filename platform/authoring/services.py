"""Writes: create and edit bundles in the course's authoring storage, then publish them through the
same loader as ``manage.py load_assignments`` (so a changed question gets a new QuestionVersion
exactly as it would from git).

Every write is validated in a staging copy first; the bundle folder is only replaced once the
change is known to be good, so the folder on disk always holds something the loader accepts
(apart from a brand-new bundle, which has no questions yet).
"""

from __future__ import annotations

import functools
import os
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any, ParamSpec, TypeVar

import yaml
from assessments.loading import LoadReport, bundle_load, question_source_validate
from assessments.models import Assignment
from courses.models import Course

from authoring.drafts import QuestionDraft, folder_revision, question_draft_write
from authoring.errors import AuthoringError, authoring_error_from
from authoring.storage import (
    bundle_lock,
    bundle_storage_dir,
    file_write_atomic,
    folder_copy,
    folder_replace,
    is_in_storage,
    staging_dir,
)
from grader.bundle import LANGS, SLUG, QuestionSource, read_question, read_yaml
from grader.errors import BundleError

P = ParamSpec("P")
R = TypeVar("R")


def _locked(slug_argument: str) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Run the service holding its bundle's lock (see ``storage.bundle_lock``)."""

    def decorate(service: Callable[P, R]) -> Callable[P, R]:
        @functools.wraps(service)
        def locked(*args: P.args, **kwargs: P.kwargs) -> R:
            slug = str(kwargs[slug_argument])
            _slug_check(slug)
            with bundle_lock(course=kwargs["course"], slug=slug):  # type: ignore[arg-type]
                return service(*args, **kwargs)

        return locked

    return decorate


def _slug_check(slug: str, *, form_field: str = "slug") -> None:
    if not SLUG.match(slug or ""):
        raise AuthoringError("slug: use lowercase letters, digits and hyphens (e.g. conv-output-size)",
                             form_field=form_field)


def _texts(value: dict[str, str], name: str, *, required: bool) -> dict[str, str]:
    texts = {lang: (value.get(lang) or "").strip() for lang in LANGS}
    missing = [lang for lang in LANGS if not texts[lang]]
    if required and missing:
        raise AuthoringError(f"{name}: give the text in Korean and English (missing: {', '.join(missing)})",
                             form_field=f"{name}_{missing[0]}")
    return texts


def bundle_spec_read(*, course: Course, slug: str) -> dict[str, Any]:
    path = bundle_storage_dir(course=course, slug=slug) / "bundle.yaml"
    try:
        return read_yaml(path)
    except BundleError as error:
        raise authoring_error_from(error, path.parent) from None


def _bundle_spec_write(directory: Path, spec: dict[str, Any]) -> None:
    path = directory / "bundle.yaml"
    if path.is_file():
        try:
            if read_yaml(path) == spec:
                return  # unchanged: keep the bytes (and the author's comments)
        except BundleError:
            pass
    file_write_atomic(path, yaml.safe_dump(spec, sort_keys=False, allow_unicode=True,
                                           default_flow_style=None, width=100))


@_locked("slug")
def bundle_create(*, course: Course, slug: str, title: dict[str, str], description: dict[str, str]) -> Path:
    """A new, empty bundle in the course's storage (published once it has a question)."""
    _slug_check(slug)
    directory = bundle_storage_dir(course=course, slug=slug)
    if directory.exists():
        raise AuthoringError(f"slug: a bundle {slug!r} is already being authored in this course",
                             form_field="slug")
    if Assignment.objects.filter(course=course, slug=slug).exists():
        raise AuthoringError(f"slug: the course already has an assignment {slug!r}; open it and choose "
                             "“Edit” instead", form_field="slug")
    spec: dict[str, Any] = {"slug": slug, "title": _texts(title, "title", required=True)}
    description = _texts(description, "description", required=False)
    if any(description.values()):
        spec["description"] = description
    spec["questions"] = []
    directory.mkdir(parents=True)
    _bundle_spec_write(directory, spec)
    return directory


@_locked("slug")
def bundle_meta_update(*, course: Course, slug: str, title: dict[str, str], description: dict[str, str]) -> None:
    directory = bundle_storage_dir(course=course, slug=slug)
    spec = bundle_spec_read(course=course, slug=slug)
    spec["title"] = _texts(title, "title", required=True)
    description = _texts(description, "description", required=False)
    if any(description.values()):
        spec["description"] = description
    else:
        spec.pop("description", None)
    _bundle_spec_write(directory, spec)


def bundle_copy_for_editing(*, course: Course, assignment: Assignment) -> Path:
    """Editing a bundle loaded from elsewhere (git): copy it into the course's storage first.

    Copying keeps every byte, so the copy's questions have the same content hashes: publishing
    an unedited copy changes nothing for students.
    """
    if assignment.course_id != course.pk:
        raise AuthoringError("this assignment belongs to another course")
    target = bundle_storage_dir(course=course, slug=assignment.slug)
    with bundle_lock(course=course, slug=assignment.slug):
        if target.exists():
            return target  # already copied (or authored here): edit that draft
        source = Path(assignment.bundle_dir or "")
        if not assignment.bundle_dir or not (source / "bundle.yaml").is_file():
            raise AuthoringError(f"the bundle folder of {assignment.slug!r} ({source}) is not on this "
                                 "server; import it as a zip instead")
        with staging_dir(course=course) as scratch:
            folder_copy(source, scratch / "copy")
            folder_replace(new=scratch / "copy", target=target, scratch=scratch)
    return target


def _question_dir(course: Course, bundle_slug: str, question_slug: str) -> Path:
    _slug_check(question_slug)
    return bundle_storage_dir(course=course, slug=bundle_slug) / "questions" / question_slug


def question_draft_stage(*, draft: QuestionDraft, original_dir: Path | None, scratch: Path) -> QuestionSource:
    """Write the draft into ``scratch`` (a bundle-shaped copy) and validate it like the loader does.

    Returns the validated source; raises ``AuthoringError`` naming the file and field.
    """
    _slug_check(draft.slug)
    _texts(draft.title, "title", required=True)
    # The loader accepts an empty prompt file; a student never should get one, in either language.
    _texts(draft.prompts, "prompt", required=True)
    staged = scratch / "questions" / draft.slug
    if original_dir is not None and original_dir.is_dir():
        folder_copy(original_dir, staged)
    else:
        staged.mkdir(parents=True)
    question_draft_write(draft=draft, question_dir=staged)
    try:
        source = read_question(scratch, draft.slug)
        question_source_validate(source)
    except BundleError as error:
        raise authoring_error_from(error, scratch) from None
    except (UnicodeDecodeError, OSError) as error:
        raise AuthoringError(f"questions/{draft.slug}: unreadable file: {error}") from None
    return source


@_locked("bundle_slug")
def question_save(
    *, course: Course, bundle_slug: str, draft: QuestionDraft, revision: str | None, create: bool,
) -> QuestionSource:
    """Validate and write one question into the bundle; a new question is appended to its order.

    ``revision`` is the folder fingerprint the editor was opened with: if someone else saved the
    question meanwhile, this save is refused rather than silently overwriting their work.
    """
    bundle_dir = bundle_storage_dir(course=course, slug=bundle_slug)
    spec = bundle_spec_read(course=course, slug=bundle_slug)
    target = _question_dir(course, bundle_slug, draft.slug)
    order = list(spec.get("questions") or [])
    if create and (target.exists() or draft.slug in order):
        raise AuthoringError(f"slug: this bundle already has a question {draft.slug!r}", form_field="slug")
    if not create and not target.is_dir():
        raise AuthoringError(f"question {draft.slug!r} does not exist in this bundle")
    if not create and revision and revision != folder_revision(target):
        raise AuthoringError("someone saved this question after you opened it; copy your changes, "
                             "reload the page and apply them again")
    with staging_dir(course=course) as scratch:
        source = question_draft_stage(draft=draft, original_dir=None if create else target, scratch=scratch)
        folder_replace(new=scratch / "questions" / draft.slug, target=target, scratch=scratch)
    if create:
        order.append(draft.slug)
        spec["questions"] = order
        _bundle_spec_write(bundle_dir, spec)
    source.dir = target
    return source


@_locked("bundle_slug")
def question_remove(*, course: Course, bundle_slug: str, question_slug: str) -> None:
    """Drop a question from the bundle (publishing then retires it; submissions are kept)."""
    bundle_dir = bundle_storage_dir(course=course, slug=bundle_slug)
    spec = bundle_spec_read(course=course, slug=bundle_slug)
    order = [slug for slug in spec.get("questions") or [] if slug != question_slug]
    spec["questions"] = order
    _bundle_spec_write(bundle_dir, spec)
    folder = _question_dir(course, bundle_slug, question_slug)
    if folder.is_dir():
        shutil.rmtree(folder)


@_locked("bundle_slug")
def question_move(*, course: Course, bundle_slug: str, question_slug: str, offset: int) -> None:
    bundle_dir = bundle_storage_dir(course=course, slug=bundle_slug)
    spec = bundle_spec_read(course=course, slug=bundle_slug)
    order = list(spec.get("questions") or [])
    if question_slug not in order:
        raise AuthoringError(f"question {question_slug!r} is not in this bundle")
    index = order.index(question_slug)
    new_index = max(0, min(len(order) - 1, index + offset))
    order.insert(new_index, order.pop(index))
    spec["questions"] = order
    _bundle_spec_write(bundle_dir, spec)


@_locked("slug")
def bundle_discard(*, course: Course, slug: str) -> None:
    """Throw the draft away: only while the course does not use it (never published, or the course
    follows another folder, e.g. git). A published authored bundle is what students get."""
    directory = bundle_storage_dir(course=course, slug=slug)
    assignment = Assignment.objects.filter(course=course, slug=slug).first()
    if assignment is not None and is_in_storage(course=course, path=assignment.bundle_dir):
        raise AuthoringError("the course uses this bundle: it cannot be discarded (remove its questions "
                             "or hide the assignment instead)")
    with staging_dir(course=course) as scratch:
        if directory.exists():
            os.replace(directory, scratch / "discarded")


@_locked("slug")
def bundle_publish(*, course: Course, slug: str) -> LoadReport:
    """Load the authored bundle into the course, exactly like ``load_assignments`` would."""
    directory = bundle_storage_dir(course=course, slug=slug)
    if not is_in_storage(course=course, path=directory) or not (directory / "bundle.yaml").is_file():
        raise AuthoringError(f"no authored bundle {slug!r} in this course")
    spec = bundle_spec_read(course=course, slug=slug)
    if not spec.get("questions"):
        raise AuthoringError("add at least one question before publishing")
    if spec.get("slug") != slug:
        raise AuthoringError(f"bundle.yaml: slug: is {spec.get('slug')!r}, the folder is {slug!r}")
    try:
        return bundle_load(path=directory, course=course)
    except BundleError as error:
        raise authoring_error_from(error, directory) from None

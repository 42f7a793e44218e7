"""Reads for the authoring pages: which bundles a course has, where they live, what is unpublished."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from assessments.models import Assignment, Question
from courses.models import Course

from authoring.drafts import KIND_LABELS
from authoring.errors import authoring_error_from
from authoring.storage import bundle_storage_dir, is_in_storage, stored_bundle_slugs
from grader.bundle import read_question, read_yaml
from grader.errors import BundleError


@dataclass
class BundleRow:
    slug: str
    title: str
    assignment: Assignment | None
    authored: bool  # lives in the course's storage (editable in place)
    on_disk: bool  # its folder exists on this server (so it can be exported or copied)


@dataclass
class QuestionRow:
    slug: str
    kind: str
    title: str
    status: str  # "published" | "changed" | "new" | "invalid"
    problem: str = ""

    @property
    def kind_label(self) -> str:
        return KIND_LABELS.get(self.kind, self.kind)


def _title(spec_title: object, fallback: str) -> str:
    if isinstance(spec_title, dict):
        return str(spec_title.get("ko") or spec_title.get("en") or fallback)
    return fallback


def bundle_rows(*, course: Course) -> list[BundleRow]:
    """Every assignment of the course plus bundles authored here but not published yet."""
    rows = []
    stored = set(stored_bundle_slugs(course=course))
    for assignment in Assignment.objects.filter(course=course):
        authored = assignment.slug in stored
        rows.append(BundleRow(
            slug=assignment.slug, title=assignment.display_title, assignment=assignment,
            authored=authored,
            on_disk=authored or (bool(assignment.bundle_dir) and (Path(assignment.bundle_dir) / "bundle.yaml").is_file()),
        ))
        stored.discard(assignment.slug)
    for slug in sorted(stored):
        try:
            spec = read_yaml(bundle_storage_dir(course=course, slug=slug) / "bundle.yaml")
        except BundleError:
            spec = {}
        rows.append(BundleRow(slug=slug, title=_title(spec.get("title"), slug), assignment=None,
                              authored=True, on_disk=True))
    return rows


def assignment_source_dir(*, course: Course, assignment: Assignment) -> Path | None:
    """The folder an export reads: the authored draft when there is one, else where it was loaded from."""
    stored = bundle_storage_dir(course=course, slug=assignment.slug)
    if (stored / "bundle.yaml").is_file():
        return stored
    if assignment.bundle_dir and (Path(assignment.bundle_dir) / "bundle.yaml").is_file():
        return Path(assignment.bundle_dir)
    return None


def question_rows(*, course: Course, slug: str, order: list[str]) -> list[QuestionRow]:
    """Each question of the draft, compared with what students currently get."""
    directory = bundle_storage_dir(course=course, slug=slug)
    published = {
        question.slug: question.current_version.content_hash
        for question in Question.objects.filter(assignment__course=course, assignment__slug=slug, active=True)
        .select_related("current_version")
        if question.current_version is not None
    }
    rows = []
    for question_slug in order:
        try:
            source = read_question(directory, str(question_slug))
        except BundleError as error:
            rows.append(QuestionRow(str(question_slug), "?", str(question_slug), "invalid",
                                    authoring_error_from(error, directory).message))
            continue
        except (UnicodeDecodeError, OSError) as error:
            rows.append(QuestionRow(str(question_slug), "?", str(question_slug), "invalid", str(error)))
            continue
        if question_slug not in published:
            status = "new"
        elif published[question_slug] != source.content_hash:
            status = "changed"
        else:
            status = "published"
        rows.append(QuestionRow(source.slug, source.kind, _title(source.spec.get("title"), source.slug), status))
    return rows


def bundle_is_authored(*, course: Course, slug: str) -> bool:
    try:
        directory = bundle_storage_dir(course=course, slug=slug)
    except ValueError:  # not a bundle slug (the URL allows a little more): nothing authored there
        return False
    return is_in_storage(course=course, path=directory) and (directory / "bundle.yaml").is_file()

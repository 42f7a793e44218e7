"""Loading assignment bundles (assignments/<slug>/) into the database: idempotent, versioned.

A question whose content hash changed gets a new ``QuestionVersion``; submissions keep pointing at
the version they were graded against. Policy fields are bundle defaults: they are set when the
assignment is created and left alone afterwards (instructors change them per course offering).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from courses.models import Course
from django.db import transaction
from pools.services import pools_sync

from assessments.models import Assignment, Question, QuestionVersion
from grader.bundle import BundleSource, QuestionSource, read_bundle
from grader.errors import BundleError
from grader.question import code_question_from_source


@dataclass
class LoadReport:
    bundle: str
    changes: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.changes)


def question_source_validate(source: QuestionSource) -> None:
    """Raise ``BundleError`` when the question cannot be used (code by the grader, else its kind)."""
    where = str(source.dir / "question.yaml")
    if source.kind == "code":
        code_question_from_source(source)
        return
    from kinds import get_kind

    try:
        kind = get_kind(source.kind)
    except KeyError as error:
        raise BundleError(where, "kind", str(error.args[0])) from None
    try:
        kind.validate(source.spec, where)
    except BundleError:
        raise
    except Exception as error:  # a kind's bug must not stop the other bundles from loading
        raise BundleError(where, "(kind validation)", f"{type(error).__name__}: {error}") from error


def bundle_validate(path: str | Path) -> BundleSource:
    bundle = read_bundle(path)
    for source in bundle.questions:
        question_source_validate(source)
    return bundle


def _policy_defaults(bundle: BundleSource) -> dict[str, object]:
    policy = bundle.spec.get("policy") or {}
    show_hidden = policy.get("show_hidden_after_due", True)
    return {
        "max_attempts": int(policy.get("max_attempts", 0) or 0),
        "late_penalty_per_day": float(policy.get("late_penalty_per_day", 0.0) or 0.0),
        "hidden_checks": Assignment.HiddenChecks.AFTER_DUE if show_hidden else Assignment.HiddenChecks.NEVER,
    }


def bundle_load(*, path: str | Path, course: Course, position: int | None = None) -> LoadReport:
    """Validate the whole bundle first (nothing is written when any question is broken)."""
    bundle = bundle_validate(path)
    report = LoadReport(bundle=bundle.slug)
    with transaction.atomic():
        assignment = Assignment.objects.filter(course=course, slug=bundle.slug).first()
        texts = {
            "title": bundle.spec["title"],
            "description": bundle.spec.get("description") or {},
            "bundle_dir": str(bundle.dir),
        }
        if assignment is None:
            if position is None:
                position = Assignment.objects.filter(course=course).count()
            assignment = Assignment.objects.create(
                course=course, slug=bundle.slug, position=position, **texts, **_policy_defaults(bundle)
            )
            report.changes.append(f"created assignment {bundle.slug} in course {course.slug}")
        elif any(getattr(assignment, name) != value for name, value in texts.items()):
            previous_dir = assignment.bundle_dir
            for name, value in texts.items():
                setattr(assignment, name, value)
            assignment.save()
            report.changes.append(f"updated assignment {bundle.slug}")
            if previous_dir and previous_dir != texts["bundle_dir"]:
                # Two copies of one bundle (git and a browser-authored copy) take turns otherwise
                # without anyone noticing: say which folder the course now follows.
                report.changes.append(f"  ! {bundle.slug} now follows {texts['bundle_dir']} (was {previous_dir})")
        listed = set()
        for index, source in enumerate(bundle.questions):
            listed.add(source.slug)
            report.changes.extend(_question_load(assignment, source, index))
        retired = assignment.questions.filter(active=True).exclude(slug__in=listed)
        for question in retired:
            report.changes.append(f"retired question {question.slug} (no longer in the bundle)")
        retired.update(active=False)
        report.changes.extend(pools_sync(assignment=assignment, pools=bundle.pools))
    return report


def _question_load(assignment: Assignment, source: QuestionSource, position: int) -> list[str]:
    changes = []
    fields = {
        "kind": source.kind,
        "points": float(source.spec.get("points", 1)),
        "title": source.spec["title"],
        "position": position,
        "active": True,
    }
    question = Question.objects.filter(assignment=assignment, slug=source.slug).first()
    if question is None:
        question = Question.objects.create(assignment=assignment, slug=source.slug, **fields)
        changes.append(f"  + question {source.slug} ({source.kind})")
    elif any(getattr(question, name) != value for name, value in fields.items()):
        for name, value in fields.items():
            setattr(question, name, value)
        question.save()
        changes.append(f"  ~ question {source.slug}: title, points, kind or position")
    version = question.versions.filter(content_hash=source.content_hash).first()
    if version is None:
        number = (question.versions.order_by("-number").values_list("number", flat=True).first() or 0) + 1
        version = QuestionVersion.objects.create(
            question=question, number=number, content_hash=source.content_hash, kind=source.kind,
            spec=source.spec, prompts=source.prompts, files=source.files, source_dir=str(source.dir),
        )
        if number > 1:
            changes.append(f"  ~ question {source.slug}: content changed, now version {number}")
    if question.current_version_id != version.id:
        question.current_version = version
        question.save(update_fields=["current_version"])
    return changes


def bundle_dirs(root: str | Path) -> list[Path]:
    """``root`` itself when it is a bundle, else every bundle folder directly under it."""
    root = Path(root)
    if (root / "bundle.yaml").is_file():
        return [root]
    return sorted(child for child in root.iterdir() if (child / "bundle.yaml").is_file())

"""Writes for an assignment's grading policy (dates, attempts, late curve, visibility) and for
per-student extensions. A change that moves anyone's late credit recomputes the stored scores
and audits them (source DEADLINE) in the same transaction."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from assessments.models import Assignment
from core.errors import UserError
from courses.selectors import course_student_ids
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from scoring.models import Extension
from scoring.recompute import RecomputeReport, late_credit_recompute

POLICY_FIELDS = (
    "opens_at", "due_at", "closes_at", "max_attempts", "late_penalty_per_day", "late_curve",
    "late_curve_mode", "hidden_checks", "feedback_visibility", "show_explanations",
)
# A change to one of these can move a stored score.
CREDIT_FIELDS = ("due_at", "late_penalty_per_day", "late_curve", "late_curve_mode")


class PolicyRefused(UserError, ValueError):
    """A policy change or extension that cannot be made as asked."""


def _when(value: datetime | None) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else "—"


def _describe(name: str, old: Any, new: Any) -> str:
    if name.endswith("_at"):
        return f"{name} {_when(old)} -> {_when(new)}"
    return f"{name} {old!r} -> {new!r}"


def assignment_policy_update(
    *, assignment: Assignment, actor: AbstractBaseUser, values: dict[str, Any], note: str = ""
) -> tuple[list[str], RecomputeReport | None]:
    """Set the given policy fields. Returns the changed field names and, when the late credit
    may have moved, the recomputation report."""
    unknown = set(values) - set(POLICY_FIELDS)
    if unknown:
        raise PolicyRefused(f"not policy fields: {sorted(unknown)}")
    changed = [name for name, value in values.items() if getattr(assignment, name) != value]
    if not changed:
        return [], None
    with transaction.atomic():
        locked = Assignment.objects.select_for_update().get(pk=assignment.pk)
        descriptions = [_describe(name, getattr(locked, name), values[name]) for name in changed]
        for name in changed:
            setattr(locked, name, values[name])
        locked.save(update_fields=[*changed, "updated_at"])
        report = None
        if set(changed) & set(CREDIT_FIELDS):
            reason = "; ".join(descriptions) + (f" — {note}" if note else "")
            report = late_credit_recompute(assignment=locked, actor=actor, reason=reason)
    for name in changed:
        setattr(assignment, name, values[name])
    return changed, report


def extension_grant(
    *, assignment: Assignment, student_id: int, due_at: datetime, closes_at: datetime | None,
    extra_attempts: int, reason: str, actor: AbstractBaseUser,
) -> tuple[Extension, RecomputeReport]:
    """Create or replace the student's extension and recompute their late credit. Late days the
    student spent (``token_days``) are kept and still move the new dates."""
    if not course_student_ids(course=assignment.course_id).filter(user_id=student_id).exists():
        raise PolicyRefused("extensions are for students of this course")
    if closes_at is not None and closes_at < due_at:
        raise PolicyRefused("the close date cannot be before the due date")
    with transaction.atomic():
        extension, _created = Extension.objects.update_or_create(
            assignment=assignment, student_id=student_id,
            defaults={"due_at": due_at, "closes_at": closes_at, "extra_attempts": extra_attempts,
                      "reason": reason[:2000], "granted_by": actor},
        )
        why = f"extension: due {_when(due_at)}" + (f" — {reason}" if reason else "")
        report = late_credit_recompute(assignment=assignment, actor=actor, reason=why, student_ids={student_id})
    return extension, report


def extension_revoke(*, extension: Extension, actor: AbstractBaseUser) -> RecomputeReport:
    """Remove what staff granted. Late days the student spent stay theirs: the row then only
    carries them (the assignment's dates, one day later each)."""
    with transaction.atomic():
        assignment, student_id = extension.assignment, extension.student_id
        if extension.token_days:
            Extension.objects.filter(pk=extension.pk).update(
                due_at=None, closes_at=None, extra_attempts=0, reason="", granted_by=None,
            )
        else:
            extension.delete()
        return late_credit_recompute(
            assignment=assignment, actor=actor, reason="extension removed", student_ids={student_id}
        )

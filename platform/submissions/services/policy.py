"""Whether a student may submit now: the rule is ``scoring.policy.StudentPolicy.submit_refusal``."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from assessments.models import Question
from courses.models import Enrollment
from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Model
from django.utils.translation import gettext as _
from pools.services import pool_submit_refusal
from scoring.policy import StudentPolicy, policy_for

from submissions.services.errors import SubmitRefused

if TYPE_CHECKING:
    from assessments.selectors import MemberQuestion


def enrollment_lock(*, user: AbstractBaseUser, question: Question) -> Enrollment:
    """Lock the student's enrollment row: concurrent submits by one student queue up here, so two
    of them cannot both take the last attempt."""
    enrollment = (
        Enrollment.objects.select_for_update()
        .filter(user=user, course_id=question.assignment.course_id)
        .first()
    )
    if enrollment is None:
        raise SubmitRefused(_("You are not enrolled in this course."), status=403)
    return enrollment


def attempts_used(*, model: type[Model], user: AbstractBaseUser, question: Question) -> int:
    return model.objects.filter(user=user, question=question, counts_as_attempt=True).count()  # type: ignore[attr-defined]


def submission_policy_check(
    *, enrollment: Enrollment, question: Question, used: int, at: datetime, admitted: MemberQuestion | None = None,
) -> StudentPolicy:
    """Raise ``SubmitRefused`` (403) with the reason ``StudentPolicy.submit_refusal`` gives: the
    question is not open, the student's own window (an extension applies) is not open yet or
    closed, or their attempts are used up; or a pooled question was drawn for others. Course
    staff may always submit. Returns the policy (its late credit and ``days_late`` for the new
    row). ``admitted``: the student's access to this question as ``question_access_for_member``
    checked it in this request: its policy is used, and the pool draw it checked is not looked
    up again."""
    policy = None
    if admitted is not None and admitted.question.pk == question.pk and not enrollment.is_staff_role:
        policy = admitted.policy  # None when they were admitted as staff (the role changed since)
    pool_checked = policy is not None
    if policy is None:
        policy = policy_for(user_id=enrollment.user_id, assignment=question.assignment, staff=enrollment.is_staff_role)
    refusal = policy.submit_refusal(at, used, question)
    if refusal is None and not enrollment.is_staff_role and not pool_checked:
        refusal = pool_submit_refusal(question=question, user_id=enrollment.user_id)  # drawn for others
    if refusal is not None:
        raise SubmitRefused(refusal, status=403)
    return policy

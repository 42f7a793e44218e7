"""Whether a student may submit now: the assignment window, attempts left, late credit."""

from __future__ import annotations

from datetime import datetime

from assessments.models import Question
from courses.models import Enrollment
from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Model
from django.utils.translation import gettext as _
from scoring.deadlines import effective_window

from submissions.services.errors import SubmitRefused


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
    *, enrollment: Enrollment, question: Question, used: int, at: datetime
) -> None:
    """Raise ``SubmitRefused`` (403) when the window is closed or the attempts are used up, by
    the student's own dates and attempt limit (an extension applies). Course staff may always
    submit (to try their own questions)."""
    if enrollment.is_staff_role:
        return
    assignment = question.assignment
    if not question.active or not assignment.published or question.current_version_id is None:
        raise SubmitRefused(_("This question is not open for submissions."), status=403)
    window = effective_window(user_id=enrollment.user_id, assignment=assignment)
    if window.not_open_yet(at):
        raise SubmitRefused(_("This assignment is not open yet."), status=403)
    if window.is_closed(at):
        raise SubmitRefused(_("This assignment is closed."), status=403)
    if window.max_attempts and used >= window.max_attempts:
        raise SubmitRefused(
            _("You have used all %(count)d attempts for this question.") % {"count": window.max_attempts},
            status=403,
        )

"""Writes of the exams app: staff settings and extra time, a student starting, and the
automatic submission of drafts at time-up. The "may they see / submit now" rule itself is
``scoring.policy.StudentPolicy.exam_refusal`` (fed by ``exams.lookup``)."""

from __future__ import annotations

import logging
from datetime import datetime
from decimal import Decimal

from assessments.models import Assignment, Question
from core.errors import UserError
from core.ratelimit import rate_limit_exceeded
from courses.selectors import course_student_get
from django.contrib.auth.hashers import check_password, make_password
from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from scoring.policy import policy_for
from submissions.models import Draft, Submission
from submissions.services.errors import SubmitRefused
from submissions.services.policy import enrollment_lock
from submissions.services.submit import submission_create

from exams.lookup import exam_state_forget
from exams.models import ExamExtension, ExamSession, ExamSettings
from exams.rules import exam_ends_at

logger = logging.getLogger(__name__)
PASSWORD_TRIES_PER_MINUTE = 5
MAX_MINUTES = 24 * 60


class ExamRefused(UserError):
    """Something about an exam the platform will not do; ``message`` is for the person asking."""

    status = 403


def _when(at: datetime) -> str:
    return formats.date_format(timezone.localtime(at), "Y-m-d H:i")


# --- staff -------------------------------------------------------------------------------------


def exam_settings_save(
    *, assignment: Assignment, actor: AbstractBaseUser, enabled: bool, duration_minutes: int,
    starts_at: datetime | None, opens_at: datetime | None, closes_at: datetime | None, hold_feedback: bool,
    password: str = "", clear_password: bool = False,
) -> ExamSettings:
    """Make the assignment an exam (or change / switch off its settings). An empty ``password``
    keeps the current one; ``clear_password`` removes it. Sessions already started keep their end
    (only extra time moves it)."""
    if not 1 <= duration_minutes <= MAX_MINUTES:
        raise ExamRefused(_("The time limit must be between 1 and %(max)d minutes.") % {"max": MAX_MINUTES},
                          status=400, field="duration_minutes")
    if opens_at and closes_at and closes_at <= opens_at:
        raise ExamRefused(_("The exam must close after it opens."), status=400, field="closes_at")
    if starts_at and ((opens_at and starts_at < opens_at) or (closes_at and starts_at >= closes_at)):
        raise ExamRefused(_("The fixed start time must be inside the exam's window."), status=400, field="starts_at")
    settings, _created = ExamSettings.objects.get_or_create(assignment=assignment)
    settings.enabled, settings.duration_minutes, settings.hold_feedback = enabled, duration_minutes, hold_feedback
    settings.starts_at, settings.opens_at, settings.closes_at = starts_at, opens_at, closes_at
    if clear_password:
        settings.password_hash = ""
    elif password:
        settings.password_hash = make_password(password)
    settings.updated_by = actor  # type: ignore[assignment]
    settings.save()
    transaction.on_commit(lambda: exam_state_forget(course_id=assignment.course_id))
    exam_state_forget(course_id=assignment.course_id)
    return settings


def exam_extension_set(
    *, assignment: Assignment, student_id: int, time_factor: Decimal, extra_minutes: int, reason: str,
    actor: AbstractBaseUser,
) -> ExamExtension:
    """Give one student more time (``time_factor`` × the limit + ``extra_minutes``); a session
    already running gets its new end at once (still never after the window closes)."""
    if course_student_get(course=assignment.course_id, user_id=student_id) is None:
        raise ExamRefused(_("Choose a student of this course."), status=400, field="student")
    if not Decimal("1") <= time_factor <= Decimal("4"):
        raise ExamRefused(_("The time factor must be between 1 and 4."), status=400, field="time_factor")
    with transaction.atomic():
        extension, _created = ExamExtension.objects.update_or_create(
            assignment=assignment, student_id=student_id,
            defaults={"time_factor": time_factor, "extra_minutes": extra_minutes, "reason": reason, "granted_by": actor},
        )
        _session_reclock(assignment=assignment, student_id=student_id)
    return extension


def exam_extension_delete(*, extension: ExamExtension) -> None:
    with transaction.atomic():
        assignment, student_id = extension.assignment, extension.student_id
        extension.delete()
        _session_reclock(assignment=assignment, student_id=student_id)


def _session_reclock(*, assignment: Assignment, student_id: int) -> None:
    """A running session's end after its extra time changed (an ended one stays ended)."""
    session = ExamSession.objects.select_for_update().filter(assignment=assignment, student_id=student_id).first()
    settings = ExamSettings.objects.filter(assignment=assignment).first()
    if session is None or settings is None or session.finished_at is not None:
        return
    now = timezone.now()
    if session.ends_at <= now:
        return
    session.ends_at = max(now, _own_end(settings=settings, student_id=student_id, start=session.started_at))
    session.save(update_fields=["ends_at"])


def _window(settings: ExamSettings, student_id: int) -> tuple[datetime | None, datetime | None]:
    """When the student may start and when everything ends: the exam's own window, else the
    student's window of the assignment (their extension applies)."""
    policy = policy_for(user_id=student_id, assignment=settings.assignment)
    return settings.opens_at or policy.opens_at, settings.closes_at or policy.closes_at


def _own_end(*, settings: ExamSettings, student_id: int, start: datetime) -> datetime:
    extension = ExamExtension.objects.filter(assignment_id=settings.assignment_id, student_id=student_id).first()
    _opens, closes = _window(settings, student_id)
    return exam_ends_at(
        start=start, minutes=settings.duration_minutes,
        factor=extension.time_factor if extension else 1, extra_minutes=extension.extra_minutes if extension else 0,
        closes_at=closes,
    )


# --- a student ---------------------------------------------------------------------------------


def exam_start_refusal(*, settings: ExamSettings, student_id: int, at: datetime) -> str | None:
    """Why the student may not start now (a translated message), or ``None``."""
    opens, closes = _window(settings, student_id)
    if opens and at < opens:
        return _("The exam opens at %(when)s.") % {"when": _when(opens)}
    if closes and at >= closes:
        return _("The exam is closed.")
    if settings.starts_at and at < settings.starts_at:
        return _("The exam starts at %(when)s.") % {"when": _when(settings.starts_at)}
    if _own_end(settings=settings, student_id=student_id, start=settings.starts_at or at) <= at:
        return _("The exam's time is over.")
    return None


def exam_start(*, user: AbstractBaseUser, assignment: Assignment, password: str = "") -> ExamSession:
    """Start the student's clock: ``ends_at`` = min(start + limit × factor + extra, window close),
    start being now, or the fixed start time. Starting again returns the same session (the clock
    never restarts)."""
    settings = ExamSettings.objects.filter(assignment=assignment, enabled=True).first()
    if settings is None:
        raise ExamRefused(_("This assignment is not an exam."), status=404)
    existing = ExamSession.objects.filter(assignment=assignment, student=user).first()
    if existing is not None:
        return existing
    if course_student_get(course=assignment.course_id, user_id=user.pk) is None:
        raise ExamRefused(_("Only students of the course take the exam."))
    now = timezone.now()
    refusal = exam_start_refusal(settings=settings, student_id=user.pk, at=now)
    if refusal is not None:
        raise ExamRefused(refusal)
    if settings.password_hash:
        if rate_limit_exceeded(user_id=user.pk, bucket="exam-password", limit=PASSWORD_TRIES_PER_MINUTE):
            raise ExamRefused(_("Too many tries. Wait a minute and try again."), status=429, field="password")
        if not isinstance(password, str) or not check_password(password, settings.password_hash):
            raise ExamRefused(_("The exam password is not right."), field="password")
    start = settings.starts_at or now
    try:
        with transaction.atomic():
            session = ExamSession.objects.create(
                assignment=assignment, student=user, started_at=start,
                ends_at=_own_end(settings=settings, student_id=user.pk, start=start),
            )
    except IntegrityError:  # a second click raced in: that one started it
        return ExamSession.objects.get(assignment=assignment, student=user)
    return session


# --- time-up -----------------------------------------------------------------------------------


def exam_session_finish(*, session_id: int, now: datetime | None = None) -> list[Submission]:
    """At (or after) the student's end: submit, as the student, the latest saved draft of each
    code question that has no submission since that draft. Runs once per question whatever
    happens (the idempotency key is the session and the question; the enrollment row is locked
    like a manual submit, so a submit that got in first is seen); the session is then marked
    finished. Quiz answers have no drafts: what was not sent is not an answer."""
    now = now or timezone.now()
    session = ExamSession.objects.select_related("assignment", "student").filter(pk=session_id).first()
    if session is None or session.finished_at is not None or session.ends_at > now:
        return []
    user = session.student
    made: list[Submission] = []
    drafts = Draft.objects.filter(user=user, question__assignment_id=session.assignment_id).select_related(
        "question__assignment", "question__current_version"
    )
    for draft in drafts:
        submission = _draft_submit(session=session, user=user, question=draft.question, draft_id=draft.pk)
        if submission is not None:
            made.append(submission)
    ExamSession.objects.filter(pk=session.pk, finished_at__isnull=True).update(finished_at=now)
    return made


def _draft_submit(*, session: ExamSession, user: AbstractBaseUser, question: Question, draft_id: int) -> Submission | None:
    if not question.is_code:
        return None
    try:
        with transaction.atomic():
            enrollment_lock(user=user, question=question)
            draft = Draft.objects.filter(pk=draft_id).first()
            if draft is None or not draft.code.strip():
                return None
            if not session.started_at <= draft.saved_at < session.ends_at:
                return None  # not written during the student's time
            latest = Submission.objects.filter(user=user, question=question).order_by("-created_at", "-id").first()
            if latest is not None and (latest.created_at >= draft.saved_at or latest.code == draft.code):
                return None  # submitted since (or exactly this): nothing typed is left unsent
            receipt = submission_create(
                user=user, question=question, code=draft.code, idempotency_key=f"exam-{session.pk}-{question.pk}",
                as_of=draft.saved_at, lang="ko",
            )
            return receipt.submission if receipt.created else None
    except SubmitRefused as refused:
        # e.g. every attempt used, or code that cannot be graded: the draft stays, staff can see it
        logger.info("exam %s: draft of question %s not submitted: %s", session.pk, question.pk, refused.message)
        return None


def exam_sessions_finish_expired(*, now: datetime | None = None, limit: int = 500) -> int:
    """Beat: finish every session whose time is up (``exam_session_finish``); how many."""
    now = now or timezone.now()
    ids = list(
        ExamSession.objects.filter(finished_at__isnull=True, ends_at__lte=now).order_by("ends_at")
        .values_list("pk", flat=True)[:limit]
    )
    for pk in ids:
        try:
            exam_session_finish(session_id=pk, now=now)
        except Exception:  # one broken session must not stop the others; the next beat tries again
            logger.exception("exam session %s could not be finished", pk)
    return len(ids)

"""Writes of the outbox: one ``OutboundEmail`` row per notification and recipient, sent after
commit (``core.jobs.job_enqueue_on_commit``). Nothing here talks to a mail server; that is the
worker's job (``announcements.sending``).

A row is only written for a student of the course with an e-mail address who has not opted
out of that kind; the worker checks the same again when it sends (they may change meanwhile).
Each row has an idempotency ``key``: asking twice for the same notification writes one row."""

from __future__ import annotations

import logging
from datetime import datetime

from assessments.models import Assignment, Question
from core.jobs import job_enqueue_on_commit
from courses.selectors import course_student_get, course_students
from django.db import IntegrityError, transaction
from django.utils import timezone
from scoring.policy import policy_for

from announcements.jobs import OUTBOX
from announcements.models import Announcement, OutboundEmail
from announcements.selectors import opted_out_user_ids, wants_email

logger = logging.getLogger(__name__)
Kind = OutboundEmail.Kind


def _row_create(*, key: str, enqueue_at: datetime | None = None, **fields: object) -> OutboundEmail | None:
    """One row (None when this key exists already), sent after commit — or, with ``enqueue_at``
    in the future, by the sweeper once that time has come."""
    try:
        with transaction.atomic():
            row = OutboundEmail.objects.create(key=key, enqueued_at=enqueue_at, **fields)
    except IntegrityError:
        return None
    if enqueue_at is None:
        job_enqueue_on_commit(OUTBOX, [row.pk])
    return row


def notify_announcement(*, announcement: Announcement) -> int:
    """E-mail the announcement to each student of its course (one message each). Returns how
    many e-mails were queued."""
    students = [e.user for e in course_students(course=announcement.course_id) if e.user.email]
    skip = opted_out_user_ids(kind=Kind.ANNOUNCEMENT, user_ids=[user.pk for user in students])
    rows = [
        OutboundEmail(kind=Kind.ANNOUNCEMENT, key=f"announcement:{announcement.pk}:{user.pk}", recipient=user,
                      course_id=announcement.course_id, announcement=announcement)
        for user in students if user.pk not in skip
    ]
    with transaction.atomic():
        # ignore_conflicts: asked twice, each student still has one row; the ids are read back
        # because not every database returns them for ignored conflicts.
        OutboundEmail.objects.bulk_create(rows, ignore_conflicts=True)
        ids = list(OutboundEmail.objects.filter(
            announcement=announcement, status=OutboundEmail.Status.QUEUED, enqueued_at__isnull=True,
        ).values_list("pk", flat=True))
        Announcement.objects.filter(pk=announcement.pk).update(emailed=True)
        job_enqueue_on_commit(OUTBOX, ids)
    return len(ids)


def notify_grade_released(*, student_id: int, question_id: int, change_id: int) -> OutboundEmail | None:
    """A manual grade was saved for the student (``score_changed`` with source manual or import):
    tell them once they may see it. Feedback shown at once: queued now; shown after the due date:
    waits until the student's own due date (the sweeper sends it then); never shown: no e-mail.
    A grade changed again before the first e-mail left is still one e-mail."""
    question = Question.objects.select_related("assignment").filter(pk=question_id).first()
    if question is None:
        return None
    assignment = question.assignment
    enrollment = course_student_get(course=assignment.course_id, user_id=student_id)
    if enrollment is None or not enrollment.user.email or not wants_email(user_id=student_id, kind=Kind.GRADE):
        return None
    if assignment.feedback_visibility == Assignment.FeedbackVisibility.NEVER:
        return None
    if OutboundEmail.objects.filter(kind=Kind.GRADE, recipient_id=student_id, question_id=question_id,
                                    status=OutboundEmail.Status.QUEUED).exists():
        return None  # one still waiting says the same: "your grade is available"
    now = timezone.now()
    policy = policy_for(user_id=student_id, assignment=assignment)
    release = None if policy.reveals_feedback(now) else policy.due_at
    if not policy.reveals_feedback(now) and release is None:
        return None  # "after the due date" without a due date is never
    return _row_create(
        key=f"grade:{question_id}:{student_id}:{change_id}", kind=Kind.GRADE, recipient_id=student_id,
        course_id=assignment.course_id, question=question, enqueue_at=release,
    )


def notify_regrade_answered(
    *, student_id: int, question_id: int, request_id: int, accepted: bool, response: str = "",
    new_score: float | None = None,
) -> OutboundEmail | None:
    """Called by ``regrade_requests.services.regrade_request_answer`` (inside the transaction that
    stores the answer) when staff answer a student's regrade request ``request_id``. ``accepted``: whether the score
    was changed; ``response``: the staff's reply, quoted in the e-mail as plain text. One e-mail
    per request, however often this is called. None when nothing is sent (not a student with an
    address, or opted out)."""
    question = Question.objects.select_related("assignment").filter(pk=question_id).first()
    if question is None:
        return None
    course_id = question.assignment.course_id
    enrollment = course_student_get(course=course_id, user_id=student_id)
    if enrollment is None or not enrollment.user.email or not wants_email(user_id=student_id, kind=Kind.REGRADE):
        return None
    return _row_create(
        key=f"regrade:{request_id}", kind=Kind.REGRADE, recipient_id=student_id, course_id=course_id,
        question=question, context={"accepted": bool(accepted), "response": response[:5000], "new_score": new_score},
    )

"""The worker's side of the outbox: claim a row, check it is still wanted, compose it in the
recipient's language and hand it to Django's e-mail backend (``EMAIL_BACKEND``), one message
addressed to that one recipient.

Never two copies: the claim lets one worker send a row; ``send_started_at`` is written before
the message goes to the mail server, so a row whose worker was lost after that point is ended
(``failed``, saying it may have been sent) instead of sent again; a redelivered task finds the
row ``sent`` and does nothing. A mail server that cannot be reached is retried with the ``mail``
backoff of ``JOB_RETRY_POLICIES``."""

from __future__ import annotations

import logging
import smtplib

from assessments.models import Assignment
from core.jobs import job_claim, job_finish, job_retry_later
from courses.selectors import course_student_get
from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.core.mail.utils import DNS_NAME
from django.utils import timezone
from scoring.policy import policy_for

from announcements.compose import email_compose
from announcements.jobs import OUTBOX
from announcements.models import OutboundEmail
from announcements.selectors import preference_get

logger = logging.getLogger(__name__)
Status = OutboundEmail.Status
# What a mail server outage looks like; anything else is a bug, left to the sweeper and logs.
TEMPORARY = (smtplib.SMTPException, OSError)


def _not_wanted(row: OutboundEmail) -> str | None:
    """Why this e-mail is no longer to be sent, or None."""
    if not row.recipient.email:
        return "the recipient has no e-mail address"
    if course_student_get(course=row.course_id, user_id=row.recipient_id) is None:
        return "the recipient is no longer a student of the course"
    preference = preference_get(user=row.recipient)
    if not getattr(preference, {"announcement": "announcements", "grade": "grades", "regrade": "regrades"}[row.kind]):
        return "the recipient opted out"
    return None


def email_send(*, email_id: int, worker: str) -> str:
    """Send one outbox row. Returns its new status (``not_claimed`` for a duplicate task)."""
    if not job_claim(OUTBOX, email_id, worker=worker):
        return "not_claimed"
    row = OutboundEmail.objects.select_related(
        "recipient", "course", "announcement", "question__assignment"
    ).get(pk=email_id)

    def finish(status: str, **fields: object) -> str:
        job_finish(OUTBOX, row.pk, worker=row.worker, status=status, **fields)
        return status

    if row.send_started_at is not None:
        return finish(Status.FAILED, last_error="an earlier send was interrupted and may have reached the "
                                                "recipient; not sent again")
    reason = _not_wanted(row)
    if reason:
        return finish(Status.SKIPPED, last_error=reason)
    if row.kind == OutboundEmail.Kind.GRADE:
        assert row.question is not None
        assignment = row.question.assignment
        now = timezone.now()
        policy = policy_for(user_id=row.recipient_id, assignment=assignment)
        if not policy.reveals_feedback(now):
            if assignment.feedback_visibility != Assignment.FeedbackVisibility.AFTER_DUE or policy.due_at is None:
                return finish(Status.SKIPPED, last_error="the grade is not shown to the student")
            # An extension moved the due date: wait for it (not a failure, no try used).
            OutboundEmail.objects.filter(pk=row.pk, status=Status.SENDING, worker=row.worker).update(
                status=Status.QUEUED, claimed_at=None, worker="", enqueued_at=policy.due_at,
            )
            return Status.QUEUED
    composed = email_compose(row=row, language=preference_get(user=row.recipient).language)
    message = EmailMessage(
        subject=composed.subject, body=composed.body, from_email=settings.DEFAULT_FROM_EMAIL,
        to=[row.recipient.email],  # one recipient per message: no student sees another's address
        headers={"Message-ID": f"<dlgrade.outbox.{row.pk}@{DNS_NAME}>", "Auto-Submitted": "auto-generated"},
    )
    if not OutboundEmail.objects.filter(pk=row.pk, status=Status.SENDING, worker=row.worker).update(
        send_started_at=timezone.now()
    ):
        return "not_claimed"  # the sweeper released it meanwhile; whoever holds it now sends it
    try:
        get_connection().send_messages([message])
    except TEMPORARY as error:
        # Refused before the message was accepted: safe to try again later.
        text = f"{type(error).__name__}: {error}"[:2000]
        logger.warning("e-mail %s not sent (%s); retrying later", row.pk, text)
        OutboundEmail.objects.filter(pk=row.pk, status=Status.SENDING, worker=row.worker).update(
            send_started_at=None, last_error=text,
        )
        if job_retry_later(OUTBOX, row.pk, worker=row.worker, failures=row.tries + 1, message=text):
            return Status.QUEUED
        return Status.FAILED
    except Exception as error:
        # Not an outage: a bug or a message the backend refuses. Whether it left is unknown, so
        # it is not retried; the row says why.
        logger.exception("e-mail %s failed", row.pk)
        return finish(Status.FAILED, last_error=f"{type(error).__name__}: {error}"[:2000])
    return finish(Status.SENT, sent_at=timezone.now(), last_error="")

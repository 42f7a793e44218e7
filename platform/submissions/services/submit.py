"""Taking a code submission: validate, store the row, enqueue after commit (DESIGN data flow 1)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from assessments.models import Question
from assessments.seeds import attempt_seed
from core.jobs import Sent, job_enqueue_on_commit
from core.ratelimit import rate_limit_exceeded
from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from scoring.policy import StudentPolicy

from grader.submission import MAX_CODE_BYTES, Unacceptable, decode_submission
from submissions.jobs import SUBMISSIONS
from submissions.models import Submission
from submissions.services.errors import SubmitRefused
from submissions.services.policy import enrollment_lock, submission_policy_check

if TYPE_CHECKING:
    from assessments.selectors import MemberQuestion

logger = logging.getLogger(__name__)
MAX_KEY_LENGTH = 64


@dataclass
class SubmitReceipt:
    submission: Submission
    created: bool
    message: str = ""  # non-empty when stored but not yet handed to the grading queue


def code_accept(code: object, *, allow_empty: bool = False) -> str:
    """The code as text, or ``SubmitRefused`` with a message the student can act on."""
    if not isinstance(code, str):
        raise SubmitRefused(_("The request must contain the code as text."), status=400)
    size = len(code.encode("utf-8", errors="surrogatepass"))
    if size > MAX_CODE_BYTES:
        raise SubmitRefused(
            _("Your code is %(size)s bytes; the limit is %(limit)s bytes.")
            % {"size": f"{size:,}", "limit": f"{MAX_CODE_BYTES:,}"},
            status=413,
        )
    if allow_empty and not code.strip():
        return code
    try:
        return decode_submission(code)
    except Unacceptable as error:
        raise SubmitRefused(_("This code cannot be graded: %(reason)s") % {"reason": error}, status=400) from None


def submission_create(
    *, user: AbstractBaseUser, question: Question, code: object, idempotency_key: str, lang: str = "ko",
    as_of: datetime | None = None, admitted: MemberQuestion | None = None,
) -> SubmitReceipt:
    """Store the submission (status queued) and enqueue it after commit.

    The same ``idempotency_key`` from the same user returns the first submission unchanged, so a
    retried request (double click, flaky network) never creates a second attempt.

    ``as_of``: a submission the platform makes on the student's behalf, as of that instant (the
    exams app submits a draft at time-up as of when it was saved): the rules, the late credit
    and ``created_at`` are those of that instant, and the per-minute rate limit does not apply.
    Never taken from a request.

    ``admitted``: the student's access to the question as the request's lookup
    (``question_access_for_member``) found it; the submit rule reuses what it read
    (``submission_policy_check``).
    """
    if not isinstance(idempotency_key, str) or not 8 <= len(idempotency_key) <= MAX_KEY_LENGTH:
        raise SubmitRefused(_("The request needs an idempotency key."), status=400)
    existing = Submission.objects.filter(user=user, idempotency_key=idempotency_key).first()
    if existing is not None:
        return _receipt_for_existing(existing, question)
    text = code_accept(code)
    now = as_of or timezone.now()
    try:
        with transaction.atomic():
            enrollment = enrollment_lock(user=user, question=question)
            used, made = _attempt_counts(user=user, question=question)
            policy = submission_policy_check(
                enrollment=enrollment, question=question, used=used, at=now, admitted=admitted,
            )
            if as_of is None and rate_limit_exceeded(user_id=user.pk):
                raise SubmitRefused(
                    _("Too many submissions in a minute. Wait a moment and try again."), status=429
                )
            submission, sent = submission_record(
                user=user, question=question, code=text, lang=lang, policy=policy, at=now,
                idempotency_key=idempotency_key, made=made,
            )
    except IntegrityError:
        # The same key raced in from a second request: that one won; answer with its row.
        existing = Submission.objects.filter(user=user, idempotency_key=idempotency_key).first()
        if existing is None:
            raise
        return _receipt_for_existing(existing, question)
    message = "" if sent.ok else queue_down_message()
    return SubmitReceipt(submission=submission, created=True, message=message)


def _attempt_counts(*, user: AbstractBaseUser, question: Question) -> tuple[int, int]:
    """(attempts used, submissions made) at this question, in one query (the enrollment row is
    locked by the caller, so neither changes before the new row is written)."""
    counts = Submission.objects.filter(user=user, question=question).aggregate(
        made=Count("id"), used=Count("id", filter=Q(counts_as_attempt=True)),
    )
    return counts["used"], counts["made"]


def submission_record(
    *, user: AbstractBaseUser, question: Question, code: str, lang: str, policy: StudentPolicy,
    at: datetime, idempotency_key: str, made: int | None = None,
) -> tuple[Submission, Sent]:
    """Store an admitted submission made at ``at`` (status queued) and enqueue it after commit: the
    one place a code submission row is written (the submit service, and the demo class replaying
    a term). The worker grades it with the student's policy at ``at``. ``made``: the student's
    submissions at this question so far, when the caller counted them under the enrollment lock.

    The row is written with ``enqueued_at`` already set (the send follows the commit), so a
    submission costs one write transaction on the web side; a failed send sets it back to NULL."""
    if made is None:
        made = Submission.objects.filter(user=user, question=question).count()
    attempt = made + 1
    submission = Submission.objects.create(
        user=user, question=question, version_id=question.current_version_id,
        idempotency_key=idempotency_key, code=code, lang=lang,
        seed=attempt_seed(user_id=user.pk, question_id=question.pk, attempt=attempt),
        attempt=attempt, late_days=policy.days_late(at), max_score=question.points, created_at=at,
        enqueued_at=timezone.now(),
    )
    return submission, job_enqueue_on_commit(SUBMISSIONS, [submission.pk], marked=True)


def _receipt_for_existing(existing: Submission, question: Question) -> SubmitReceipt:
    if existing.question_id != question.pk:
        raise SubmitRefused(_("This idempotency key was already used for another question."), status=409)
    waiting = existing.status == Submission.Status.QUEUED and existing.enqueued_at is None
    return SubmitReceipt(submission=existing, created=False, message=queue_down_message() if waiting else "")


def queue_down_message() -> str:
    return _("Saved; grading will start when the grading service is back.")

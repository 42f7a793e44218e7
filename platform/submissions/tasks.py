"""Celery tasks: they take ids and call one service each."""

from __future__ import annotations

import time

from celery import shared_task
from config.health import grading_pace
from core.jobs import worker_name

from submissions.services.grade import GradeOutcome, submission_grade


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def grade_submission(self, submission_id: int) -> str:  # type: ignore[no-untyped-def]
    started = time.monotonic()
    outcome = submission_grade(submission_id=submission_id, worker=worker_name(self.request.hostname))
    if outcome in (GradeOutcome.GRADED, GradeOutcome.FAILED):  # a grading this slot really did
        grading_pace.record(time.monotonic() - started)
    return outcome.value



@shared_task(ignore_result=True, acks_late=False)
def prepare_references(version_id: int, seeds: list[int], next_attempt: list[int] | None = None) -> int:
    """Best effort, off the critical path: reference results for attempts not yet made.
    ``next_attempt`` = [user id, question id, attempt]: skip when that attempt was made meanwhile."""
    from submissions.services.references import references_prepare

    return references_prepare(version_id=version_id, seeds=seeds, next_attempt=next_attempt)


@shared_task(ignore_result=True, acks_late=False)
def fingerprint_submissions(submission_ids: list[int]) -> int:
    """Best effort, after grading: the similarity page's fingerprints of these submissions, or,
    given none, of every one pending in the batch (``submissions.services.fingerprints``)."""
    from insights.similarity_report import similarity_fingerprints_warm

    from submissions.services.fingerprints import fingerprints_pending_take

    return similarity_fingerprints_warm(submission_ids=submission_ids or fingerprints_pending_take())

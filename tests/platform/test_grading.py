"""The worker side: compare-and-swap claim, grading with the grader, infrastructure failures."""

from __future__ import annotations

from datetime import timedelta

import pytest
from core.jobs import job_claim, retry_policy
from django.utils import timezone
from submissions.jobs import SUBMISSIONS
from submissions.models import Submission
from submissions.services import grade as grade_service
from submissions.services.grade import GradeOutcome, submission_grade
from submissions.services.submit import submission_create

from grader.errors import GraderUnavailable
from tests.platform.conftest import CORRECT_SCALE, WRONG_SCALE

S = Submission.Status


def queued(user, question, code=CORRECT_SCALE, key="key-00000001") -> Submission:  # type: ignore[no-untyped-def]
    return submission_create(user=user, question=question, code=code, idempotency_key=key).submission


def test_two_claims_one_wins(student, code_question):
    submission = queued(student, code_question)
    assert job_claim(SUBMISSIONS, submission.pk, worker="w1") is True
    assert job_claim(SUBMISSIONS, submission.pk, worker="w2") is False
    submission.refresh_from_db()
    assert submission.status == S.RUNNING and submission.worker == "w1"


def test_a_correct_submission_gets_full_marks(student, code_question, inprocess):
    submission = queued(student, code_question)
    assert submission_grade(submission_id=submission.pk, worker="w") is GradeOutcome.GRADED
    submission.refresh_from_db()
    assert submission.status == S.GRADED and submission.verdict == "passed"
    assert submission.score == pytest.approx(code_question.points)
    assert [check["passed"] for check in submission.results["checks"]] == [True, True, True]
    assert submission.counts_as_attempt


def test_a_wrong_submission_gets_partial_or_no_credit(student, code_question, inprocess):
    submission = queued(student, code_question, code=WRONG_SCALE)
    submission_grade(submission_id=submission.pk, worker="w")
    submission.refresh_from_db()
    assert submission.status == S.GRADED and submission.verdict in ("failed", "partial")
    assert submission.score < code_question.points


def test_a_redelivered_task_does_not_grade_twice(student, code_question, inprocess):
    submission = queued(student, code_question)
    submission_grade(submission_id=submission.pk, worker="w1")
    graded_at = Submission.objects.get(pk=submission.pk).graded_at
    assert submission_grade(submission_id=submission.pk, worker="w2") is GradeOutcome.NOT_CLAIMED
    assert Submission.objects.get(pk=submission.pk).graded_at == graded_at


def test_sandbox_failure_requeues_without_using_an_attempt(student, code_question, monkeypatch, queue):
    def unavailable(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise GraderUnavailable("zygote died")

    monkeypatch.setattr(grade_service, "grade_code", unavailable)
    assignment = code_question.assignment
    assignment.max_attempts = 1
    assignment.save()
    submission = queued(student, code_question)
    assert submission_grade(submission_id=submission.pk, worker="w") is GradeOutcome.REQUEUED
    submission.refresh_from_db()
    assert submission.status == S.QUEUED and submission.infra_failures == 1
    assert submission.enqueued_at > timezone.now()  # backoff: not due for the sweeper yet
    assert queue.sent == [submission.pk]  # a retry was scheduled
    assert submission.score is None and submission.results is None


def test_repeated_sandbox_failures_end_in_error_that_costs_no_attempt(student, code_question, monkeypatch):
    monkeypatch.setattr(grade_service, "grade_code", lambda *a, **k: (_ for _ in ()).throw(GraderUnavailable("x")))
    submission = queued(student, code_question)
    Submission.objects.filter(pk=submission.pk).update(infra_failures=retry_policy("sandbox").max_tries - 1)
    assert submission_grade(submission_id=submission.pk, worker="w") is GradeOutcome.FAILED
    submission.refresh_from_db()
    assert submission.status == S.ERROR and not submission.counts_as_attempt


def test_late_penalty_scales_the_score(student, code_question, inprocess):
    assignment = code_question.assignment
    assignment.due_at = timezone.now() - timedelta(hours=30)  # two days (started) late
    assignment.late_penalty_per_day = 0.1
    assignment.save()
    submission = queued(student, code_question)
    submission_grade(submission_id=submission.pk, worker="w")
    submission.refresh_from_db()
    assert submission.late_days == 2
    assert submission.raw_score == pytest.approx(3.0)
    assert submission.score == pytest.approx(code_question.points * 0.8)


def test_empty_looking_code_is_rejected_and_does_not_count(student, code_question, inprocess):
    submission = queued(student, code_question, code="   # nothing\n")
    submission_grade(submission_id=submission.pk, worker="w")
    submission.refresh_from_db()
    assert submission.status == S.GRADED
    assert submission.counts_as_attempt == (submission.verdict != "rejected")


def test_concurrent_claims_from_many_threads_have_exactly_one_winner(transactional_db, student, code_question):
    import threading

    from django.db import connection

    submission = queued(student, code_question)
    barrier = threading.Barrier(6)
    wins: list[bool] = []

    def claim(name: str) -> None:
        barrier.wait()
        try:
            wins.append(job_claim(SUBMISSIONS, submission.pk, worker=name))
        finally:
            connection.close()  # each thread has its own connection

    threads = [threading.Thread(target=claim, args=(f"w{i}",)) for i in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(wins) == [False] * 5 + [True]

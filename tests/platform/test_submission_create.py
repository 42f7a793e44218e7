"""submission_create: idempotency, size, window, attempts, late days, rate limit, queue outage."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from submissions.models import Submission
from submissions.services.errors import SubmitRefused
from submissions.services.submit import submission_create

from tests.platform.conftest import CORRECT_SCALE


def submit(user, question, key="key-00000001", code=CORRECT_SCALE):  # type: ignore[no-untyped-def]
    return submission_create(user=user, question=question, code=code, idempotency_key=key)


def test_it_stores_a_queued_row_and_enqueues_after_commit(student, code_question, queue, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        receipt = submit(student, code_question)
    submission = receipt.submission
    assert receipt.created and receipt.message == ""
    assert submission.status == Submission.Status.QUEUED
    assert submission.version_id == code_question.current_version_id
    assert queue.sent == [submission.pk]
    submission.refresh_from_db()
    assert submission.enqueued_at is not None


def test_the_same_key_twice_returns_the_same_submission(student, code_question):
    first = submit(student, code_question)
    second = submit(student, code_question)
    assert second.submission.pk == first.submission.pk and not second.created
    assert Submission.objects.filter(user=student).count() == 1


def test_another_key_is_another_attempt(student, code_question):
    first = submit(student, code_question, key="key-00000001")
    second = submit(student, code_question, key="key-00000002")
    assert (first.submission.attempt, second.submission.attempt) == (1, 2)


def test_every_attempt_draws_fresh_inputs(student, fellow, code_question):
    """Feedback on one attempt must not describe the next attempt's inputs (no copying forward)."""
    mine = [submit(student, code_question, key=f"key-0000000{n}").submission for n in range(3)]
    theirs = submit(fellow, code_question, key="key-00000009").submission
    assert len({row.seed for row in mine} | {theirs.seed}) == 4


def test_the_same_key_from_another_student_is_independent(student, fellow, code_question):
    mine = submit(student, code_question)
    theirs = submit(fellow, code_question)
    assert mine.submission.pk != theirs.submission.pk


def test_a_broker_outage_keeps_the_row_queued_and_says_so(transactional_db, student, code_question, queue):
    # Outside any outer transaction (as in a request), on_commit runs as the service commits.
    queue.down = True
    receipt = submit(student, code_question)
    submission = Submission.objects.get(pk=receipt.submission.pk)
    assert submission.status == Submission.Status.QUEUED and submission.enqueued_at is None
    assert "grading service" in receipt.message or "채점" in receipt.message


def test_oversized_code_is_refused_with_413(student, code_question):
    with pytest.raises(SubmitRefused) as refused:
        submit(student, code_question, code="x = 1\n" * 50_000)
    assert refused.value.status == 413 and "262,144" in refused.value.message
    assert not Submission.objects.exists()


def test_a_missing_key_is_refused(student, code_question):
    with pytest.raises(SubmitRefused) as refused:
        submit(student, code_question, key="")
    assert refused.value.status == 400


def test_attempt_limit_refuses_the_next_submission(student, code_question):
    assignment = code_question.assignment
    assignment.max_attempts = 1
    assignment.save()
    submit(student, code_question, key="key-00000001")
    with pytest.raises(SubmitRefused) as refused:
        submit(student, code_question, key="key-00000002")
    assert refused.value.status == 403


def test_a_submission_that_did_not_count_frees_its_attempt(student, code_question):
    assignment = code_question.assignment
    assignment.max_attempts = 1
    assignment.save()
    first = submit(student, code_question, key="key-00000001").submission
    Submission.objects.filter(pk=first.pk).update(status=Submission.Status.ERROR, counts_as_attempt=False)
    assert submit(student, code_question, key="key-00000002").created


def test_staff_are_not_limited_by_attempts_or_the_window(instructor, code_question):
    assignment = code_question.assignment
    assignment.max_attempts = 1
    assignment.closes_at = timezone.now() - timedelta(days=1)
    assignment.save()
    submit(instructor, code_question, key="key-00000001")
    assert submit(instructor, code_question, key="key-00000002").created


@pytest.mark.parametrize(("field", "delta"), [("opens_at", timedelta(days=1)), ("closes_at", -timedelta(minutes=1))])
def test_a_closed_window_refuses_students(student, code_question, field, delta):
    assignment = code_question.assignment
    setattr(assignment, field, timezone.now() + delta)
    assignment.save()
    with pytest.raises(SubmitRefused) as refused:
        submit(student, code_question)
    assert refused.value.status == 403


def test_late_submissions_record_whole_days_late(student, code_question):
    assignment = code_question.assignment
    assignment.due_at = timezone.now() - timedelta(days=1, hours=2)
    assignment.save()
    assert submit(student, code_question).submission.late_days == 2


def test_the_rate_limit_refuses_the_seventh_submission_in_a_minute(student, code_question, settings):
    settings.SUBMIT_RATE_PER_MINUTE = 6
    for number in range(6):
        submit(student, code_question, key=f"key-0000000{number}")
    with pytest.raises(SubmitRefused) as refused:
        submit(student, code_question, key="key-00000099")
    assert refused.value.status == 429
    # A retried request (same key) is not a new submission and is never rate limited.
    assert not submit(student, code_question, key="key-00000001").created


def test_outsiders_cannot_submit(outsider, code_question):
    with pytest.raises(SubmitRefused) as refused:
        submit(outsider, code_question)
    assert refused.value.status == 403


def test_a_submit_costs_one_write_transaction_and_no_write_after_the_send(
    transactional_db, student, code_question, queue
):
    """The row is written with ``enqueued_at`` set (core.jobs ``marked``): the send after commit
    writes nothing more when the broker takes it."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        receipt = submit(student, code_question)
    writes = [q["sql"] for q in captured.captured_queries if q["sql"].startswith(("UPDATE", "INSERT", "DELETE"))]
    assert len(writes) == 1 and writes[0].startswith("INSERT")
    assert queue.sent == [receipt.submission.pk]
    assert Submission.objects.get(pk=receipt.submission.pk).enqueued_at is not None


def test_attempt_numbers_count_every_submission_but_only_counted_attempts_are_used(student, code_question):
    first = submit(student, code_question, key="key-00000001").submission
    Submission.objects.filter(pk=first.pk).update(counts_as_attempt=False, status=Submission.Status.ERROR)
    second = submit(student, code_question, key="key-00000002").submission
    assert second.attempt == 2  # a new seed, even though the first did not use an attempt

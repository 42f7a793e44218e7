"""What the worker spends around a grading, outside the sandbox: the receivers of
``score_changed`` decide from what the signal carries (source, submission, assignment) and mostly
return without a query; similarity fingerprints are requested into a Redis set and one task
fingerprints the batch (submissions/services/fingerprints.py)."""

from __future__ import annotations

import pytest
from core.redis_client import redis_client
from django.db import connection
from django.test.utils import CaptureQueriesContext
from scoring.models import ScoreChange
from scoring.signals import score_changed
from submissions import tasks
from submissions.services import fingerprints
from submissions.services.grade import GradeOutcome, submission_grade
from submissions.services.references import submission_followups_send
from submissions.services.submit import submission_create

from tests.platform.conftest import CORRECT_SCALE, make_user
from tests.stack import redis_server  # noqa: F401 (fixture)

# Pinned: the whole grading of a code submission in a warm worker (claim, load, store, score
# change, follow-ups), of which the receivers of ``score_changed`` now cost one (the LTI links of
# the assignment; it was four: the ScoreChange row twice, the question's assignment, the links).
GRADING_QUERIES = 8
RECEIVER_QUERIES = 1


def _submit(user, question, key: str, code: str = CORRECT_SCALE):  # type: ignore[no-untyped-def]
    return submission_create(user=user, question=question, code=code, idempotency_key=key).submission


def test_a_grading_costs_a_pinned_number_of_queries(student, fellow, code_question, inprocess, monkeypatch,
                                                   django_capture_on_commit_callbacks):
    # A worker's steady state: it has parsed the question's version already (a first grading
    # reads the version's files once per process, ``core.executor.code_question_cached``).
    warm = _submit(fellow, code_question, "key-00000000")
    assert submission_grade(submission_id=warm.pk, worker="w") is GradeOutcome.GRADED
    receiver_queries: list[int] = []
    send = score_changed.send

    def counted(*args, **kwargs):  # type: ignore[no-untyped-def]
        with CaptureQueriesContext(connection) as during:
            result = send(*args, **kwargs)
        receiver_queries.append(len(during.captured_queries))
        return result

    monkeypatch.setattr(score_changed, "send", counted)
    submission = _submit(student, code_question, "key-00000001")
    with CaptureQueriesContext(connection) as queries, django_capture_on_commit_callbacks(execute=True):
        assert submission_grade(submission_id=submission.pk, worker="w") is GradeOutcome.GRADED
    assert receiver_queries == [RECEIVER_QUERIES]
    assert len(queries.captured_queries) == GRADING_QUERIES, [q["sql"][:90] for q in queries.captured_queries]


def test_the_signal_says_what_receivers_decide_on(student, code_question, inprocess,
                                                  django_capture_on_commit_callbacks):
    received: list[dict] = []

    def receiver(sender, **kwargs):  # type: ignore[no-untyped-def]
        received.append(kwargs)

    score_changed.connect(receiver, dispatch_uid="test.worker_costs")
    try:
        submission = _submit(student, code_question, "key-00000001")
        with django_capture_on_commit_callbacks(execute=True):
            submission_grade(submission_id=submission.pk, worker="w")
    finally:
        score_changed.disconnect(dispatch_uid="test.worker_costs")
    (kwargs,) = received
    change = ScoreChange.objects.get(pk=kwargs["change_id"])
    assert kwargs["source"] == change.source == ScoreChange.Source.GRADED
    assert kwargs["submission_id"] == change.submission_id == submission.pk
    assert kwargs["assignment_id"] == code_question.assignment_id
    assert (kwargs["student_id"], kwargs["question_id"]) == (student.pk, code_question.pk)


def test_receivers_without_the_new_arguments_still_look_them_up(student, code_question, inprocess):
    """A sender that passes only the ids (an older one, a test) gets the same decisions, with queries."""
    submission = _submit(student, code_question, "key-00000001")
    submission_grade(submission_id=submission.pk, worker="w")
    change = ScoreChange.objects.get(submission=submission)
    with CaptureQueriesContext(connection) as queries:
        score_changed.send(sender=ScoreChange, student_id=student.pk, question_id=code_question.pk,
                           change_id=change.pk)
    assert len(queries.captured_queries) == 3  # the row (code review), the row (e-mail), the links


@pytest.fixture
def pending(redis_server, settings, monkeypatch):  # type: ignore[no-untyped-def]  # noqa: F811
    """A real Redis for the pending set, and the sent tasks recorded."""
    import redis

    settings.CACHE_BACKEND = "redis"
    settings.REDIS_URL = redis_server.url  # the shared client (core.redis_client) follows it
    client = redis.Redis.from_url(redis_server.url)
    client.delete(fingerprints.PENDING_KEY, fingerprints.SCHEDULED_KEY)
    sent: list[tuple[list, float | None]] = []
    monkeypatch.setattr(tasks.fingerprint_submissions, "apply_async",
                        lambda args, countdown=None, queue=None, **_: sent.append((args[0], countdown)))
    yield sent
    client.delete(fingerprints.PENDING_KEY, fingerprints.SCHEDULED_KEY)
    client.close()


def test_fingerprints_are_requested_in_batches(course, code_question, pending, monkeypatch, settings):
    from insights import similarity_report

    users = []
    for index in range(3):
        user = make_user(f"s{index}")
        course.enrollments.create(user=user, role="student")
        users.append(user)
    submissions = [_submit(user, code_question, f"key-0000000{index}",
                           code=CORRECT_SCALE + f"\n\ndef extra_{index}(y):\n    return y * {index}\n")
                   for index, user in enumerate(users)]
    for submission in submissions:
        submission_followups_send(submission=submission)
    assert pending == [([], settings.FINGERPRINT_BATCH_MS / 1000)]  # one task for the three
    assert tasks.fingerprint_submissions([]) == 3
    assert tasks.fingerprint_submissions([]) == 0  # drained
    calls: list[int] = []
    monkeypatch.setattr(similarity_report.similarity, "document_build",
                        lambda **kwargs: calls.append(1))  # the page must not fingerprint again
    assert similarity_report.question_similarity(question=code_question).compared == 3
    assert calls == []
    submission_followups_send(submission=submissions[0])  # after a drain: the next batch is sent
    assert pending[1:] == [([], settings.FINGERPRINT_BATCH_MS / 1000)]


def test_without_redis_each_submission_is_sent_on_its_own(student, code_question, pending, monkeypatch):
    class Down:
        def pipeline(self, **_):  # type: ignore[no-untyped-def]
            raise ConnectionError("Redis is down")

    monkeypatch.setattr(fingerprints, "redis_client", Down)
    submission = _submit(student, code_question, "key-00000001")
    submission_followups_send(submission=submission)
    assert pending == [([submission.pk], None)]
    assert tasks.fingerprint_submissions([submission.pk]) == 1


def test_a_broker_outage_lets_the_next_submission_schedule_the_batch(student, code_question, pending, monkeypatch):
    def down(*_, **__):  # type: ignore[no-untyped-def]
        raise ConnectionError("broker down")

    submission = _submit(student, code_question, "key-00000001")
    monkeypatch.setattr(tasks.fingerprint_submissions, "apply_async", down)
    submission_followups_send(submission=submission)
    assert not redis_client().exists(fingerprints.SCHEDULED_KEY)
    assert fingerprints.fingerprints_pending_take() == [submission.pk]  # still pending meanwhile

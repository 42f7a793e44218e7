"""Reference results ahead of attempts (core/reference_cache.py, submissions/services/references.py):
after a graded attempt the next attempt's reference is sent for precompute, a first attempt's for
every enrolled student, and the worker's grading then runs only the student's code."""

from __future__ import annotations

import pytest
from assessments.seeds import attempt_seed
from core import reference_cache
from submissions import tasks
from submissions.models import Submission
from submissions.services import references as references_service
from submissions.services.grade import GradeOutcome, submission_grade
from submissions.services.submit import submission_create

from grader import runner
from grader.reference_store import SharedReferences
from tests.grader.core.test_reference_store import CountingExecutor, DictStore
from tests.platform.conftest import CORRECT_SCALE
from tests.stack import redis_server  # noqa: F401 (fixture)


@pytest.fixture
def store(monkeypatch: pytest.MonkeyPatch, settings):  # type: ignore[no-untyped-def]
    """A shared store in memory, an empty process cache, and precompute tasks recorded."""
    settings.GRADER_REFERENCE_CACHE = "redis"
    backing = DictStore()
    reference_cache.shared_references_reset(SharedReferences(store=backing, secret=b"s" * 32))
    monkeypatch.setattr(runner, "_reference_cache", type(runner._reference_cache)())
    monkeypatch.setattr(runner, "_reference_cache_bytes", 0)
    sent: list[tuple[int, list[int]]] = []
    monkeypatch.setattr(tasks.prepare_references, "apply_async",
                        lambda args, queue=None, **_: sent.append((args[0], args[1])))
    yield backing, sent
    reference_cache.shared_references_reset(None)


@pytest.fixture
def counting(monkeypatch: pytest.MonkeyPatch, inprocess):  # type: ignore[no-untyped-def]
    from core import executor as core_executor

    from grader.harness.inprocess import InProcessExecutor

    executor = CountingExecutor(InProcessExecutor())
    monkeypatch.setattr(core_executor, "executor_get", lambda: executor)
    monkeypatch.setattr("submissions.services.grade.executor_get", lambda: executor)
    monkeypatch.setattr(references_service, "executor_get", lambda: executor)
    return executor


def _submit(student, question, key):  # type: ignore[no-untyped-def]
    return submission_create(user=student, question=question, code=CORRECT_SCALE, idempotency_key=key).submission


def test_a_graded_attempt_sends_the_next_attempts_references(student, code_question, store, counting, settings):
    _, sent = store
    settings.GRADER_REFERENCE_AHEAD = 3
    submission = _submit(student, code_question, "key-00000001")
    assert submission_grade(submission_id=submission.pk, worker="w") is GradeOutcome.GRADED
    window = [attempt_seed(user_id=student.pk, question_id=code_question.pk, attempt=attempt)
              for attempt in (2, 3, 4)]
    assert sent == [(code_question.current_version_id, window)]


def test_the_window_is_topped_up_in_one_job_while_one_attempt_is_left(student, code_question, store, counting,
                                                                      settings, monkeypatch):
    settings.GRADER_REFERENCE_AHEAD = 3
    calls: list[tuple] = []
    monkeypatch.setattr(tasks.prepare_references, "apply_async",
                        lambda args, kwargs=None, queue=None, **_: calls.append((args, kwargs or {})))

    def attempt(number):  # submit, grade, then run the top-up task it sent (None: it sent none)
        sent_before = len(calls)
        submission = _submit(student, code_question, f"key-{number:08d}")
        submission_grade(submission_id=submission.pk, worker="w")
        if len(calls) == sent_before:
            return None
        args, kwargs = calls[-1]
        return tasks.prepare_references(*args, **kwargs)

    assert attempt(1) == 3 and counting.references == 2  # its own reference, then 2..4 in one job
    # graded from the window, 3 and 4 left: the worker sends no task at all
    assert attempt(2) is None and counting.references == 2
    # graded from the window, which now holds only 4: 5 and 6 in one job, while 4 waits ready
    assert attempt(3) == 2 and counting.references == 3
    assert attempt(4) is None and counting.references == 3  # graded from the window; 5 and 6 left
    assert attempt(5) == 2 and counting.references == 4  # 6 left: 7 and 8
    for number in range(2, 6):
        assert _graded(student, code_question, number).timings["reference_ms"] == 0  # all from the window


def test_a_top_up_late_behind_a_burst_still_serves_the_attempts_after_the_next(
        student, code_question, store, counting, settings, monkeypatch):
    """The batch sent after attempt 3 is for attempts 5 and 6 (4 is prepared): when the queue
    reaches it only after attempt 4 was made, it still runs, since 5 and 6 are still to come."""
    settings.GRADER_REFERENCE_AHEAD = 3
    calls: list[tuple] = []
    monkeypatch.setattr(tasks.prepare_references, "apply_async",
                        lambda args, kwargs=None, queue=None, **_: calls.append((args, kwargs or {})))
    for number in (1, 2, 3):
        submission_grade(submission_id=_submit(student, code_question, f"key-{number:08d}").pk, worker="w")
        if number == 1:
            tasks.prepare_references(*calls[0][0], **calls[0][1])  # 2..4
    (_, late), = [(args, kwargs) for args, kwargs in calls[1:]]
    assert late["next_attempt"][2] == 5
    fourth = _submit(student, code_question, "key-00000004")
    submission_grade(submission_id=fourth.pk, worker="w")
    fourth.refresh_from_db()
    assert fourth.timings["reference_ms"] == 0
    args, kwargs = calls[1]
    assert tasks.prepare_references(*args, **kwargs) == 2  # 5 and 6, though attempt 4 exists


def _graded(student, question, attempt):  # type: ignore[no-untyped-def]
    return Submission.objects.get(user=student, question=question, attempt=attempt)


def test_the_next_attempt_finds_its_reference_ready(student, code_question, store, counting, settings):
    _, sent = store
    settings.GRADER_REFERENCE_AHEAD = 1
    first = _submit(student, code_question, "key-00000001")
    submission_grade(submission_id=first.pk, worker="w")
    assert counting.references == 1
    version_id, seeds = sent[-1]
    assert tasks.prepare_references(version_id, seeds) == 1  # the worker, off the critical path
    assert counting.references == 2
    runner._reference_cache.clear()  # the next attempt lands on another worker process
    second = _submit(student, code_question, "key-00000002")
    assert second.seed == seeds[0]
    submission_grade(submission_id=second.pk, worker="w2")
    assert counting.references == 2  # no reference run while the student waited
    second.refresh_from_db()
    assert second.status == Submission.Status.GRADED and second.verdict == "passed"
    assert second.timings["reference_ms"] == 0


def test_first_attempts_are_prepared_for_every_enrolled_student(student, fellow, code_question, store):
    _, sent = store
    assert references_service.references_prepare_first(question_ids=[code_question.pk]) >= 2
    seeds = {seed for _, chunk in sent for seed in chunk}
    for user in (student, fellow):
        assert attempt_seed(user_id=user.pk, question_id=code_question.pk, attempt=1) in seeds


def test_first_attempts_skip_what_a_student_already_used(student, code_question, store, counting):
    _, sent = store
    submission_grade(submission_id=_submit(student, code_question, "key-00000001").pk, worker="w")
    sent.clear()
    references_service.references_prepare_first(question_ids=[code_question.pk])
    seeds = {seed for _, chunk in sent for seed in chunk}
    assert attempt_seed(user_id=student.pk, question_id=code_question.pk, attempt=2) in seeds
    assert attempt_seed(user_id=student.pk, question_id=code_question.pk, attempt=1) not in seeds


def test_no_precompute_when_the_shared_cache_is_off(student, code_question, inprocess, monkeypatch, settings):
    settings.GRADER_REFERENCE_CACHE = "off"
    reference_cache.shared_references_reset(None)
    sent: list[object] = []
    monkeypatch.setattr(tasks.prepare_references, "apply_async", lambda *a, **k: sent.append(a))
    submission = _submit(student, code_question, "key-00000001")
    assert submission_grade(submission_id=submission.pk, worker="w") is GradeOutcome.GRADED
    assert sent == []
    reference_cache.shared_references_reset(None)


def test_a_broker_outage_does_not_fail_the_grading(student, code_question, store, counting, monkeypatch):
    def down(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise ConnectionError("broker down")

    monkeypatch.setattr(tasks.prepare_references, "apply_async", down)
    submission = _submit(student, code_question, "key-00000001")
    assert submission_grade(submission_id=submission.pk, worker="w") is GradeOutcome.GRADED


def test_several_attempts_ahead_can_be_prepared(student, code_question, store):
    _, sent = store
    references_service.references_prepare_first(question_ids=[code_question.pk], ahead=3)
    seeds = {seed for _, chunk in sent for seed in chunk}
    for attempt in (1, 2, 3):
        assert attempt_seed(user_id=student.pk, question_id=code_question.pk, attempt=attempt) in seeds


def test_with_a_shared_cache_the_fingerprints_are_sent_and_stored(student, code_question, store, counting,
                                                                  monkeypatch, settings,
                                                                  redis_server):  # noqa: F811
    import redis
    from insights import similarity_report
    from submissions.services import fingerprints
    from submissions.services.references import submission_followups_send

    settings.CACHE_BACKEND = "redis"  # the web processes read what the worker writes
    settings.REDIS_URL = redis_server.url  # the batch's pending ids (submissions/services/fingerprints.py)
    redis.Redis.from_url(redis_server.url).delete(fingerprints.PENDING_KEY, fingerprints.SCHEDULED_KEY)
    fingerprinted: list[list[int]] = []
    monkeypatch.setattr(tasks.fingerprint_submissions, "apply_async",
                        lambda args, queue=None, **_: fingerprinted.append(args[0]))
    submission = _submit(student, code_question, "key-00000001")
    submission_followups_send(submission=submission)
    assert fingerprinted == [[]]  # the batch's task: it takes the pending ids
    assert tasks.fingerprint_submissions(fingerprinted[0]) == 1
    calls: list[int] = []
    monkeypatch.setattr(similarity_report.similarity, "document_build",
                        lambda **kwargs: calls.append(1))  # the page must not fingerprint again
    report = similarity_report.question_similarity(question=code_question)
    assert report.compared == 1 and calls == []


def test_a_next_attempt_made_meanwhile_is_not_prepared_again(student, code_question, store, monkeypatch, counting):
    """A student who submitted again before the precompute ran (a burst: the ``celery`` queue is
    served after ``grading``): that attempt's grading runs the reference, the task skips it."""
    calls: list[tuple] = []
    monkeypatch.setattr(tasks.prepare_references, "apply_async",
                        lambda args, kwargs=None, queue=None, **_: calls.append((args, kwargs)))
    first = _submit(student, code_question, "key-00000001")
    submission_grade(submission_id=first.pk, worker="w")
    (args, kwargs), = calls
    assert kwargs == {"next_attempt": [student.pk, code_question.pk, 2]}
    _submit(student, code_question, "key-00000002")  # attempt 2 exists now
    before = counting.references
    assert tasks.prepare_references(*args, **kwargs) == 0
    assert counting.references == before  # no sandbox run

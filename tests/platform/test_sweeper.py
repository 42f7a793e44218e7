"""submission_sweep: re-enqueue rows whose task was lost; leave healthy rows alone."""

from __future__ import annotations

from datetime import timedelta

from core.jobs import retry_policy
from django.utils import timezone
from submissions.models import Submission
from submissions.services.grade import submission_sweep
from submissions.services.submit import submission_create

from tests.platform.conftest import CORRECT_SCALE

S = Submission.Status


def make(user, question, key):  # type: ignore[no-untyped-def]
    return submission_create(user=user, question=question, code=CORRECT_SCALE, idempotency_key=key).submission


def test_it_re_enqueues_queued_rows_never_sent(student, code_question, queue):
    submission = make(student, code_question, "key-00000001")  # on_commit never ran: never sent
    assert submission_sweep(now=timezone.now()) == []  # too fresh
    assert submission_sweep(now=timezone.now() + timedelta(seconds=30)) == [submission.pk]
    assert queue.sent == [submission.pk]
    submission.refresh_from_db()
    assert submission.enqueued_at is not None


def test_it_gives_back_rows_whose_worker_was_lost(student, code_question, queue):
    submission = make(student, code_question, "key-00000001")
    Submission.objects.filter(pk=submission.pk).update(
        status=S.RUNNING, worker="dead", claimed_at=timezone.now() - timedelta(minutes=3)
    )
    assert submission_sweep() == [submission.pk]
    submission.refresh_from_db()
    assert submission.status == S.QUEUED and submission.worker == ""


def test_it_leaves_running_and_recently_sent_rows_alone(student, code_question, queue):
    running = make(student, code_question, "key-00000001")
    sent = make(student, code_question, "key-00000002")
    Submission.objects.filter(pk=running.pk).update(status=S.RUNNING, worker="w", claimed_at=timezone.now())
    Submission.objects.filter(pk=sent.pk).update(enqueued_at=timezone.now())
    Submission.objects.filter(pk__in=[running.pk, sent.pk]).update(created_at=timezone.now() - timedelta(minutes=1))
    assert submission_sweep() == []
    assert Submission.objects.get(pk=running.pk).status == S.RUNNING


def test_it_stays_quiet_while_the_broker_is_down(student, code_question, queue):
    submission = make(student, code_question, "key-00000001")
    queue.down = True
    later = timezone.now() + timedelta(seconds=30)
    assert submission_sweep(now=later) == []
    queue.down = False
    assert submission_sweep(now=later) == [submission.pk]


def test_graded_rows_are_never_swept(student, code_question, queue):
    submission = make(student, code_question, "key-00000001")
    Submission.objects.filter(pk=submission.pk).update(status=S.GRADED)
    assert submission_sweep(now=timezone.now() + timedelta(hours=1)) == []


def test_a_worker_without_a_heartbeat_gets_its_rows_back_sooner(student, code_question, queue, monkeypatch):
    import core.jobs as jobs

    dead = make(student, code_question, "key-00000011")
    live = make(student, code_question, "key-00000012")
    claimed = timezone.now() - timedelta(seconds=45)  # past the heartbeat limit, well before 120 s
    Submission.objects.filter(pk=dead.pk).update(status=S.RUNNING, worker="celery@gone/1", claimed_at=claimed)
    Submission.objects.filter(pk=live.pk).update(status=S.RUNNING, worker="celery@here/2", claimed_at=claimed)
    monkeypatch.setattr(jobs, "workers_alive", lambda: {"celery@here"})
    assert submission_sweep() == [dead.pk]
    live.refresh_from_db()
    assert live.status == S.RUNNING
    # Redis cannot say who is alive: only the 120-second rule applies.
    Submission.objects.filter(pk=dead.pk).update(status=S.RUNNING, worker="celery@gone/1", claimed_at=claimed)
    monkeypatch.setattr(jobs, "workers_alive", lambda: None)
    assert submission_sweep() == []


def lose(submission, minutes: int = 3) -> None:  # type: ignore[no-untyped-def]
    """As if a worker claimed the row and vanished ``minutes`` ago."""
    Submission.objects.filter(pk=submission.pk).update(
        status=S.RUNNING, worker="gone/1", claimed_at=timezone.now() - timedelta(minutes=minutes)
    )


def test_each_release_is_counted(student, code_question, queue):
    submission = make(student, code_question, "key-00000021")
    for expected in (1, 2):
        lose(submission)
        assert submission_sweep() == [submission.pk]
        submission.refresh_from_db()
        assert submission.status == S.QUEUED and submission.releases == expected


def test_a_row_lost_again_and_again_ends_in_error_instead_of_circling_forever(student, code_question, queue):
    import submissions.services.grade as grade

    submission = make(student, code_question, "key-00000022")
    for _ in range(retry_policy("sandbox").max_releases):
        lose(submission)
        assert submission_sweep() == [submission.pk]
    lose(submission)
    assert submission_sweep() == []  # not handed out again...
    submission.refresh_from_db()
    assert submission.status == S.ERROR and not submission.counts_as_attempt  # ...but final
    assert submission.error_message == grade.WORKER_LOST and submission.graded_at is not None
    assert queue.sent == [submission.pk] * retry_policy("sandbox").max_releases
    assert submission_sweep(now=timezone.now() + timedelta(hours=1)) == []  # and left alone


def test_queued_rows_resent_while_no_worker_runs_do_not_count_as_lost(student, code_question, queue):
    # Re-sending a queued row is harmless (the claim drops duplicates) and happens every sweep
    # while the workers are down: only a worker losing a claimed row counts towards the bound.
    submission = make(student, code_question, "key-00000023")
    later = timezone.now()
    for _ in range(10):
        later += timedelta(seconds=30)
        assert submission_sweep(now=later) == [submission.pk]
    submission.refresh_from_db()
    assert submission.status == S.QUEUED and submission.releases == 0


def test_a_grade_the_database_refuses_never_circles_through_the_sweeper(student, code_question, queue, monkeypatch):
    """The issue's loop: storing fails, the row stays running, the sweeper re-queues it, forever."""
    import submissions.services.grade as grade
    from django.db import IntegrityError
    from submissions.services.grade import GradeOutcome, submission_grade

    from grader.result import FAILED, GradeResult

    monkeypatch.setattr(grade, "grade_code", lambda *a, **k: GradeResult(FAILED, 0.0, 3.0, []))
    monkeypatch.setattr(grade, "_record_grade", lambda *a, **k: (_ for _ in ()).throw(IntegrityError("JSON_VALID")))
    submission = make(student, code_question, "key-00000024")
    assert submission_grade(submission_id=submission.pk, worker="w") is GradeOutcome.FAILED
    submission.refresh_from_db()
    assert submission.status == S.ERROR
    assert submission_sweep(now=timezone.now() + timedelta(hours=1)) == []

"""The exam services and the rules of ``StudentPolicy`` they feed: start, password, extra time,
the end capped by the window, refusals after the end, the automatic submission at time-up."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from exams.models import ExamSession
from exams.services import (
    ExamRefused,
    exam_extension_set,
    exam_session_finish,
    exam_sessions_finish_expired,
    exam_settings_save,
    exam_start,
)
from exams.tasks import finish_expired_exams
from scoring.policy import policy_for
from scoring.visibility import feedback_visible
from submissions.models import Draft, Submission
from submissions.services.drafts import draft_save
from submissions.services.errors import SubmitRefused
from submissions.services.submit import submission_create

from tests.platform.conftest import CORRECT_SCALE, WRONG_SCALE


def settings_with(exam, **changes):  # type: ignore[no-untyped-def]
    values = {name: getattr(exam, name) for name in (
        "enabled", "duration_minutes", "starts_at", "opens_at", "closes_at", "hold_feedback")}
    values.update(changes)
    return exam_settings_save(assignment=exam.assignment, actor=exam.updated_by, **values)


@pytest.fixture(autouse=True)
def _english(english):  # type: ignore[no-untyped-def]
    """The refusals' texts are checked in English here; the pages' Korean in test_views.py."""


def expire(session: ExamSession, seconds: int = 1) -> None:
    """Move the session's end into the past (the clock ran out)."""
    shift = session.ends_at - timezone.now() + timedelta(seconds=seconds)
    ExamSession.objects.filter(pk=session.pk).update(started_at=session.started_at - shift,
                                                     ends_at=session.ends_at - shift)
    Draft.objects.filter(user=session.student).update(saved_at=timezone.now() - timedelta(seconds=seconds + 5))
    session.refresh_from_db()


def test_starting_sets_the_servers_clock_and_starting_again_keeps_it(exam, student):
    before = timezone.now()
    session = exam_start(user=student, assignment=exam.assignment)
    assert before <= session.started_at <= timezone.now()
    assert session.ends_at == session.started_at + timedelta(minutes=60)
    again = exam_start(user=student, assignment=exam.assignment)
    assert again.pk == session.pk and again.ends_at == session.ends_at


def test_the_end_is_capped_by_the_window_close(exam, student):
    close = timezone.now() + timedelta(minutes=20)
    settings_with(exam, closes_at=close)
    session = exam_start(user=student, assignment=exam.assignment)
    assert session.ends_at == close


def test_extra_time_factor_and_minutes_and_a_running_session_moves(exam, student, instructor):
    exam_extension_set(assignment=exam.assignment, student_id=student.pk, time_factor=Decimal("1.5"),
                       extra_minutes=10, reason="accommodation", actor=instructor)
    session = exam_start(user=student, assignment=exam.assignment)
    assert session.ends_at == session.started_at + timedelta(minutes=100)
    exam_extension_set(assignment=exam.assignment, student_id=student.pk, time_factor=Decimal("2"),
                       extra_minutes=0, reason="", actor=instructor)
    session.refresh_from_db()
    assert session.ends_at == session.started_at + timedelta(minutes=120)


def test_extra_time_only_for_students_of_the_course(exam, outsider, instructor):
    with pytest.raises(ExamRefused):
        exam_extension_set(assignment=exam.assignment, student_id=outsider.pk, time_factor=Decimal("1.5"),
                           extra_minutes=0, reason="", actor=instructor)


def test_the_password_is_hashed_checked_and_tries_are_limited(exam, student, settings):
    settings_with(exam, password="s3cret-exam")
    exam.refresh_from_db()
    assert exam.password_hash and "s3cret-exam" not in exam.password_hash
    with pytest.raises(ExamRefused) as wrong:
        exam_start(user=student, assignment=exam.assignment, password="guess")
    assert wrong.value.field == "password"
    for _try in range(5):
        with pytest.raises(ExamRefused):
            exam_start(user=student, assignment=exam.assignment, password="guess")
    with pytest.raises(ExamRefused) as limited:
        exam_start(user=student, assignment=exam.assignment, password="s3cret-exam")
    assert limited.value.status == 429
    assert not ExamSession.objects.exists()


def test_the_right_password_starts(exam, student):
    settings_with(exam, password="s3cret-exam")
    assert exam_start(user=student, assignment=exam.assignment, password="s3cret-exam").pk


def test_no_start_before_the_window_or_a_fixed_start_nor_after_the_close(exam, student):
    settings_with(exam, opens_at=timezone.now() + timedelta(minutes=5))
    with pytest.raises(ExamRefused, match="opens"):
        exam_start(user=student, assignment=exam.assignment)
    settings_with(exam, opens_at=None, starts_at=timezone.now() + timedelta(minutes=5))
    with pytest.raises(ExamRefused, match="starts"):
        exam_start(user=student, assignment=exam.assignment)
    settings_with(exam, starts_at=None, opens_at=timezone.now() - timedelta(hours=2),
                  closes_at=timezone.now() - timedelta(minutes=1))
    with pytest.raises(ExamRefused, match="closed"):
        exam_start(user=student, assignment=exam.assignment)


def test_a_fixed_start_counts_from_that_instant(exam, student):
    start = timezone.now() - timedelta(minutes=15)
    settings_with(exam, starts_at=start)
    session = exam_start(user=student, assignment=exam.assignment)
    assert session.started_at == start and session.ends_at == start + timedelta(minutes=60)


def test_the_policy_refuses_before_the_start_and_after_the_end(exam, student, code_question):
    policy = policy_for(user_id=student.pk, assignment=exam.assignment)
    now = timezone.now()
    assert "start it" in policy.exam_refusal(now) and policy.submit_refusal(now, 0, code_question)
    with pytest.raises(SubmitRefused):
        submission_create(user=student, question=code_question, code=CORRECT_SCALE, idempotency_key="before-start")
    session = exam_start(user=student, assignment=exam.assignment)
    assert policy_for(user_id=student.pk, assignment=exam.assignment).exam_refusal(timezone.now()) is None
    assert submission_create(user=student, question=code_question, code=CORRECT_SCALE,
                             idempotency_key="during-exam").created
    expire(session)
    policy = policy_for(user_id=student.pk, assignment=exam.assignment)
    assert "time is up" in policy.exam_refusal(timezone.now())
    with pytest.raises(SubmitRefused, match="time is up") as refused:
        submission_create(user=student, question=code_question, code=CORRECT_SCALE, idempotency_key="after-the-end")
    assert refused.value.status == 403


def test_staff_are_never_refused(exam, instructor, code_question):
    policy = policy_for(user_id=instructor.pk, assignment=exam.assignment, staff=True)
    assert policy.exam_refusal(timezone.now()) is None and policy.reveals_feedback(timezone.now())


def test_feedback_is_held_until_the_exam_closes(exam, student):
    exam_start(user=student, assignment=exam.assignment)
    assert not feedback_visible(assignment=exam.assignment, user_id=student.pk, viewer_is_staff=False)
    later = exam.assignment.closes_at + timedelta(seconds=1)
    assert feedback_visible(assignment=exam.assignment, user_id=student.pk, viewer_is_staff=False, at=later)
    settings_with(exam, hold_feedback=False)
    assert feedback_visible(assignment=exam.assignment, user_id=student.pk, viewer_is_staff=False)


def test_at_time_up_the_latest_draft_is_submitted_exactly_once(exam, student, code_question, queue,
                                                                django_capture_on_commit_callbacks):
    session = exam_start(user=student, assignment=exam.assignment)
    draft_save(user=student, question=code_question, code=CORRECT_SCALE)
    assert exam_session_finish(session_id=session.pk) == []  # not yet: the time is not up
    expire(session)
    with django_capture_on_commit_callbacks(execute=True):
        made = exam_session_finish(session_id=session.pk)
    assert [row.code for row in made] == [CORRECT_SCALE]
    submission = made[0]
    assert submission.idempotency_key == f"exam-{session.pk}-{code_question.pk}"
    assert submission.created_at < session.ends_at and submission.pk in queue.sent
    session.refresh_from_db()
    assert session.finished_at is not None
    # The beat, the task and the browser's finish call again: nothing more.
    assert exam_sessions_finish_expired() == 0 and finish_expired_exams() == 0
    ExamSession.objects.filter(pk=session.pk).update(finished_at=None)  # as if the first run crashed at the end
    assert exam_sessions_finish_expired() == 1
    assert Submission.objects.filter(user=student, question=code_question).count() == 1


def test_a_draft_already_submitted_is_not_submitted_again(exam, student, code_question):
    session = exam_start(user=student, assignment=exam.assignment)
    draft_save(user=student, question=code_question, code=WRONG_SCALE)
    submission_create(user=student, question=code_question, code=WRONG_SCALE, idempotency_key="manual-0001")
    expire(session)
    Submission.objects.update(created_at=timezone.now() - timedelta(seconds=2))  # submitted after the draft
    assert exam_session_finish(session_id=session.pk) == []
    assert Submission.objects.count() == 1


def test_a_draft_typed_after_the_last_submission_is_submitted(exam, student, code_question):
    session = exam_start(user=student, assignment=exam.assignment)
    submission_create(user=student, question=code_question, code=WRONG_SCALE, idempotency_key="manual-0001")
    Submission.objects.update(created_at=timezone.now() - timedelta(minutes=1))
    draft_save(user=student, question=code_question, code=CORRECT_SCALE)
    expire(session)
    made = exam_session_finish(session_id=session.pk)
    assert [row.code for row in made] == [CORRECT_SCALE] and Submission.objects.count() == 2


def test_race_a_manual_submit_and_the_automatic_one(exam, student, code_question):
    """The manual submit that got in before the end wins; the automatic one then finds it and
    adds nothing; a manual submit after the end is refused, whatever the order."""
    session = exam_start(user=student, assignment=exam.assignment)
    draft_save(user=student, question=code_question, code=CORRECT_SCALE)
    manual = submission_create(user=student, question=code_question, code=CORRECT_SCALE, idempotency_key="manual-0002")
    expire(session, seconds=1)
    Submission.objects.filter(pk=manual.submission.pk).update(created_at=timezone.now() - timedelta(seconds=1))
    assert exam_session_finish(session_id=session.pk) == []
    with pytest.raises(SubmitRefused):
        submission_create(user=student, question=code_question, code=CORRECT_SCALE, idempotency_key="manual-0003")
    assert list(Submission.objects.values_list("idempotency_key", flat=True)) == ["manual-0002"]


def test_two_finishers_at_once_make_one_submission(exam, student, code_question):
    session = exam_start(user=student, assignment=exam.assignment)
    draft_save(user=student, question=code_question, code=CORRECT_SCALE)
    expire(session)
    first = exam_session_finish(session_id=session.pk)
    ExamSession.objects.filter(pk=session.pk).update(finished_at=None)  # the second finisher read it unfinished
    second = exam_session_finish(session_id=session.pk)
    assert len(first) == 1 and second == [] and Submission.objects.count() == 1


def test_a_submission_made_in_time_but_graded_later_counts(exam, student, code_question, inprocess):
    from submissions.services.grade import submission_grade

    session = exam_start(user=student, assignment=exam.assignment)
    receipt = submission_create(user=student, question=code_question, code=CORRECT_SCALE, idempotency_key="in-time-01")
    expire(session)
    submission_grade(submission_id=receipt.submission.pk, worker="test")
    receipt.submission.refresh_from_db()
    assert receipt.submission.status == Submission.Status.GRADED and receipt.submission.score == code_question.points

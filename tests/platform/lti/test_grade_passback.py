"""Grade passback: a score change reaches the LMS's line item through AGS, with a token obtained
by a client-credentials JWT grant the simulator verifies against our JWKS."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.db import transaction
from django.test import Client
from lti import tasks
from lti.models import LtiGradeSync, LtiUser
from lti.services.grades import assignment_score_compute, grade_sync_send
from lti.services.registration import context_link
from scoring.models import ScoreChange
from scoring.services import score_change_record
from submissions.models import QuizAnswer
from submissions.services.quiz import quiz_answer_create

from tests.platform.lti.flow import (  # noqa: F401 (fixtures)
    lms_fixture,
    lti_launch,
    registration_fixture,
    returned_form,
    verify_with_tool_jwks,
)
from tests.platform.lti.simulator import INSTRUCTOR, LEARNER, SCORE_SCOPE, new_sub, rsa_key


@pytest.fixture
def tasks_run_now(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The Celery task runs synchronously (eagerly) when queued."""
    queued: list[int] = []

    def run(args: list[int], **_: object) -> None:
        queued.append(args[0])
        tasks.send_grade.apply(args=args)

    monkeypatch.setattr(tasks.send_grade, "apply_async", run)
    return queued


@pytest.fixture
def lti_student(client, lms, registration, course, quiz_assignment):  # type: ignore[no-untyped-def]
    """A learner who came in through a resource link bound to the quiz, with a line item."""
    context_link(registration=registration, context_id="ctx-1", course=course)
    sub = new_sub()
    launch = lti_launch(
        client,
        lms,
        sub=sub,
        roles=[LEARNER],
        lineitem=lms.lineitem_url("li-quiz"),
        custom={"dlgrade_assignment_id": str(quiz_assignment.pk)},
    )
    assert launch.response.status_code == 302
    return LtiUser.objects.get(sub=sub)


def answer(user, question, choice, capture):  # type: ignore[no-untyped-def]
    with capture(execute=True):  # run the after-commit work: signal, receiver, queueing
        return quiz_answer_create(
            user=user, question=question, data={"choice": [choice]}, lang="en"
        )


def test_a_graded_answer_reaches_the_line_item(
    lms, lti_student, quiz_question, tasks_run_now, django_capture_on_commit_callbacks
):
    before = datetime.now(UTC)
    answer(lti_student.user, quiz_question, "right", django_capture_on_commit_callbacks)
    (received,) = lms.scores
    assert received.lineitem == lms.lineitem_url("li-quiz")
    assert received.content_type == "application/vnd.ims.lis.v1.score+json"
    body = received.body
    assert body["userId"] == lti_student.sub
    assert (body["scoreGiven"], body["scoreMaximum"]) == (2.0, 2.0)
    assert (body["activityProgress"], body["gradingProgress"]) == ("Completed", "FullyGraded")
    stamp = datetime.fromisoformat(body["timestamp"])
    assert before - timedelta(seconds=1) <= stamp <= datetime.now(UTC)
    (token_request,) = lms.token_requests
    assert SCORE_SCOPE in token_request["scope"].split() and lms.token_errors == []
    sync = LtiGradeSync.objects.get()
    assert (sync.status, sync.sent_score, sync.sent_maximum, sync.attempts) == ("sent", 2.0, 2.0, 1)


def test_the_best_score_is_sent_and_a_manual_change_follows(
    lms, lti_student, quiz_question, tasks_run_now, django_capture_on_commit_callbacks
):
    answer(lti_student.user, quiz_question, "wrong", django_capture_on_commit_callbacks)
    answer(lti_student.user, quiz_question, "right", django_capture_on_commit_callbacks)
    assert [score.body["scoreGiven"] for score in lms.scores] == [0.0, 2.0]
    # A grader lowers the right answer to 1.5 (as manual grading does: the row, then the record).
    best = QuizAnswer.objects.get(user=lti_student.user, score=2.0)
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        QuizAnswer.objects.filter(pk=best.pk).update(score=1.5)
        score_change_record(
            student_id=lti_student.user_id,
            question_id=quiz_question.pk,
            old_score=2.0,
            new_score=1.5,
            source=ScoreChange.Source.MANUAL,
            quiz_answer_id=best.pk,
        )
    assert lms.scores[-1].body["scoreGiven"] == 1.5 and len(lms.scores) == 3


def test_students_who_did_not_come_through_lti_send_nothing(
    lms, lti_student, student, quiz_question, tasks_run_now, django_capture_on_commit_callbacks
):
    answer(student, quiz_question, "right", django_capture_on_commit_callbacks)
    assert lms.scores == [] and tasks_run_now == [] and not LtiGradeSync.objects.exists()


def test_assignments_without_a_line_item_send_nothing(
    client,
    lms,
    registration,
    course,
    quiz_assignment,
    quiz_question,
    tasks_run_now,
    django_capture_on_commit_callbacks,
):
    context_link(registration=registration, context_id="ctx-1", course=course)
    sub = new_sub()
    lti_launch(
        client,
        lms,
        sub=sub,
        roles=[LEARNER],
        custom={"dlgrade_assignment_id": str(quiz_assignment.pk)},
    )
    answer(
        LtiUser.objects.get(sub=sub).user,
        quiz_question,
        "right",
        django_capture_on_commit_callbacks,
    )
    assert lms.scores == [] and tasks_run_now == []


def test_a_rejected_client_assertion_marks_the_sync_failed_and_grading_stands(
    lms, lti_student, quiz_question, tasks_run_now, django_capture_on_commit_callbacks
):
    # The platform has a stale copy of our keys: our client assertion no longer verifies.
    import jwt

    stale = jwt.algorithms.RSAAlgorithm.to_jwk(rsa_key().public_key(), as_dict=True)
    lms.tool_jwks = {"keys": [{**stale, "kid": lms.tool_jwks["keys"][0]["kid"]}]}
    result = answer(lti_student.user, quiz_question, "right", django_capture_on_commit_callbacks)
    assert result.score == 2.0  # the student's grade is recorded whatever the LMS says
    assert lms.scores == [] and lms.token_errors
    sync = LtiGradeSync.objects.get()
    assert sync.status == "failed" and "401" in sync.last_error


@pytest.mark.parametrize("status", [503, 409])  # 409: Moodle's "timestamp not later" refusal
def test_a_temporary_lms_failure_is_retried_then_sent(
    lms, lti_student, quiz_question, monkeypatch, django_capture_on_commit_callbacks, status
):
    queued: list[int] = []
    monkeypatch.setattr(tasks.send_grade, "apply_async", lambda args, **_: queued.append(args[0]))
    answer(lti_student.user, quiz_question, "right", django_capture_on_commit_callbacks)
    (sync_id,) = queued
    lms.score_status = status
    assert grade_sync_send(sync_id=sync_id, worker="w/1") == "pending"
    sync = LtiGradeSync.objects.get(pk=sync_id)
    assert (sync.status, sync.attempts, sync.tries) == ("pending", 1, 1) and str(status) in sync.last_error
    assert queued == [sync_id, sync_id]  # sent again, with the lms policy's first delay
    assert sync.enqueued_at > sync.requested_at + timedelta(seconds=29)
    lms.score_status = 200
    assert grade_sync_send(sync_id=sync_id, worker="w/2") == "sent"  # the delayed task arrives
    assert grade_sync_send(sync_id=sync_id, worker="w/3") == "not_claimed"  # a duplicate does nothing
    assert lms.scores[-1].body["scoreGiven"] == 2.0
    assert LtiGradeSync.objects.get(pk=sync_id).tries == 0


def test_the_last_try_gives_up_and_marks_the_row_failed(
    lms, lti_student, quiz_question, monkeypatch, settings, django_capture_on_commit_callbacks
):
    from core.jobs import retry_policy

    queued: list[int] = []
    monkeypatch.setattr(tasks.send_grade, "apply_async", lambda args, **_: queued.append(args[0]))
    answer(lti_student.user, quiz_question, "right", django_capture_on_commit_callbacks)
    LtiGradeSync.objects.filter(pk=queued[0]).update(tries=retry_policy("lms").max_tries - 1)
    lms.score_status = 503
    assert grade_sync_send(sync_id=queued[0], worker="w/1") == "failed"
    sync = LtiGradeSync.objects.get()
    assert sync.status == "failed" and "503" in sync.last_error and queued == [sync.pk]


def test_the_task_runs_on_the_default_queue_with_the_lms_retry_policy():
    from config.celery import app
    from core.jobs import retry_policy
    from lti.jobs import GRADE_PASSBACKS

    assert GRADE_PASSBACKS.policy == "lms" and retry_policy("lms").first_delay >= 30
    assert retry_policy("lms").max_tries * retry_policy("lms").max_delay >= 4 * 3600  # hours of LMS outage
    app.loader.import_default_modules()  # what a worker does: autodiscovery finds lti.tasks
    assert app.tasks["lti.tasks.send_grade"] is not None
    # Not routed anywhere special: the default queue the worker also consumes, not "grading".
    assert "lti.tasks.send_grade" not in app.conf.task_routes
    assert app.conf.task_default_queue == "celery"


def test_a_broker_outage_leaves_the_sync_pending(
    lms, lti_student, quiz_question, monkeypatch, django_capture_on_commit_callbacks
):
    def broker_down(*_: object, **__: object) -> None:
        raise ConnectionError("broker down")

    monkeypatch.setattr(tasks.send_grade, "apply_async", broker_down)
    result = answer(lti_student.user, quiz_question, "right", django_capture_on_commit_callbacks)
    assert result.score == 2.0 and LtiGradeSync.objects.get().status == "pending"


def test_the_assignment_score_follows_the_gradebook_rule(
    lti_student, quiz_assignment, quiz_question, student
):
    empty = assignment_score_compute(assignment_id=quiz_assignment.pk, student_id=student.pk)
    assert (empty.given, empty.maximum, empty.activity_progress) == (0.0, 2.0, "Initialized")
    # An answer waiting for a grader: attempted, not fully graded (Moodle then shows no grade).
    waiting = QuizAnswer.objects.create(
        user=student,
        question=quiz_question,
        version=quiz_question.current_version,
        answer={},
        seed=1,
        attempt=1,
        needs_manual=True,
        score=None,
        max_score=2.0,
    )
    pending = assignment_score_compute(assignment_id=quiz_assignment.pk, student_id=student.pk)
    assert (pending.given, pending.activity_progress, pending.grading_progress) == (
        0.0,
        "Completed",
        "PendingManual",
    )
    QuizAnswer.objects.filter(pk=waiting.pk).update(score=1.25)
    graded = assignment_score_compute(assignment_id=quiz_assignment.pk, student_id=student.pk)
    assert (graded.given, graded.grading_progress) == (1.25, "FullyGraded")
    quiz_question.active = False  # a question dropped from the bundle no longer counts
    quiz_question.save()
    assert (
        assignment_score_compute(assignment_id=quiz_assignment.pk, student_id=student.pk).maximum
        == 0.0
    )


def test_from_deep_link_to_grade_in_the_lms(
    lms,
    registration,
    course,
    quiz_assignment,
    quiz_question,
    tasks_run_now,
    django_capture_on_commit_callbacks,
):
    """The whole chain: the instructor places the assignment; the LMS makes the link and line item
    from the returned content item; a student launches it, answers, and the grade arrives."""
    context_link(registration=registration, context_id="ctx-1", course=course)
    teacher = Client()
    launch = lti_launch(
        teacher, lms, sub=new_sub(), roles=[INSTRUCTOR], message_type="LtiDeepLinkingRequest"
    )
    returned = teacher.post(launch.response["Location"], {"assignment_id": quiz_assignment.pk})
    _action, token = returned_form(returned.content)
    (item,) = verify_with_tool_jwks(token, lms)[
        "https://purl.imsglobal.org/spec/lti-dl/claim/content_items"
    ]

    # The LMS launches students with the item's custom parameters and the line item it made for it.
    sub = new_sub()
    student_launch = lti_launch(
        Client(),
        lms,
        sub=sub,
        roles=[LEARNER],
        resource_link_id="rl-from-dl",
        custom=item["custom"],
        lineitem=lms.lineitem_url("made-from-dl"),
    )
    assert (
        student_launch.response["Location"]
        == f"/courses/{course.pk}/assignments/{quiz_assignment.pk}/"
    )
    answer(
        LtiUser.objects.get(sub=sub).user,
        quiz_question,
        "right",
        django_capture_on_commit_callbacks,
    )
    (received,) = lms.scores
    assert received.lineitem == lms.lineitem_url("made-from-dl")
    assert (received.body["userId"], received.body["scoreGiven"]) == (sub, 2.0)
    assert received.body["scoreMaximum"] == item["lineItem"]["scoreMaximum"]


def test_beat_resends_a_passback_lost_in_a_broker_outage(
    lms, lti_student, quiz_question, monkeypatch, django_capture_on_commit_callbacks
):
    def broker_down(*_: object, **__: object) -> None:
        raise ConnectionError("broker down")

    monkeypatch.setattr(tasks.send_grade, "apply_async", broker_down)
    answer(lti_student.user, quiz_question, "right", django_capture_on_commit_callbacks)
    sync = LtiGradeSync.objects.get()
    monkeypatch.undo()
    resent: list[int] = []
    monkeypatch.setattr(tasks.send_grade, "apply_async", lambda args, **_: resent.append(args[0]))
    from core.tasks import sweep_jobs

    assert sweep_jobs()["LtiGradeSync"] == 0 and resent == []  # too recent: its own task may still come
    LtiGradeSync.objects.filter(pk=sync.pk).update(requested_at=datetime.now(UTC) - timedelta(minutes=1))
    assert sweep_jobs()["LtiGradeSync"] == 1 and resent == [sync.pk]


def test_a_score_the_student_may_not_see_yet_is_held_until_the_due_date(
    lms, lti_student, quiz_question, quiz_assignment, tasks_run_now, django_capture_on_commit_callbacks
):
    """Hidden means hidden in the LMS too: its gradebook would show the passed-back score."""
    from assessments.models import Assignment

    quiz_assignment.feedback_visibility = Assignment.FeedbackVisibility.AFTER_DUE
    quiz_assignment.due_at = datetime.now(UTC) + timedelta(days=1)
    quiz_assignment.save()
    answer(lti_student.user, quiz_question, "right", django_capture_on_commit_callbacks)
    assert lms.scores == []
    assert LtiGradeSync.objects.get().status == LtiGradeSync.Status.HELD
    assert tasks.release_held_grades() == 0 and lms.scores == []  # not due yet

    quiz_assignment.due_at = datetime.now(UTC) - timedelta(minutes=1)
    quiz_assignment.save()
    assert tasks.release_held_grades() == 1
    (received,) = lms.scores
    assert (received.body["scoreGiven"], received.body["scoreMaximum"]) == (2.0, 2.0)
    assert LtiGradeSync.objects.get().status == LtiGradeSync.Status.SENT


def test_a_score_never_shown_to_the_student_never_reaches_the_lms(
    lms, lti_student, quiz_question, quiz_assignment, tasks_run_now, django_capture_on_commit_callbacks
):
    from assessments.models import Assignment

    quiz_assignment.feedback_visibility = Assignment.FeedbackVisibility.NEVER
    quiz_assignment.save()
    answer(lti_student.user, quiz_question, "right", django_capture_on_commit_callbacks)
    assert tasks.release_held_grades() == 0
    assert lms.scores == [] and LtiGradeSync.objects.get().status == LtiGradeSync.Status.HELD

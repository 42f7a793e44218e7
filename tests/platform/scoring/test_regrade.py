"""Regrade runs: preview (quiz answers at once, code items by the worker task), the diff, apply
with each policy, idempotency, one grading run per question, attempts untouched."""

from __future__ import annotations

import pytest
from django.utils import translation
from scoring import tasks
from scoring.models import RegradeItem, RegradeRun, ScoreChange
from scoring.regrade import RegradeRefused
from scoring.regrade.apply import policy_writes, regrade_apply
from scoring.regrade.diff import regrade_diff, regrade_progress
from scoring.regrade.grading import regrade_code_item_grade, regrade_items_sweep
from scoring.regrade.start import regrade_preview_start
from submissions.models import QuizAnswer, Submission

from tests.platform.conftest import CORRECT_SCALE, WRONG_SCALE
from tests.platform.scoring.helpers import (
    answer,
    graded_submission,
    mini_with_names,
    right_is_wrong,
)

P = RegradeRun.Policy
REGRADE = ScoreChange.Source.REGRADE


class FakeRegradeQueue:
    def __init__(self) -> None:
        self.sent: list[int] = []
        self.queues: list[str | None] = []

    def apply_async(self, args: list[int], queue: str | None = None, **_: object) -> None:
        self.sent.append(args[0])
        self.queues.append(queue)


@pytest.fixture(autouse=True)
def _english():  # type: ignore[no-untyped-def]
    with translation.override("en"):  # the diff's words are in the request's language
        yield


@pytest.fixture(autouse=True)
def regrade_queue(monkeypatch: pytest.MonkeyPatch) -> FakeRegradeQueue:
    fake = FakeRegradeQueue()
    monkeypatch.setattr(tasks.regrade_item, "apply_async", fake.apply_async)
    return fake


@pytest.fixture
def flipped_quiz(student, fellow, quiz_question):  # type: ignore[no-untyped-def]
    """The owner answered right (2 points), the fellow wrong (0); then the key is flipped."""
    mine, theirs = answer(student, quiz_question, "right"), answer(fellow, quiz_question, "wrong")
    right_is_wrong(quiz_question)
    return mine, theirs


def regrade_changes() -> list[ScoreChange]:
    return list(ScoreChange.objects.filter(source=REGRADE).order_by("id"))


@pytest.mark.parametrize(("policy", "current", "new", "differ", "writes"), [
    (P.USE_NEW, 2.0, 1.0, False, True), (P.USE_NEW, 1.0, 2.0, False, True), (P.USE_NEW, 1.0, 1.0, True, True),
    (P.USE_NEW, 1.0, 1.0, False, False),
    (P.KEEP_HIGHER, 2.0, 1.0, True, False), (P.KEEP_HIGHER, 1.0, 2.0, False, True),
    (P.KEEP_HIGHER, 1.0, 1.0, True, True), (P.KEEP_HIGHER, 1.0, 1.0, False, False),
    (P.ONLY_RAISE, 2.0, 1.0, True, False), (P.ONLY_RAISE, 1.0, 2.0, False, True),
    (P.ONLY_RAISE, 1.0, 1.0, True, False),
])
def test_the_policies_decide_precisely(policy, current, new, differ, writes):
    assert policy_writes(policy, current=current, new=new, results_differ=differ) is writes


def test_a_quiz_preview_grades_at_once_and_shows_the_diff(instructor, flipped_quiz, quiz_question):
    mine, theirs = flipped_quiz
    run = regrade_preview_start(question=quiz_question, actor=instructor)
    assert run.status == RegradeRun.Status.READY and run.version == quiz_question.current_version
    assert regrade_progress(run=run) | {"id": 0} == {
        "id": 0, "status": "ready", "total": 2, "done": 2, "failed": 0, "percent": 100, "finished": True,
    }
    diff = regrade_diff(run=run)
    assert (diff.up, diff.down, diff.unchanged, diff.failed) == (1, 1, 0, 0)
    by_student = {entry.item.student.username: entry for entry in diff.changed_items}
    assert by_student["owner"].direction == "down" and by_student["fellow"].direction == "up"
    assert [(c.name, c.old, c.new) for c in by_student["owner"].checks] == [("answer", "correct", "wrong")]
    # A preview writes nothing.
    mine.refresh_from_db()
    assert mine.score == pytest.approx(2.0) and regrade_changes() == []


def test_apply_use_new_writes_every_change_and_audits_it(instructor, student, fellow, flipped_quiz, quiz_question):
    mine, theirs = flipped_quiz
    run = regrade_preview_start(question=quiz_question, actor=instructor)
    report = regrade_apply(run_id=run.pk, policy=P.USE_NEW, actor=instructor, reason="key was wrong")
    assert (report.written, report.kept, report.score_changes) == (2, 0, 2)
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert (mine.score, mine.correct) == (0.0, False) and (theirs.score, theirs.correct) == (pytest.approx(2.0), True)
    assert mine.version == theirs.version == quiz_question.current_version
    assert (mine.attempt, mine.counts_as_attempt) == (1, True)  # attempts are never touched
    changes = regrade_changes()
    assert {(c.student, c.old_score, c.new_score) for c in changes} == {(student, 2.0, 0.0), (fellow, 0.0, 2.0)}
    assert all(c.actor == instructor and "key was wrong" in c.reason and f"#{run.pk}" in c.reason for c in changes)


def test_apply_keep_higher_never_lowers(instructor, fellow, flipped_quiz, quiz_question):
    mine, theirs = flipped_quiz
    run = regrade_preview_start(question=quiz_question, actor=instructor)
    report = regrade_apply(run_id=run.pk, policy=P.KEEP_HIGHER, actor=instructor)
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert (report.written, report.kept) == (1, 1)
    assert (mine.score, mine.correct) == (pytest.approx(2.0), True)  # kept exactly as it was
    assert theirs.score == pytest.approx(2.0)
    assert [(c.student, c.new_score) for c in regrade_changes()] == [(fellow, 2.0)]
    outcomes = dict(RegradeItem.objects.filter(run=run).values_list("student__username", "outcome"))
    assert outcomes == {"owner": "kept", "fellow": "written"}


def test_keep_higher_refreshes_same_score_feedback_only_raise_does_not(instructor, student, quiz_question):
    row = answer(student, quiz_question, "wrong")
    spec = quiz_question.current_version.spec
    from tests.platform.scoring.helpers import quiz_version_with

    choices = [{**c, "feedback": {"ko": "다시 보세요", "en": "Look again"}} if c["id"] == "wrong" else c
               for c in spec["choices"]]
    quiz_version_with(quiz_question, choices=choices)
    only = regrade_preview_start(question=quiz_question, actor=instructor)
    assert regrade_apply(run_id=only.pk, policy=P.ONLY_RAISE, actor=instructor).written == 0
    row.refresh_from_db()
    assert "Wrong" in row.feedback
    higher = regrade_preview_start(question=quiz_question, actor=instructor)
    assert regrade_apply(run_id=higher.pk, policy=P.KEEP_HIGHER, actor=instructor).written == 1
    row.refresh_from_db()
    assert row.feedback == "다시 보세요" and row.score == 0.0 and regrade_changes() == []  # no score change


def test_applying_twice_changes_nothing_more(instructor, flipped_quiz, quiz_question):
    run = regrade_preview_start(question=quiz_question, actor=instructor)
    first = regrade_apply(run_id=run.pk, policy=P.USE_NEW, actor=instructor)
    second = regrade_apply(run_id=run.pk, policy=P.KEEP_HIGHER, actor=instructor)
    assert not first.already_applied and second.already_applied and second.written == first.written
    assert len(regrade_changes()) == 2
    run.refresh_from_db()
    assert run.policy == P.USE_NEW
    # Regrading again against the same version finds nothing left to change.
    again = regrade_preview_start(question=quiz_question, actor=instructor)
    diff = regrade_diff(run=again)
    assert (diff.up, diff.down, diff.unchanged) == (0, 0, 2) and diff.changed_items == []


def test_a_new_preview_supersedes_an_unapplied_one(instructor, flipped_quiz, quiz_question):
    old = regrade_preview_start(question=quiz_question, actor=instructor)
    new = regrade_preview_start(question=quiz_question, actor=instructor)
    old.refresh_from_db()
    assert old.status == RegradeRun.Status.DISCARDED and new.status == RegradeRun.Status.READY
    with pytest.raises(RegradeRefused):
        regrade_apply(run_id=old.pk, policy=P.USE_NEW, actor=instructor)
    assert regrade_changes() == []


def test_manually_graded_answers_are_not_regraded(instructor, student, fellow, quiz_question):
    from scoring.services import score_change_record

    answer(student, quiz_question, "right")
    manual = answer(fellow, quiz_question, "wrong")
    QuizAnswer.objects.filter(pk=manual.pk).update(needs_manual=True)
    run = regrade_preview_start(question=quiz_question, actor=instructor)
    assert list(run.items.values_list("student__username", flat=True)) == ["owner"]
    # Nor is an auto-graded answer whose score staff overrode by hand.
    overridden = answer(fellow, quiz_question, "wrong")
    score_change_record(student_id=fellow.pk, question_id=quiz_question.pk, old_score=0.0, new_score=1.0,
                        source=ScoreChange.Source.MANUAL, actor=instructor, quiz_answer_id=overridden.pk)
    run = regrade_preview_start(question=quiz_question, actor=instructor)
    assert list(run.items.values_list("student__username", flat=True)) == ["owner"]


@pytest.fixture
def code_answers(student, fellow, code_question, inprocess):  # type: ignore[no-untyped-def]
    right = graded_submission(student, code_question, CORRECT_SCALE)
    wrong = graded_submission(fellow, code_question, WRONG_SCALE)
    assert (right.score, wrong.score) == (pytest.approx(3.0), 0.0)
    return right, wrong


def test_a_code_preview_runs_on_the_grading_queue_and_diffs_per_check(
    instructor, fellow, code_question, code_answers, regrade_queue, tmp_path, django_capture_on_commit_callbacks
):
    right, wrong = code_answers
    question = mini_with_names(tmp_path, code_question.assignment.course, ["a"])  # the 'keys' check changes
    assert question.current_version.number == 2
    with django_capture_on_commit_callbacks(execute=True):  # tasks are sent after commit
        run = regrade_preview_start(question=question, actor=instructor)
    assert run.status == RegradeRun.Status.RUNNING
    assert sorted(regrade_queue.sent) == sorted(run.items.values_list("id", flat=True))
    assert set(regrade_queue.queues) == {"grading"}
    assert regrade_progress(run=run)["done"] == 0
    with pytest.raises(RegradeRefused):  # one grading run per question
        regrade_preview_start(question=question, actor=instructor)
    for item_id in regrade_queue.sent:  # what the worker does, in-process
        assert regrade_code_item_grade(item_id=item_id, worker="w") == "graded"
    assert regrade_code_item_grade(item_id=regrade_queue.sent[0], worker="w") == "not_claimed"  # a redelivery
    run.refresh_from_db()
    assert run.status == RegradeRun.Status.READY
    diff = regrade_diff(run=run)
    assert (diff.up, diff.down) == (1, 1)
    owner = next(entry for entry in diff.items if entry.item.submission_id == right.pk)
    assert (owner.item.old_score, owner.item.new_score) == (pytest.approx(3.0), pytest.approx(2.0))
    assert [(c.name, c.old, c.new) for c in owner.checks] == [("scale · keys", "passed 1/1", "failed 0/1")]

    report = regrade_apply(run_id=run.pk, policy=P.KEEP_HIGHER, actor=instructor)
    right.refresh_from_db()
    wrong.refresh_from_db()
    assert (report.written, report.kept) == (1, 1)
    assert right.score == pytest.approx(3.0) and right.version.number == 1
    assert wrong.score == pytest.approx(1.0) and wrong.version.number == 2
    assert [c["passed"] for c in wrong.results["checks"]] == [False, True, False]
    assert wrong.counts_as_attempt and wrong.attempt == 1
    [change] = regrade_changes()
    assert (change.student, change.submission_id, change.old_score, change.new_score) == (fellow, wrong.pk, 0.0, 1.0)


def test_a_lost_code_task_is_resent_by_the_sweep_not_by_polling(instructor, code_question, code_answers,
                                                                  regrade_queue, client):
    run = regrade_preview_start(question=code_question, actor=instructor)  # on_commit never ran: nothing sent
    assert regrade_queue.sent == []
    client.force_login(instructor)
    url = f"/courses/{code_question.assignment.course_id}/scoring/regrades/{run.pk}/progress"
    assert client.get(url).status_code == 200
    assert regrade_queue.sent == []  # watching the page sends nothing
    assert sorted(regrade_items_sweep()) == sorted(run.items.values_list("id", flat=True))
    assert regrade_items_sweep() == []  # just sent: not again at once


def test_beat_resends_lost_code_tasks_without_anyone_watching(instructor, code_question, code_answers, regrade_queue):
    from core.tasks import sweep_jobs

    run = regrade_preview_start(question=code_question, actor=instructor)
    assert sweep_jobs()["RegradeItem"] == run.items.count() > 0
    assert sorted(regrade_queue.sent) == sorted(run.items.values_list("id", flat=True))
    assert sweep_jobs()["RegradeItem"] == 0


def test_a_queued_submission_is_left_to_the_normal_pipeline(instructor, student, code_question, queue):
    from submissions.services.submit import submission_create

    submission_create(user=student, question=code_question, code=CORRECT_SCALE, idempotency_key="key-queued01")
    run = regrade_preview_start(question=code_question, actor=instructor)
    assert run.items.count() == 0 and run.status == RegradeRun.Status.READY
    assert Submission.objects.get().status == Submission.Status.QUEUED


def test_a_stuck_run_can_be_discarded_to_free_the_question(instructor, code_question, code_answers):
    from scoring.regrade.start import regrade_run_discard

    stuck = regrade_preview_start(question=code_question, actor=instructor)  # no worker ever comes
    assert regrade_run_discard(run=stuck)
    fresh = regrade_preview_start(question=code_question, actor=instructor)
    assert fresh.status == RegradeRun.Status.RUNNING
    # A late task of the discarded run grades its item but never revives the run.
    item = stuck.items.first()
    assert regrade_code_item_grade(item_id=item.pk, worker="w") == "graded"
    stuck.refresh_from_db()
    assert stuck.status == RegradeRun.Status.DISCARDED
    with pytest.raises(RegradeRefused):
        regrade_apply(run_id=stuck.pk, policy=P.USE_NEW, actor=instructor)

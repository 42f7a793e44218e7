"""``submissions.attempts.best_scores_and_waiting`` (the gradebook's reader, aggregated in SQL) against
the per-attempt reader it replaces there: ``best_of`` / ``latest_of`` / "has tried" over
``scored_attempts(graded_only=False)``, on a varied set of code submissions and quiz answers, so a
divergence in either rule fails here."""

from __future__ import annotations

import itertools
import random
from datetime import UTC, datetime, timedelta

import pytest
from courses.models import Enrollment
from django.contrib.auth import get_user_model
from grading.services import manual_grade_save
from submissions.attempts import (
    best_of,
    best_scores,
    best_scores_and_waiting,
    latest_of,
    scored_attempts,
)
from submissions.models import QuizAnswer, Submission

from tests.platform.grading.helpers import *  # noqa: F403 (the shared fixtures)
from tests.platform.grading.helpers import answer
from tests.platform.insights.factories import check, submission

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
_keys = itertools.count(1)


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


def code_row(user, question, minutes: float, *, status: str = Submission.Status.GRADED,  # type: ignore[no-untyped-def]
             fraction: float = 1.0, late_days: int = 0, penalty: float = 1.0, counts: bool = True) -> Submission:
    """A code submission as the worker leaves it; ``penalty``: the late credit already in ``score``."""
    graded = status == Submission.Status.GRADED
    row = Submission.objects.create(
        user=user, question=question, version=question.current_version, idempotency_key=f"bw-{next(_keys):08d}",
        code="x = 1\n", seed=1, attempt=1, counts_as_attempt=counts, status=status, max_score=question.points,
        raw_score=fraction * question.points if graded else None,
        score=round(fraction * question.points * penalty, 4) if graded else None,
        verdict=("passed" if fraction >= 1 else "partial" if fraction else "failed") if graded else "",
        late_days=late_days,
    )
    Submission.objects.filter(pk=row.pk).update(created_at=at(minutes))
    return row


def quiz_row(user, question, minutes: float, *, score: float | None, needs_manual: bool = False,  # type: ignore[no-untyped-def]
             late_days: int = 0) -> QuizAnswer:
    """A quiz answer as stored: ``score`` None with ``needs_manual`` is an answer waiting for staff."""
    row = QuizAnswer.objects.create(
        user=user, question=question, version=question.current_version, answer={"text": ["x"]}, seed=1,
        attempt=1, fraction=(score or 0.0) / question.points, correct=score == question.points,
        needs_manual=needs_manual, score=score, max_score=question.points, late_days=late_days,
    )
    QuizAnswer.objects.filter(pk=row.pk).update(created_at=at(minutes))
    return row


def varied_attempts(*, course, student, fellow, ta, code_question, quiz_question, explain, second, pick,  # type: ignore[no-untyped-def]
                    extra_students: int = 6, seed: int = 7) -> list[int]:
    """Hand-made edge cases for ``student`` and ``fellow``, then ``extra_students`` students with
    random attempts of every kind. Returns the user ids of every student."""
    # owner: code partial, late full marks (0.5 credit), queued, running, error; quiz wrong, right, late right.
    code_row(student, code_question, 0, fraction=0.5)
    code_row(student, code_question, 1, fraction=1.0, late_days=2, penalty=0.5)
    code_row(student, code_question, 2, status=Submission.Status.QUEUED)
    code_row(student, code_question, 3, status=Submission.Status.RUNNING)
    code_row(student, code_question, 4, status=Submission.Status.ERROR, counts=False)
    quiz_row(student, quiz_question, 5, score=0.0)
    quiz_row(student, quiz_question, 6, score=quiz_question.points)
    quiz_row(student, quiz_question, 7, score=quiz_question.points * 0.75, late_days=1)
    # owner: explain graded by staff, then a newer answer waiting (the best stays, and it waits).
    graded = answer(student, explain)
    QuizAnswer.objects.filter(pk=graded.pk).update(created_at=at(8))
    manual_grade_save(answer_id=graded.pk, grader=ta, checked=[0, 1])
    waiting = answer(student, explain)
    QuizAnswer.objects.filter(pk=waiting.pk).update(created_at=at(9))
    # owner: second waiting, then a newer answer graded automatically: superseded, not waiting.
    quiz_row(student, second, 10, score=None, needs_manual=True)
    quiz_row(student, second, 11, score=1.0)
    # owner: pick, two answers at the same instant: the higher id is the newer (it waits).
    quiz_row(student, pick, 12, score=1.0)
    quiz_row(student, pick, 12, score=None, needs_manual=True)
    # fellow: only code that never got a score (queued, error): tried, no best.
    code_row(fellow, code_question, 0, status=Submission.Status.QUEUED)
    code_row(fellow, code_question, 1, status=Submission.Status.ERROR, counts=False)
    # fellow: two answers waiting on explain (the newer waits), a zero on quiz.
    quiz_row(fellow, explain, 2, score=None, needs_manual=True)
    quiz_row(fellow, explain, 3, score=None, needs_manual=True)
    quiz_row(fellow, quiz_question, 4, score=0.0)
    # fellow: pick, the waiting answer first, then a graded one at the same instant (higher id): not waiting.
    quiz_row(fellow, pick, 5, score=None, needs_manual=True)
    quiz_row(fellow, pick, 5, score=0.5)
    # fellow: second, a staff-graded manual answer scored 0 (a score, not waiting).
    quiz_row(fellow, second, 6, score=0.0, needs_manual=True)
    users = [student.pk, fellow.pk]
    rng = random.Random(seed)
    for n in range(extra_students):
        user = get_user_model().objects.create(username=f"varied{n:02d}")  # no password: no hashing
        Enrollment.objects.create(course=course, user=user, role=Enrollment.Role.STUDENT)
        users.append(user.pk)
        minute = 0.0
        for _ in range(rng.randint(0, 9)):
            minute += rng.choice([0, 0.5, 1, 7])  # some at the same instant
            question = rng.choice([code_question, quiz_question, explain, second, pick])
            late = rng.random() < 0.3
            if question.pk == code_question.pk:
                status = rng.choice([Submission.Status.GRADED] * 3 + [Submission.Status.QUEUED,
                                     Submission.Status.RUNNING, Submission.Status.ERROR])
                code_row(user, question, minute, status=status, fraction=rng.choice([0.0, 0.25, 0.5, 1.0]),
                         late_days=int(late), penalty=0.8 if late else 1.0)
            else:
                manual = question.pk in (explain.pk, second.pk) or rng.random() < 0.2
                pending = manual and rng.random() < 0.5
                score = None if pending else round(rng.random() * question.points * (0.8 if late else 1.0), 3)
                quiz_row(user, question, minute, score=score, needs_manual=manual, late_days=int(late))
    return users


def reference(*, question_ids, user_ids=None):  # type: ignore[no-untyped-def]
    """The per-attempt rules the gradebook used before: best_of, latest_of + awaiting_staff, any attempt."""
    attempts = scored_attempts(question_ids=question_ids, user_ids=user_ids, graded_only=False)
    waiting = {key for key, attempt in latest_of(attempts).items() if attempt.awaiting_staff}
    return best_of(attempts), waiting, {(a.user_id, a.question_id) for a in attempts}


@pytest.fixture
def varied(course, student, fellow, ta, code_question, quiz_question, explain, second, pick):  # type: ignore[no-untyped-def]
    users = varied_attempts(course=course, student=student, fellow=fellow, ta=ta, code_question=code_question,
                            quiz_question=quiz_question, explain=explain, second=second, pick=pick, extra_students=12)
    return users, [code_question.pk, quiz_question.pk, explain.pk, second.pk, pick.pk]


def test_the_dataset_covers_the_cases(varied, student, fellow, code_question, quiz_question, explain, second, pick):
    users, questions = varied
    best, waiting, tried = reference(question_ids=questions)
    assert best[(student.pk, code_question.pk)] == code_question.points * 0.5  # the late full marks ties the partial
    assert best[(student.pk, quiz_question.pk)] == quiz_question.points  # not the later late answer
    assert (student.pk, explain.pk) in waiting and best[(student.pk, explain.pk)] == 2.0
    assert (student.pk, second.pk) not in waiting and (student.pk, pick.pk) in waiting
    assert (fellow.pk, code_question.pk) in tried and (fellow.pk, code_question.pk) not in best
    assert (fellow.pk, explain.pk) in waiting and (fellow.pk, pick.pk) not in waiting
    assert best[(fellow.pk, second.pk)] == 0.0
    assert len(best) > 20 and len(waiting) > 4 and len(tried - set(best)) > 2


@pytest.mark.parametrize("attempted", [False, True])
def test_the_aggregate_agrees_with_the_per_attempt_rules(varied, student, fellow, ta, attempted):
    users, questions = varied
    for user_ids in (None, users, [student.pk], [fellow.pk], users[2:7], [ta.pk], []):
        for question_ids in (questions, questions[:1], questions[1:3], questions[2:], []):
            best, waiting, tried = reference(question_ids=question_ids, user_ids=user_ids)
            got = best_scores_and_waiting(question_ids=question_ids, user_ids=user_ids, attempted=attempted)
            where = (user_ids, question_ids)
            assert got.best == best, where
            assert got.waiting == waiting, where
            assert got.attempted == (tried if attempted else set()), where
            assert best_scores(question_ids=question_ids, user_ids=user_ids) == best, where


def test_without_waiting_only_the_best_scores(varied):
    users, questions = varied
    got = best_scores_and_waiting(question_ids=questions, user_ids=users, waiting=False)
    assert got.best == reference(question_ids=questions, user_ids=users)[0] and got.waiting == set()


def test_a_newer_code_submission_supersedes_a_waiting_answer(course, student, explain):
    """A question whose kind changed has both kinds of attempts: ``latest_of`` orders them by time."""
    quiz_row(student, explain, 0, score=None, needs_manual=True)
    code_row(student, explain, 1, fraction=0.5)
    assert best_scores_and_waiting(question_ids=[explain.pk]).waiting == set() == reference(question_ids=[explain.pk])[1]
    quiz_row(student, explain, 2, score=None, needs_manual=True)
    got = best_scores_and_waiting(question_ids=[explain.pk])
    assert (got.best, got.waiting) == reference(question_ids=[explain.pk])[:2]
    assert got.waiting == {(student.pk, explain.pk)}


def test_a_graded_submission_keeps_its_stored_late_score(course, student, code_question):
    submission(user=student, question=code_question, at=at(0), checks=[check("a", True), check("b", False)])
    late = code_row(student, code_question, 1, fraction=1.0, late_days=3, penalty=0.25)
    assert best_scores_and_waiting(question_ids=[code_question.pk]).best == {
        (student.pk, code_question.pk): round(code_question.points / 2, 4)}
    Submission.objects.filter(pk=late.pk).update(score=code_question.points)  # a regrade lifted it
    assert best_scores_and_waiting(question_ids=[code_question.pk]).best == {
        (student.pk, code_question.pk): code_question.points}


@pytest.mark.parametrize("attempted", [False, True])
def test_two_queries_whatever_the_number_of_students(varied, django_assert_num_queries, attempted):
    users, questions = varied
    with django_assert_num_queries(2):  # one aggregate per model, the waiting answers in the quiz one
        best_scores_and_waiting(question_ids=questions, attempted=attempted)
    with django_assert_num_queries(2):
        best_scores_and_waiting(question_ids=questions, user_ids=users[:3], attempted=attempted)
    with django_assert_num_queries(0):
        best_scores_and_waiting(question_ids=questions, user_ids=[])

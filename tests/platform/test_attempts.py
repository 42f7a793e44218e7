"""``submissions.attempts``: one reader of attempts for code submissions and quiz answers alike
(graded, pending on a worker, awaiting staff, error), in a constant number of queries, with the
best-score rule every total uses."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from courses.models import Enrollment
from django.db.models import Max
from grading.services import manual_grade_save
from submissions.attempts import (
    ERROR,
    GRADED,
    PENDING,
    QUIZ_ANSWER,
    SUBMISSION,
    attempted_question_ids,
    best_of,
    best_scores,
    latest_of,
    scored_attempts,
)
from submissions.models import QuizAnswer, Submission

from tests.platform.conftest import make_user
from tests.platform.grading.helpers import *  # noqa: F403 (the shared fixtures)
from tests.platform.grading.helpers import answer
from tests.platform.insights.factories import check, quiz_answer, submission

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


def awaiting(user, question, minutes: float) -> QuizAnswer:  # type: ignore[no-untyped-def]
    """A written answer waiting for staff grading, submitted at ``minutes``."""
    row = answer(user, question)
    QuizAnswer.objects.filter(pk=row.pk).update(created_at=at(minutes))
    return row


@pytest.fixture
def mixed(student, fellow, ta, code_question, quiz_question, explain):  # type: ignore[no-untyped-def]
    """owner: code partial, passed, queued, error; quiz wrong then right; an essay answer waiting.
    fellow: code failed; an essay answer graded by staff (2 of 3 points)."""
    submission(user=student, question=code_question, at=at(0), checks=[check("a", True), check("b", False)])
    submission(user=student, question=code_question, at=at(1), checks=[check("a", True), check("b", True)])
    submission(user=student, question=code_question, at=at(2), status=Submission.Status.QUEUED)
    submission(user=student, question=code_question, at=at(3), status=Submission.Status.ERROR, counts=False)
    quiz_answer(user=student, question=quiz_question, at=at(4), correct=False)
    quiz_answer(user=student, question=quiz_question, at=at(5), correct=True)
    awaiting(student, explain, 6)
    submission(user=fellow, question=code_question, at=at(0), checks=[check("a", False)])
    graded = awaiting(fellow, explain, 7)
    manual_grade_save(answer_id=graded.pk, grader=ta, checked=[0, 1])


def summary(attempts):  # type: ignore[no-untyped-def]
    return [(a.model, a.status, a.score, a.full_marks, a.counts, a.awaiting_staff) for a in attempts]


def test_both_kinds_come_through_one_reader_with_one_meaning_of_status(
    mixed, student, code_question, quiz_question, explain
):
    points = code_question.points
    everything = scored_attempts(question_ids=[code_question.pk, quiz_question.pk, explain.pk],
                                 user_ids=[student.pk], graded_only=False)
    assert summary(everything) == [
        (SUBMISSION, GRADED, round(points / 2, 4), False, True, False),
        (SUBMISSION, GRADED, points, True, True, False),
        (SUBMISSION, PENDING, None, False, True, False),  # on a worker: pending, not awaiting staff
        (SUBMISSION, ERROR, None, False, False, False),
        (QUIZ_ANSWER, GRADED, 0.0, False, True, False),
        (QUIZ_ANSWER, GRADED, quiz_question.points, True, True, False),
        (QUIZ_ANSWER, PENDING, None, False, True, True),
    ]
    assert [a.at for a in everything] == [at(m) for m in range(7)]
    assert {a.user_id for a in everything} == {student.pk}
    assert [a.question_id for a in everything] == [code_question.pk] * 4 + [quiz_question.pk] * 2 + [explain.pk]
    assert all(a.max_score > 0 for a in everything)

    graded = scored_attempts(question_ids=[code_question.pk, quiz_question.pk, explain.pk], user_ids=[student.pk])
    assert [a.status for a in graded] == [GRADED] * 4
    assert [a.id for a in graded] == [a.id for a in everything if a.status == GRADED]

    newest = scored_attempts(question_ids=[code_question.pk, quiz_question.pk, explain.pk],
                             user_ids=[student.pk], graded_only=False, order="newest")
    assert newest == everything[::-1]


def test_a_staff_grade_makes_a_manual_answer_graded(mixed, fellow, explain):
    (graded,) = scored_attempts(question_ids=[explain.pk], user_ids=[fellow.pk])
    assert (graded.model, graded.status, graded.score, graded.manual, graded.awaiting_staff) == (
        QUIZ_ANSWER, GRADED, 2.0, True, False)
    assert not graded.full_marks  # 2 of 3 points


def test_all_users_when_none_are_named_and_nothing_for_no_questions_or_users(mixed, student, fellow, explain):
    assert {a.user_id for a in scored_attempts(question_ids=[explain.pk], graded_only=False)} == {student.pk, fellow.pk}
    assert scored_attempts(question_ids=[]) == []
    assert scored_attempts(question_ids=[explain.pk], user_ids=[]) == []


def test_latest_and_best_per_student_and_question(mixed, student, fellow, code_question, quiz_question, explain):
    attempts = scored_attempts(question_ids=[code_question.pk, quiz_question.pk, explain.pk], graded_only=False)
    latest = latest_of(attempts)
    assert latest[(student.pk, code_question.pk)].status == ERROR
    assert latest[(student.pk, explain.pk)].awaiting_staff
    assert latest[(fellow.pk, explain.pk)].status == GRADED
    assert best_of(attempts) == {
        (student.pk, code_question.pk): code_question.points,
        (student.pk, quiz_question.pk): quiz_question.points,
        (fellow.pk, code_question.pk): 0.0,
        (fellow.pk, explain.pk): 2.0,
    }


def test_attempted_questions_count_every_status(mixed, student, fellow, code_question, quiz_question, explain, pick):
    ids = [code_question.pk, quiz_question.pk, explain.pk, pick.pk]
    assert attempted_question_ids(user_id=student.pk, question_ids=ids) == {
        code_question.pk, quiz_question.pk, explain.pk}
    assert attempted_question_ids(user_id=fellow.pk, question_ids=ids) == {code_question.pk, explain.pk}
    assert attempted_question_ids(user_id=fellow.pk, question_ids=[]) == set()


def _old_best_scores(*, question_ids, user_ids=None):  # type: ignore[no-untyped-def]
    """``scoring.best.best_scores`` as it was before ``submissions.attempts``: the reference."""
    best: dict[tuple[int, int], float] = {}
    for model in (Submission, QuizAnswer):
        rows = model.objects.filter(question_id__in=list(question_ids), score__isnull=False)
        if user_ids is not None:
            rows = rows.filter(user_id__in=list(user_ids))
        for row in rows.values("user_id", "question_id").annotate(best=Max("score")):
            key = (row["user_id"], row["question_id"])
            best[key] = max(best.get(key, 0.0), row["best"])
    return best


def test_best_scores_agrees_with_the_old_rule_on_a_mixed_set(
    mixed, student, fellow, ta, code_question, quiz_question, explain, pick, second
):
    answer(fellow, second)  # waiting: no score
    quiz_answer(user=fellow, question=quiz_question, at=at(9), correct=True)
    quiz_answer(user=fellow, question=quiz_question, at=at(10), correct=False)  # an older answer was better
    ids = [code_question.pk, quiz_question.pk, explain.pk, pick.pk, second.pk]
    for users in (None, [student.pk], [fellow.pk], [student.pk, fellow.pk], [ta.pk]):
        assert best_scores(question_ids=ids, user_ids=users) == _old_best_scores(question_ids=ids, user_ids=users)
    assert best_scores(question_ids=ids)[(fellow.pk, quiz_question.pk)] == quiz_question.points


def test_scoring_best_is_the_same_rule():
    from scoring.best import best_scores as from_scoring

    assert from_scoring is best_scores


def _enrol_students(course, code_question, quiz_question, explain, count: int) -> list[int]:  # type: ignore[no-untyped-def]
    ids = []
    for n in range(count):
        user = make_user(f"many{n:02d}")
        Enrollment.objects.create(course=course, user=user, role=Enrollment.Role.STUDENT)
        submission(user=user, question=code_question, at=at(n), checks=[check("a", n % 2 == 0)])
        submission(user=user, question=code_question, at=at(n + 1), status=Submission.Status.QUEUED)
        quiz_answer(user=user, question=quiz_question, at=at(n), correct=n % 3 == 0)
        answer(user, explain)
        ids.append(user.pk)
    return ids


@pytest.mark.parametrize("students", [1, 8])
def test_the_number_of_queries_does_not_grow_with_students(
    students, course, code_question, quiz_question, explain, django_assert_num_queries
):
    ids = _enrol_students(course, code_question, quiz_question, explain, students)
    questions = [code_question.pk, quiz_question.pk, explain.pk]
    with django_assert_num_queries(2):  # one per model
        attempts = scored_attempts(question_ids=questions, user_ids=ids, graded_only=False)
    assert len(attempts) == 4 * students
    with django_assert_num_queries(2):
        attempts = scored_attempts(question_ids=questions)
    assert len(attempts) == 2 * students  # queued code and waiting answers are not graded
    with django_assert_num_queries(2):
        best = best_scores(question_ids=questions)
    assert len(best) == 2 * students
    with django_assert_num_queries(2):
        assert attempted_question_ids(user_id=ids[-1], question_ids=questions) == set(questions)

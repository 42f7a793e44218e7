"""quiz_answer_create: graded on the spot by the kind; attempts and late penalty apply."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from submissions.services.errors import SubmitRefused
from submissions.services.quiz import quiz_answer_create


def answer(user, question, choice):  # type: ignore[no-untyped-def]
    return quiz_answer_create(user=user, question=question, data={"choice": [choice]}, lang="en")


def test_the_right_choice_scores_full_points(student, quiz_question):
    result = answer(student, quiz_question, "right")
    assert result.correct and result.score == pytest.approx(2.0) and result.attempt == 1


def test_the_wrong_choice_scores_zero_with_its_feedback(student, quiz_question):
    result = answer(student, quiz_question, "wrong")
    assert not result.correct and result.score == 0 and "Wrong" in result.feedback


def test_a_malformed_answer_is_refused_without_using_an_attempt(student, quiz_question):
    with pytest.raises(SubmitRefused) as refused:
        quiz_answer_create(user=student, question=quiz_question, data={}, lang="en")
    assert refused.value.status == 400
    assert answer(student, quiz_question, "right").attempt == 1


def test_the_attempt_limit_applies(student, quiz_question):
    answer(student, quiz_question, "wrong")
    answer(student, quiz_question, "wrong")
    with pytest.raises(SubmitRefused) as refused:
        answer(student, quiz_question, "right")
    assert refused.value.status == 403


def test_late_answers_lose_credit_per_day(student, quiz_question):
    assignment = quiz_question.assignment
    assignment.due_at = timezone.now() - timedelta(hours=5)
    assignment.save()
    result = answer(student, quiz_question, "right")
    assert result.late_days == 1 and result.score == pytest.approx(2.0 * 0.75)

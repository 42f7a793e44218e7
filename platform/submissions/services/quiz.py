"""Answers to non-code questions: parsed and graded on the spot by the question's kind."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from assessments.models import Question
from assessments.seeds import student_seed
from core.ratelimit import rate_limit_exceeded
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from scoring.models import ScoreChange
from scoring.policy import StudentPolicy
from scoring.services import score_change_record

from submissions.models import QuizAnswer
from submissions.services.errors import SubmitRefused
from submissions.services.policy import attempts_used, enrollment_lock, submission_policy_check


def quiz_answer_create(
    *, user: AbstractBaseUser, question: Question, data: dict[str, list[str]], lang: str = "ko"
) -> QuizAnswer:
    from kinds import AnswerError, get_kind

    version = question.current_version
    if version is None or question.is_code:
        raise SubmitRefused(_("This question does not take answers here."), status=400)
    kind = get_kind(question.kind)
    try:
        answer = kind.parse_answer(data, version.spec)
    except AnswerError as error:
        raise SubmitRefused(error.text(lang), status=400) from None
    now = timezone.now()
    with transaction.atomic():
        enrollment = enrollment_lock(user=user, question=question)
        used = attempts_used(model=QuizAnswer, user=user, question=question)
        # The student's own policy (an extension applies) decides the late credit and days late.
        policy = submission_policy_check(enrollment=enrollment, question=question, used=used, at=now)
        if rate_limit_exceeded(user_id=user.pk, bucket=f"quiz:{question.pk}"):
            raise SubmitRefused(_("Too many answers in a minute. Wait a moment and try again."), status=429)
        return quiz_answer_record(user=user, question=question, answer=answer, policy=policy, at=now, lang=lang)


def quiz_answer_record(
    *, user: AbstractBaseUser, question: Question, answer: dict[str, Any], policy: StudentPolicy,
    at: datetime, lang: str = "ko",
) -> QuizAnswer:
    """Grade a parsed, admitted answer given at ``at`` and store it with its score change: the one
    place a quiz answer row is written (the answer service, and the demo class replaying a term)."""
    from kinds import get_kind

    version = question.current_version
    kind = get_kind(question.kind)
    seed = student_seed(user_id=user.pk, question_id=question.pk)
    variables = kind.variant(version.spec, seed)
    grade = kind.grade(version.spec, variables, answer, lang)
    fraction = max(0.0, min(1.0, float(grade.fraction)))
    score = None if grade.needs_manual else policy.score(fraction, question.points, at)
    quiz_answer = QuizAnswer.objects.create(
        user=user, question=question, version=version, answer=answer, seed=seed,
        attempt=QuizAnswer.objects.filter(user=user, question=question).count() + 1,
        fraction=fraction, correct=bool(grade.correct), needs_manual=bool(grade.needs_manual),
        score=score, max_score=question.points, late_days=policy.days_late(at),
        feedback=grade.feedback or "", misconception=(grade.misconception or "")[:200],
        details=grade.details or {}, created_at=at,
    )
    if score is not None:
        score_change_record(
            student_id=user.pk, question_id=question.pk, old_score=None, new_score=score,
            source=ScoreChange.Source.GRADED, quiz_answer_id=quiz_answer.pk,
            reason=f"attempt {quiz_answer.attempt}", assignment_id=question.assignment_id,
        )
    return quiz_answer

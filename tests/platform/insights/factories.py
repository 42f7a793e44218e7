"""Stored submissions and answers with realistic grader results, written straight to the
database (the dashboards read what grading stored; they never grade)."""

from __future__ import annotations

import itertools
from datetime import datetime
from typing import Any

from assessments.models import Question
from submissions.models import Draft, QuizAnswer, Submission

_keys = itertools.count(1)


def check(name: str, passed: bool, points: float = 1.0, message: str = "", hidden: bool = False) -> dict[str, Any]:
    return {
        "name": name, "passed": passed, "score": points if passed else 0.0, "max_score": points,
        "message": message or ("out: ok (max abs error 0)" if passed else "out: values differ"),
        "hidden": hidden, "hint": "", "details": {},
    }


def submission(
    *, user: Any, question: Question, at: datetime, checks: list[dict[str, Any]] | None = None,
    verdict: str | None = None, status: str = Submission.Status.GRADED, code: str = "x = 1\n",
    counts: bool = True,
) -> Submission:
    """A submission as the worker leaves it. Verdict and scores follow from ``checks``."""
    checks = checks or []
    raw = sum(c["score"] for c in checks)
    max_raw = sum(c["max_score"] for c in checks) or 1.0
    if verdict is None:
        verdict = "passed" if checks and raw >= max_raw else ("partial" if raw > 0 else "failed")
    graded = status == Submission.Status.GRADED
    row = Submission.objects.create(
        user=user, question=question, version=question.current_version,
        idempotency_key=f"insights-{next(_keys):08d}", code=code, seed=1, attempt=1,
        counts_as_attempt=counts, status=status, max_score=question.points,
        raw_score=raw if graded else None,
        score=round(raw / max_raw * question.points, 4) if graded else None,
        verdict=verdict if graded else "",
        results={"status": verdict, "score": raw, "max_score": max_raw, "checks": checks} if graded else None,
    )
    Submission.objects.filter(pk=row.pk).update(created_at=at, graded_at=at if graded else None)
    row.refresh_from_db()
    return row


def draft(*, user: Any, question: Question, at: datetime, code: str = "x = 1\n") -> Draft:
    return Draft.objects.create(user=user, question=question, code=code, saved_at=at)


def quiz_answer(*, user: Any, question: Question, at: datetime, correct: bool,
                misconception: str = "") -> QuizAnswer:
    row = QuizAnswer.objects.create(
        user=user, question=question, version=question.current_version, answer={"choice": "a"}, seed=1,
        attempt=1, fraction=1.0 if correct else 0.0, correct=correct, score=question.points if correct else 0.0,
        max_score=question.points, misconception=misconception,
    )
    QuizAnswer.objects.filter(pk=row.pk).update(created_at=at)
    row.refresh_from_db()
    return row

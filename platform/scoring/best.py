"""The grading rule every total uses (gradebook, dashboards, LTI passback): a student's score on a
question is their best scored submission or answer (late penalty already applied)."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Max
from submissions.models import QuizAnswer, Submission


def best_scores(
    *, question_ids: Iterable[int], user_ids: Iterable[int] | None = None
) -> dict[tuple[int, int], float]:
    """``{(user_id, question_id): best score}`` over code submissions and quiz answers."""
    question_ids = list(question_ids)
    best: dict[tuple[int, int], float] = {}
    for model in (Submission, QuizAnswer):
        rows = model.objects.filter(question_id__in=question_ids, score__isnull=False)
        if user_ids is not None:
            rows = rows.filter(user_id__in=list(user_ids))
        for row in rows.values("user_id", "question_id").annotate(best=Max("score")):
            key = (row["user_id"], row["question_id"])
            best[key] = max(best.get(key, 0.0), row["best"])
    return best

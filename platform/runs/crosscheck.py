"""The cross-checks of a run (grader/crosscheck.py): each one a code question declares names a
numeric question of the same assignment. Before the run, its probe arguments are resolved with
the student's own variant of that question (the numbers their prompt shows); after the run, the
student's latest answer to it is put next to what their code gave, and a disagreement flagged.
Which of the two is right is never said: only the student's own numbers and their own code's
output are shown, so nothing here tells more than running their code would."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from assessments.models import Question
from assessments.seeds import student_seed
from django.urls import reverse
from submissions.models import QuizAnswer

from grader.question import CodeQuestion
from kinds import get_kind
from kinds.base import format_number

TOLERANCE = 1e-9


@dataclass
class CrossCheckInputs:
    args: dict[str, dict[str, int | float]] = field(default_factory=dict)  # for grader.run.run_code
    context: dict[str, dict[str, Any]] = field(default_factory=dict)  # per name: the numeric question and answer


def crosscheck_inputs(*, user_id: int, question: Question, code_question: CodeQuestion) -> CrossCheckInputs:
    inputs = CrossCheckInputs()
    if not code_question.crosschecks:
        return inputs
    slugs = {spec.question for spec in code_question.crosschecks}
    numeric = {
        q.slug: q for q in Question.objects.filter(
            assignment_id=question.assignment_id, slug__in=slugs, kind="numeric", active=True,
            current_version__isnull=False,
        ).select_related("current_version")
    }
    for spec in code_question.crosschecks:
        target = numeric.get(spec.question)
        if target is None:
            continue
        kind = get_kind(target.kind)
        variables = kind.variant(target.current_version.spec, student_seed(user_id=user_id, question_id=target.pk))
        args = spec.resolve(variables)
        if args is None:
            continue
        latest = QuizAnswer.objects.filter(user_id=user_id, question=target).order_by("-created_at", "-id").first()
        value = latest.answer.get("value") if latest is not None and isinstance(latest.answer, dict) else None
        inputs.args[spec.name] = args
        inputs.context[spec.name] = {
            "question_id": target.pk, "title": target.title,
            "answer": float(value) if isinstance(value, int | float) and math.isfinite(value) else None,
        }
    return inputs


def crosscheck_attach(result: dict[str, Any], inputs: CrossCheckInputs) -> None:
    """Add the student's answer, the numeric question and ``agree`` to each cross-check result."""
    for item in result.get("crosschecks") or []:
        context = inputs.context.get(item.get("name"))
        if context is None:
            continue
        item.update(context)
        value, answer = item.get("value"), context["answer"]
        item["agree"] = None if value is None or answer is None else math.isclose(
            value, answer, rel_tol=TOLERANCE, abs_tol=TOLERANCE)


def crosscheck_views(result: dict[str, Any], pick: Any) -> list[dict[str, Any]]:
    """What the run panel shows of the cross-checks (``pick`` chooses a ko/en text)."""
    views = []
    for item in result.get("crosschecks") or []:
        if not isinstance(item, dict) or not isinstance(item.get("question_id"), int):
            continue
        args = item.get("args") if isinstance(item.get("args"), list) else []
        pairs = [pair for pair in args if isinstance(pair, list) and len(pair) == 2 and isinstance(pair[0], str)]
        views.append({
            "label": pick(item.get("label")),
            "args": ", ".join(f"{name} = {_number(value)}" for name, value in pairs),
            "value": _number(item.get("value")),
            "error": str(item.get("error") or "") if item.get("value") is None else "",
            "answer": _number(item.get("answer")),
            "agree": item.get("agree") if isinstance(item.get("agree"), bool) else None,
            "title": pick(item.get("title")),
            "url": reverse("assessments:question", args=[item["question_id"]]),
        })
    return views


def _number(value: Any) -> str | None:
    """A finite number as the numeric kind writes it (``kinds.base.format_number``), else None."""
    if not isinstance(value, int | float) or isinstance(value, bool) or not math.isfinite(value):
        return None
    return format_number(value)

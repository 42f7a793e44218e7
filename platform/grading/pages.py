"""Context builders for the grading pages (reads only; the views stay a few lines)."""

from __future__ import annotations

import json
from typing import Any

from assessments.markdown import markdown_render
from django.contrib.auth.models import AbstractBaseUser
from django.utils.translation import get_language
from scoring.policy import policy_for
from submissions.models import QuizAnswer

from grading.forms import GradeForm
from grading.models import GradingAssignment
from grading.order import settings_for
from grading.rubric import model_answer, rubric_items
from grading.selectors import (
    answer_history,
    answer_neighbours,
    answer_newer_exists,
    answer_student_label,
    is_pending,
    manual_grade_latest,
    manual_grades,
)


def answer_text(answer: QuizAnswer) -> str:
    """What the student wrote, as plain text (the template escapes it)."""
    value = answer.answer
    if isinstance(value, dict) and isinstance(value.get("text"), str):
        return value["text"]
    return json.dumps(value, ensure_ascii=False)


def grade_form_initial(answer: QuizAnswer) -> dict[str, Any]:
    latest = manual_grade_latest(answer=answer)
    if latest is None:
        return {"checked": [], "adjustment": 0, "comment": "", "based_on": None}
    return {
        "checked": [item["index"] for item in latest.rubric_checked],
        "adjustment": latest.adjustment, "comment": latest.comment, "based_on": latest.pk,
    }


def grade_form(answer: QuizAnswer, data: Any = None) -> GradeForm:
    return GradeForm(
        data, initial=grade_form_initial(answer), items=rubric_items(answer.version),
        points=answer.question.points,
    )


def grade_page_context(
    *, answer: QuizAnswer, grader: AbstractBaseUser, who: str, form: GradeForm | None = None
) -> dict[str, Any]:
    from kinds import get_kind

    version = answer.version
    question = answer.question
    kind = get_kind(version.kind)
    lang = (get_language() or "ko")[:2]
    prompt = kind.render_prompt(version.prompt(lang), kind.variant(version.spec, answer.seed))
    reference = model_answer(version)
    form = form or grade_form(answer)
    label, anonymous = answer_student_label(answer=answer, anonymous=settings_for(question.assignment.course_id).anonymous)
    assignment_row = GradingAssignment.objects.filter(
        question=question, student_id=answer.user_id
    ).select_related("grader").first()
    return {
        "course": question.assignment.course, "assignment": question.assignment, "question": question,
        "answer": answer, "student": answer.user, "who": who,
        "student_label": label, "anonymous": anonymous,
        "prompt_html": markdown_render(prompt),
        "model_answer_html": markdown_render(reference) if reference else "",
        "answer_text": answer_text(answer),
        "items": rubric_items(version),
        "form": form,
        "checked": _checked_values(form),
        "pending": is_pending(answer),
        "grades": list(manual_grades(answer=answer)),
        "newer": answer_newer_exists(answer=answer),
        "older": list(answer_history(answer=answer)),
        "neighbours": answer_neighbours(answer=answer, grader=grader, who=who),
        "assigned_to": assignment_row.grader if assignment_row else None,
        "credit_factor": policy_for(user_id=answer.user_id, assignment=question.assignment).credit(answer.created_at),
    }


def _checked_values(form: GradeForm) -> set[int]:
    values = form["checked"].value() or []
    return {int(value) for value in values if str(value).lstrip("-").isdigit()}

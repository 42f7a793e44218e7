"""Context builders for the question page (reads only; the view stays a few lines)."""

from __future__ import annotations

from typing import Any

from courses.models import Enrollment
from django.contrib.auth.models import AbstractBaseUser
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from scoring.policy import StudentPolicy, policy_for
from scoring.visibility import feedback_hidden_message, feedback_visible
from submissions.feedback import feedback_html
from submissions.models import QuizAnswer
from submissions.selectors import (
    draft_get,
    quiz_answer_history,
    submission_history,
    submission_latest_final,
    submission_pending,
)

from assessments.markdown import markdown_render
from assessments.models import Question
from assessments.seeds import student_seed
from grader.submission import MAX_CODE_BYTES


def member_policy(*, question: Question, enrollment: Enrollment) -> StudentPolicy:
    """The member's own policy (scoring.policy): an extension moves their dates and adds attempts;
    staff may always submit."""
    return policy_for(user_id=enrollment.user_id, assignment=question.assignment, staff=enrollment.is_staff_role)


def attempts_left(*, question: Question, enrollment: Enrollment, used: int) -> int | None:
    if enrollment.is_staff_role:
        return None
    return member_policy(question=question, enrollment=enrollment).attempts_left(used)


def can_submit(*, question: Question, enrollment: Enrollment, used: int) -> tuple[bool, str]:
    """The submit rule of ``submission_policy_check`` (``StudentPolicy.submit_refusal``), for the
    page: whether the form is enabled and, if not, why."""
    refusal = member_policy(question=question, enrollment=enrollment).submit_refusal(timezone.now(), used, question)
    return refusal is None, refusal or ""


def results_visible(*, question: Question, enrollment: Enrollment) -> bool:
    return feedback_visible(
        assignment=question.assignment, user_id=enrollment.user_id, viewer_is_staff=enrollment.is_staff_role
    )


def code_question_context(*, user: AbstractBaseUser, question: Question, enrollment: Enrollment, lang: str) -> dict[str, Any]:
    version = question.current_version
    assert version is not None
    history = list(submission_history(user=user, question=question))
    used = sum(1 for row in history if row.counts_as_attempt)
    pending = submission_pending(user=user, question=question)
    latest = submission_latest_final(user=user, question=question)
    draft = draft_get(user=user, question=question)
    allowed, reason = can_submit(question=question, enrollment=enrollment, used=used)
    config = {
        "questionId": question.pk,
        "draftUrl": reverse("submissions:draft", args=[question.pk]),
        "submitUrl": reverse("submissions:submit", args=[question.pk]),
        "template": version.template,
        "maxCodeBytes": MAX_CODE_BYTES,
        "lang": lang,
        "pendingSubmission": {"id": pending.pk, "statusUrl": reverse("submissions:status", args=[pending.pk])}
        if pending else None,
        "i18n": {
            "saved": _("Saved"), "saving": _("Saving…"), "offline": _("Offline; will retry"),
            "queued": _("Waiting for a grader…"), "running": _("Grading…"), "graded": _("Graded"),
            "error": _("Could not be graded"),
            "tooLarge": _("Your code is larger than the limit of %(limit)s bytes.") % {"limit": f"{MAX_CODE_BYTES:,}"},
            "confirmReset": _("Replace your code with the starter template? Your draft will be overwritten."),
            "view": _("View"), "diff": _("Diff"),
        },
    }
    return {
        "config": config,
        "initial_code": draft.code if draft else version.template,
        "history": history,
        "feedback_html": feedback_html(latest, viewer_is_staff=enrollment.is_staff_role) if latest else "",
        "can_submit": allowed,
        "closed_reason": reason,
        "attempts_left": attempts_left(question=question, enrollment=enrollment, used=used),
        "scores_hidden": not results_visible(question=question, enrollment=enrollment),
    }


def quiz_question_context(*, user: AbstractBaseUser, question: Question, enrollment: Enrollment, lang: str) -> dict[str, Any]:
    from kinds import get_kind

    version = question.current_version
    assert version is not None
    kind = get_kind(question.kind)
    seed = student_seed(user_id=user.pk, question_id=question.pk)
    variables = kind.variant(version.spec, seed)
    answers: list[QuizAnswer] = list(quiz_answer_history(user=user, question=question))
    used = sum(1 for row in answers if row.counts_as_attempt)
    latest = answers[0] if answers else None
    allowed, reason = can_submit(question=question, enrollment=enrollment, used=used)
    explanation = ""
    hidden = not results_visible(question=question, enrollment=enrollment)
    late = policy_for(user_id=user.pk, assignment=question.assignment).days_late(timezone.now()) > 0
    if enrollment.is_staff_role or (latest and not hidden and question.assignment.show_explanations and (
        latest.correct or not allowed or late
    )):
        # Students see the worked explanation once it can no longer give the answer away: after a
        # correct answer, when no attempt is left (or the window closed), or after the due date.
        explanation = kind.explanation(version.spec, lang)
    return {
        "prompt_html": markdown_render(kind.render_prompt(version.prompt(lang), variables)),
        "q": kind.public_spec(version.spec, variables, lang, seed),
        "form_template": f"{question.kind}/form.html",
        "answer": latest.answer if latest else None,
        "disabled": not allowed,
        "closed_reason": reason,
        "latest": latest,
        "answers": answers,
        "explanation_html": markdown_render(explanation) if explanation else "",
        "attempts_left": attempts_left(question=question, enrollment=enrollment, used=used),
        "manual_grade": _manual_grade(latest),
        # Scores and feedback not shown yet (scoring.visibility): the template shows this notice.
        "feedback_hidden": feedback_hidden_message(question.assignment) if hidden else "",
    }


def _manual_grade(latest: QuizAnswer | None) -> Any:
    """The staff grade of a graded descriptive answer (its rubric items are shown to the student)."""
    if latest is None or not latest.needs_manual or latest.score is None:
        return None
    from grading.selectors import manual_grade_latest

    return manual_grade_latest(answer=latest)


def question_prompt_html(*, question: Question, lang: str) -> str:
    version = question.current_version
    assert version is not None
    return markdown_render(version.prompt(lang))



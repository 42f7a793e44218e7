from __future__ import annotations

from courses.models import Enrollment
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods
from pools.selectors import pool_layout, pool_names_of
from scoring.policy import policy_for
from scoring.visibility import feedback_visible
from submissions.selectors import question_statuses, question_submissions_for_staff
from submissions.services.errors import SubmitRefused
from submissions.services.quiz import quiz_answer_create

from assessments.models import Question
from assessments.pages import code_question_context, question_prompt_html, quiz_question_context
from assessments.selectors import (
    AssignmentNotOpen,
    QuestionLocked,
    assignment_get_for_member,
    question_get_for_member,
    question_list_for_member,
    questions_hidden_until,
)


def _lang() -> str:
    return (get_language() or "ko")[:2]


def assignment_detail(request: HttpRequest, course_id: int, assignment_id: int) -> HttpResponse:
    assignment, enrollment = assignment_get_for_member(
        user=request.user, course_id=course_id, assignment_id=assignment_id
    )
    # Before it opens, students see the assignment's dates but not its questions.
    opens_at = questions_hidden_until(assignment=assignment, enrollment=enrollment)
    questions = [] if opens_at else question_list_for_member(assignment=assignment, enrollment=enrollment)
    statuses = question_statuses(user=request.user, questions=questions)
    rows = [(question, statuses[question.pk]) for question in questions]
    return render(request, "assessments/assignment_detail.html", {
        "course": assignment.course, "assignment": assignment, "enrollment": enrollment, "rows": rows,
        # Pools count per slot (draw x points), not per member: the same maximum for everyone.
        "total_points": pool_layout(assignment_ids=[assignment.pk], user_ids=[]).max_points(questions), "opens_at": opens_at,
        "pool_of": pool_names_of(assignment_id=assignment.pk) if enrollment.is_staff_role else {},
        # The student's own dates (an extension) and whether scores are shown yet (scoring app).
        "window": policy_for(user_id=request.user.pk, assignment=assignment),
        "scores_hidden": not feedback_visible(
            assignment=assignment, user_id=request.user.pk, viewer_is_staff=enrollment.is_staff_role
        ),
    })


@require_http_methods(["GET", "POST"])
def question_detail(request: HttpRequest, question_id: int) -> HttpResponse:
    try:
        question, enrollment = question_get_for_member(user=request.user, question_id=question_id)
    except AssignmentNotOpen as not_open:
        # Says when, and nothing of the question itself; a posted answer is not looked at.
        return render(request, "assessments/not_open.html", {
            "course": not_open.assignment.course, "assignment": not_open.assignment, "opens_at": not_open.opens_at,
        }, status=403)
    except QuestionLocked as locked:
        # An exam outside the student's running session: why, and the way to the exam page.
        return render(request, "exams/locked.html", {
            "course": locked.assignment.course, "assignment": locked.assignment, "message": locked.message,
        }, status=403)
    if request.method == "POST":
        if question.is_code:
            return HttpResponseNotAllowed(["GET"])  # code goes to the JSON endpoints
        data = {key: values for key, values in request.POST.lists() if key != "csrfmiddlewaretoken"}
        try:
            if any("\x00" in value for values in data.values() for value in values):
                # Postgres cannot store a NUL character in text or JSON: refuse it as a mistake.
                raise SubmitRefused(_("The answer contains a NUL character; remove it and try again."), status=400)
            answer = quiz_answer_create(user=request.user, question=question, data=data, lang=_lang())
        except SubmitRefused as refused:
            # The page again, with the refusal's status (400 unusable answer, 403 closed, 429 too
            # fast) and its reason; nothing was stored and no attempt was used.
            messages.error(request, refused.message)
            return _question_page(request, question, enrollment, status=refused.status)
        if answer.needs_manual:
            messages.info(request, _("Your answer was saved; staff will grade it."))
        else:
            messages.success(request, _("Your answer was graded."))
        return redirect("assessments:question", question_id=question.pk)
    return _question_page(request, question, enrollment)


def _question_page(request: HttpRequest, question: Question, enrollment: Enrollment, status: int = 200) -> HttpResponse:
    context = {
        "course": question.assignment.course, "assignment": question.assignment, "question": question,
        "enrollment": enrollment,
    }
    if question.is_code:
        context.update(code_question_context(user=request.user, question=question, enrollment=enrollment, lang=_lang()))
        context["prompt_html"] = question_prompt_html(question=question, lang=_lang())
        return render(request, "assessments/question_code.html", context, status=status)
    context.update(quiz_question_context(user=request.user, question=question, enrollment=enrollment, lang=_lang()))
    return render(request, "assessments/question_quiz.html", context, status=status)


def question_submissions(request: HttpRequest, question_id: int) -> HttpResponse:
    """Staff: every student's latest submission to one code question."""
    question, enrollment = question_get_for_member(user=request.user, question_id=question_id)
    if not enrollment.is_staff_role or not question.is_code:
        raise Http404
    return render(request, "assessments/question_submissions.html", {
        "course": question.assignment.course, "assignment": question.assignment, "question": question,
        "rows": question_submissions_for_staff(question=question),
    })

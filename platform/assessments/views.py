from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods
from submissions.selectors import question_statuses, question_submissions_for_staff
from submissions.services.errors import SubmitRefused
from submissions.services.quiz import quiz_answer_create

from assessments.pages import code_question_context, question_prompt_html, quiz_question_context
from assessments.selectors import assignment_get_for_member, question_get_for_member, question_list


def _lang() -> str:
    return (get_language() or "ko")[:2]


def assignment_detail(request: HttpRequest, course_id: int, assignment_id: int) -> HttpResponse:
    assignment, enrollment = assignment_get_for_member(
        user=request.user, course_id=course_id, assignment_id=assignment_id
    )
    questions = list(question_list(assignment=assignment))
    statuses = question_statuses(user=request.user, questions=questions)
    rows = [(question, statuses[question.pk]) for question in questions]
    return render(request, "assessments/assignment_detail.html", {
        "course": assignment.course, "assignment": assignment, "enrollment": enrollment, "rows": rows,
        "total_points": sum(question.points for question in questions),
    })


@require_http_methods(["GET", "POST"])
def question_detail(request: HttpRequest, question_id: int) -> HttpResponse:
    question, enrollment = question_get_for_member(user=request.user, question_id=question_id)
    if request.method == "POST":
        if question.is_code:
            return HttpResponse(status=405)
        data = {key: values for key, values in request.POST.lists() if key != "csrfmiddlewaretoken"}
        try:
            answer = quiz_answer_create(user=request.user, question=question, data=data, lang=_lang())
        except SubmitRefused as refused:
            messages.error(request, refused.message)
        else:
            if answer.needs_manual:
                messages.info(request, _("Your answer was saved; staff will grade it."))
            else:
                messages.success(request, _("Your answer was graded."))
        return redirect("assessments:question", question_id=question.pk)
    context = {
        "course": question.assignment.course, "assignment": question.assignment, "question": question,
        "enrollment": enrollment,
    }
    if question.is_code:
        context.update(code_question_context(user=request.user, question=question, enrollment=enrollment, lang=_lang()))
        context["prompt_html"] = question_prompt_html(question=question, lang=_lang())
        return render(request, "assessments/question_code.html", context)
    context.update(quiz_question_context(user=request.user, question=question, enrollment=enrollment, lang=_lang()))
    return render(request, "assessments/question_quiz.html", context)


def question_submissions(request: HttpRequest, question_id: int) -> HttpResponse:
    """Staff: every student's latest submission to one code question."""
    question, enrollment = question_get_for_member(user=request.user, question_id=question_id)
    if not enrollment.is_staff_role or not question.is_code:
        raise Http404
    return render(request, "assessments/question_submissions.html", {
        "course": question.assignment.course, "assignment": question.assignment, "question": question,
        "rows": question_submissions_for_staff(question=question),
    })

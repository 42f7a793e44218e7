"""Regrade requests. The student's page starts with ``question_get_for_member``; every staff
view with ``course_get_for_staff(permission="regrade")`` (students and outsiders get 404, a TA
without the regrade grant 403) and looks ids up inside that course only."""

from __future__ import annotations

from assessments.models import Assignment
from assessments.selectors import question_get_for_member
from courses.selectors import course_get_for_staff
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST
from submissions.feedback import feedback_html

from regrade_requests.forms import AnswerForm, AskForm, WindowForm
from regrade_requests.selectors import (
    STATUS_FILTERS,
    course_assignments,
    request_get_for_course,
    request_queue,
    student_requests,
)
from regrade_requests.services import (
    RegradeRefused,
    askable,
    item_label,
    regrade_request_answer,
    regrade_request_create,
    window_closes_at,
    window_set,
)


@require_http_methods(["GET", "POST"])
def ask(request: HttpRequest, question_id: int) -> HttpResponse:
    question, enrollment = question_get_for_member(user=request.user, question_id=question_id)
    if enrollment.is_staff_role:
        return redirect("regrade_requests:queue", course_id=question.assignment.course_id)
    found = askable(user=request.user, question=question)
    form = AskForm(request.POST or None, items=found.items if found else [])
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                regrade_request_create(user=request.user, question=question, item=form.cleaned_data["item"],
                                       reason=form.cleaned_data["reason"])
            except RegradeRefused as refused:
                form.add_error(None, refused.message)
            else:
                messages.success(request, _("Your request was sent to the course staff."))
                return redirect("regrade_requests:ask", question_id=question.pk)
        status = 400
    requests = [(r, item_label(r)) for r in student_requests(user=request.user, question=question)]
    return render(request, "regrade_requests/ask.html", {
        "course": question.assignment.course, "assignment": question.assignment, "question": question,
        "found": found, "form": form, "requests": requests,
        "closes_at": window_closes_at(question.assignment),
    }, status=status)


def queue(request: HttpRequest, course_id: int) -> HttpResponse:
    course, enrollment = course_get_for_staff(user=request.user, course_id=course_id, permission="regrade")
    status = request.GET.get("status", "open")
    if status not in STATUS_FILTERS:
        status = "open"
    return render(request, "regrade_requests/queue.html", {
        "course": course, "enrollment": enrollment, "status": status, "filters": STATUS_FILTERS,
        "rows": [(r, item_label(r)) for r in request_queue(course=course, status=status)[:500]],
        "windows": [(a, WindowForm(initial={"closes_at": getattr(getattr(a, "regrade_window", None), "closes_at", None)},
                                   prefix=f"a{a.pk}")) for a in course_assignments(course=course)],
    })


@require_POST
def window(request: HttpRequest, course_id: int, assignment_id: int) -> HttpResponse:
    course, _enrollment = course_get_for_staff(user=request.user, course_id=course_id, permission="regrade")
    assignment = get_object_or_404(Assignment, pk=assignment_id, course=course)
    form = WindowForm(request.POST, prefix=f"a{assignment.pk}")
    if form.is_valid():
        window_set(assignment=assignment, closes_at=form.cleaned_data["closes_at"])
        messages.success(request, _("Saved."))
    else:
        messages.error(request, _("Give a date and time, or leave it empty to stop requests."))
    return redirect("regrade_requests:queue", course_id=course.pk)


@require_http_methods(["GET", "POST"])
def detail(request: HttpRequest, course_id: int, request_id: int) -> HttpResponse:
    course, enrollment = course_get_for_staff(user=request.user, course_id=course_id, permission="regrade")
    regrade = request_get_for_course(course=course, request_id=request_id)
    form = AnswerForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if not regrade.is_open:
            raise Http404
        if form.is_valid():
            try:
                regrade_request_answer(request_id=regrade.pk, actor=request.user,
                                       response=form.cleaned_data["response"], points=form.cleaned_data["points"])
            except RegradeRefused as refused:
                form.add_error(None, refused.message)
            else:
                messages.success(request, _("Answered; the student sees your answer."))
                return redirect("regrade_requests:queue", course_id=course.pk)
        status = 400
    return render(request, "regrade_requests/detail.html", {
        "course": course, "enrollment": enrollment, "regrade": regrade, "item": item_label(regrade),
        "form": form,
        "feedback": feedback_html(regrade.submission, viewer_is_staff=True) if regrade.submission else None,
    }, status=status)

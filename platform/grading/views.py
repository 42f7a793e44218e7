"""The manual grading queue. Every view starts with ``course_get_for_staff`` (students and
outsiders get 404) and looks ids up inside that course only."""

from __future__ import annotations

from courses.models import Enrollment
from courses.selectors import course_get_for_staff, course_staff
from django.contrib import messages
from django.contrib.auth.models import AbstractBaseUser
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST
from submissions.models import QuizAnswer

from grading.forms import SplitForm
from grading.pages import grade_form, grade_page_context
from grading.review_pages import queue_context
from grading.review_selectors import code_questions
from grading.selectors import (
    STATUS_CHOICES,
    WHO_CHOICES,
    answer_get_for_grading,
    answer_neighbours,
    answer_rows,
    default_who,
    grading_queue,
    manual_grade_latest,
    manual_questions,
    question_get_for_grading,
)
from grading.services import GradingRefused, grading_split_evenly, grading_take, manual_grade_save


def _split_form(course, data=None, queue: str = "manual") -> SplitForm:  # type: ignore[no-untyped-def]
    enrollments = list(course_staff(course=course))
    staff = [(e.user_id, f"{e.user.get_full_name() or e.user.username} ({e.get_role_display()})") for e in enrollments]
    listed = code_questions(course=course) if queue == "code" else manual_questions(course=course)
    questions = [(q.pk, f"{q.assignment.slug}/{q.slug}") for q in listed]
    # Pre-ticked: the TAs (the usual graders), or everybody on a course without TAs.
    tas = [e.user_id for e in enrollments if e.role == Enrollment.Role.TA]
    initial = {"graders": tas or [e.user_id for e in enrollments]}
    auto_id = "code_%s" if queue == "code" else "id_%s"  # both forms on one page: distinct ids
    return SplitForm(data, initial=initial, staff=staff, questions=questions, auto_id=auto_id)


def queue(request: HttpRequest, course_id: int) -> HttpResponse:
    course, enrollment = course_get_for_staff(user=request.user, course_id=course_id)
    return render(request, "grading/queue.html", {
        "course": course, "enrollment": enrollment,
        "rows": grading_queue(course=course, grader=request.user),
        "split_form": _split_form(course),
        "code_split_form": _split_form(course, queue="code"),
        **queue_context(course=course, grader=request.user, enrollment=enrollment),
    })


@require_POST
def split(request: HttpRequest, course_id: int) -> HttpResponse:
    course, _enrollment = course_get_for_staff(user=request.user, course_id=course_id)
    queue_name = "code" if request.POST.get("queue") == "code" else "manual"
    form = _split_form(course, request.POST, queue=queue_name)
    if not form.is_valid():
        messages.error(request, _("Choose at least one grader from the course staff."))
        return redirect("grading:queue", course_id=course.pk)
    question = form.cleaned_data["question"]
    try:
        report = grading_split_evenly(
            course=course, grader_ids=form.cleaned_data["graders"],
            question_ids=None if question is None else [question],
            rebalance=form.cleaned_data["rebalance"], queue=queue_name,
        )
    except GradingRefused as refused:
        messages.error(request, refused.message)
    else:
        messages.success(request, _("%(count)d pending answer(s) assigned.") % {"count": report.total})
    return redirect("grading:queue", course_id=course.pk)


def question_answers(request: HttpRequest, course_id: int, question_id: int) -> HttpResponse:
    course, _enrollment = course_get_for_staff(user=request.user, course_id=course_id)
    question = question_get_for_grading(course=course, question_id=question_id)
    who = request.GET.get("who")
    if who not in WHO_CHOICES:
        who = default_who(question=question, grader=request.user)
    status = request.GET.get("status") if request.GET.get("status") in STATUS_CHOICES else "all"
    return render(request, "grading/question_answers.html", {
        "course": course, "question": question, "who": who, "status": status,
        "rows": answer_rows(question=question, grader=request.user, who=who, status=status),
    })


def _grade_url(course_id: int, answer_id: int, who: str) -> str:
    return reverse("grading:answer", args=[course_id, answer_id]) + f"?who={who}"


@require_http_methods(["GET", "POST"])
def answer_grade(request: HttpRequest, course_id: int, answer_id: int) -> HttpResponse:
    course, _enrollment = course_get_for_staff(user=request.user, course_id=course_id)
    answer = answer_get_for_grading(course=course, answer_id=answer_id)
    who = request.GET.get("who")
    if who not in WHO_CHOICES:
        who = default_who(question=answer.question, grader=request.user)
    form = None
    status = 200
    if request.method == "POST":
        form = grade_form(answer, request.POST)
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                manual_grade_save(
                    answer_id=answer.pk, grader=request.user, checked=data["checked"],
                    adjustment=data["adjustment"], comment=data["comment"],
                    expected_grade_id=data["based_on"],
                )
            except GradingRefused as refused:
                messages.error(request, refused.message)
                # Keep what the grader ticked, but based on the grade now current: saving again
                # deliberately replaces it.
                form, status = grade_form(answer, _rebased(request.POST, answer)), 409
            else:
                messages.success(request, _("Grade saved for %(name)s.") % {"name": answer.user.username})
                return redirect(_after_save(course.pk, answer, request.user, who, data["action"]))
    context = grade_page_context(answer=answer, grader=request.user, who=who, form=form)
    return render(request, "grading/answer_grade.html", context, status=status)


def _rebased(post: QueryDict, answer: QuizAnswer) -> QueryDict:
    data = post.copy()
    latest = manual_grade_latest(answer=answer)
    data["based_on"] = str(latest.pk) if latest else ""
    return data


def _after_save(course_id: int, answer: QuizAnswer, grader: AbstractBaseUser, who: str, action: str) -> str:
    if action != "save_next":
        return _grade_url(course_id, answer.pk, who)
    next_id = answer_neighbours(answer=answer, grader=grader, who=who).next_pending_id
    if next_id is None:
        return reverse("grading:question", args=[course_id, answer.question_id]) + f"?who={who}&done=1"
    return _grade_url(course_id, next_id, who)


@require_POST
def answer_take(request: HttpRequest, course_id: int, answer_id: int) -> HttpResponse:
    course, _enrollment = course_get_for_staff(user=request.user, course_id=course_id)
    answer = answer_get_for_grading(course=course, answer_id=answer_id)
    grading_take(answer=answer, grader=request.user)
    messages.success(request, _("This answer is now yours to grade."))
    return redirect(_grade_url(course.pk, answer.pk, "mine"))

"""The code review pages. Like the manual queue every view starts with ``course_get_for_staff``
(students and outsiders get 404); the review page is addressed by an opaque token, never by the
student's name or username."""

from __future__ import annotations

from courses.selectors import course_get_for_staff
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from grading.code_review import (
    code_review_save,
    grading_settings_save,
    line_comment_create,
    line_comment_delete,
    line_comment_update,
)
from grading.forms import GradingSettingsForm, LineCommentEditForm, LineCommentForm
from grading.order import review_token
from grading.review_pages import review_form, review_page_context
from grading.review_selectors import (
    code_question_get,
    code_review_latest,
    line_comment_get,
    review_rows,
    submission_get_for_review,
)
from grading.selectors import WHO_CHOICES, default_who
from grading.services import GradingRefused

STATUS_CHOICES = ("pending", "reviewed", "all")


def _review_url(course_id: int, token: str, who: str) -> str:
    return reverse("grading:code_review", args=[course_id, token]) + f"?who={who}"


def _who(request: HttpRequest, question) -> str:  # type: ignore[no-untyped-def]
    who = request.GET.get("who")
    return who if who in WHO_CHOICES else default_who(question=question, grader=request.user)


def code_submissions(request: HttpRequest, course_id: int, question_id: int) -> HttpResponse:
    course, _enrollment = course_get_for_staff(user=request.user, course_id=course_id)
    question = code_question_get(course=course, question_id=question_id)
    who = _who(request, question)
    status = request.GET.get("status") if request.GET.get("status") in STATUS_CHOICES else "all"
    return render(request, "grading/code_submissions.html", {
        "course": course, "question": question, "who": who, "status": status,
        "rows": review_rows(question=question, grader=request.user, who=who, status=status),
    })


@require_http_methods(["GET", "POST"])
def code_review(request: HttpRequest, course_id: int, token: str) -> HttpResponse:
    course, enrollment = course_get_for_staff(user=request.user, course_id=course_id)
    submission = submission_get_for_review(course=course, token=token)
    who = _who(request, submission.question)
    form, status = None, 200
    if request.method == "POST":
        form, status = review_form(submission, request.POST), 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                code_review_save(
                    submission_id=submission.pk, grader=request.user, checked=data["checked"],
                    adjustment=data["adjustment"], comment=data["comment"], expected_review_id=data["based_on"],
                )
            except GradingRefused as refused:
                messages.error(request, refused.message)
                latest = code_review_latest(submission=submission)
                post = request.POST.copy()
                post["based_on"] = str(latest.pk) if latest else ""
                form, status = review_form(submission, post), 409
            else:
                messages.success(request, _("Review saved."))
                return redirect(_after_save(request, course.pk, submission, who, data["action"]))
    context = review_page_context(submission=submission, grader=request.user, enrollment=enrollment, who=who, form=form)
    return render(request, "grading/code_review.html", context, status=status)


def _after_save(request: HttpRequest, course_id: int, submission, who: str, action: str) -> str:  # type: ignore[no-untyped-def]
    token = review_token(submission.pk)
    if action != "save_next":
        return _review_url(course_id, token, who)
    rows = review_rows(question=submission.question, grader=request.user, who=who)
    ids = [row.submission.pk for row in rows]
    index = ids.index(submission.pk) if submission.pk in ids else -1
    after = rows[index + 1:] + rows[:max(index, 0)]
    following = next((row for row in after if row.pending and row.submission.pk != submission.pk), None)
    if following is None:
        return reverse("grading:code_question", args=[course_id, submission.question_id]) + f"?who={who}&done=1"
    return _review_url(course_id, following.token, who)


@require_POST
def comment_add(request: HttpRequest, course_id: int, token: str) -> HttpResponse:
    course, _enrollment = course_get_for_staff(user=request.user, course_id=course_id)
    submission = submission_get_for_review(course=course, token=token)
    form = LineCommentForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a line and write a comment."))
    else:
        data = form.cleaned_data
        try:
            line_comment_create(
                submission=submission, author=request.user, line_start=data["line_start"],
                line_end=data["line_end"], body=data["body"],
            )
        except GradingRefused as refused:
            messages.error(request, refused.message)
    return redirect(_review_url(course.pk, token, request.GET.get("who", "all")) + "#code")


@require_POST
def comment_change(request: HttpRequest, course_id: int, comment_id: int) -> HttpResponse:
    course, enrollment = course_get_for_staff(user=request.user, course_id=course_id)
    comment = line_comment_get(course=course, comment_id=comment_id)
    token = review_token(comment.submission_id)
    try:
        if request.POST.get("action") == "delete":
            line_comment_delete(comment=comment, actor=request.user, enrollment=enrollment)
        else:
            form = LineCommentEditForm(request.POST)
            if not form.is_valid():
                raise GradingRefused(_("Write a comment first."))
            line_comment_update(comment=comment, actor=request.user, enrollment=enrollment, body=form.cleaned_data["body"])
    except GradingRefused as refused:
        if refused.status == 403:
            return HttpResponse(refused.message, status=403)
        messages.error(request, refused.message)
    return redirect(_review_url(course.pk, token, request.GET.get("who", "all")) + "#code")


@require_POST
def grading_settings(request: HttpRequest, course_id: int) -> HttpResponse:
    # Changing how the whole course is graded is a policy decision: the "regrade" grant.
    course, _enrollment = course_get_for_staff(user=request.user, course_id=course_id, permission="regrade")
    form = GradingSettingsForm(request.POST)
    form.is_valid()  # two checkboxes: always valid
    grading_settings_save(
        course=course, actor=request.user, anonymous=form.cleaned_data.get("anonymous", False),
        shuffled=form.cleaned_data.get("shuffled", False),
    )
    messages.success(request, _("Grading settings saved."))
    return redirect("grading:queue", course_id=course.pk)

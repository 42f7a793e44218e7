"""Exam pages. Staff (instructors; TAs with the ``may_edit_assignments`` grant): the course's
exams and each one's settings, extra time and sessions. Students: the exam page (rules, start,
clock, questions) and the clock's JSON. Views parse, call one service, render."""

from __future__ import annotations

from assessments.models import Assignment
from assessments.selectors import assignment_get_for_member
from core.http import json_body, json_endpoint
from courses.selectors import course_get_for_staff
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST
from submissions.http import SESSION_ENDED

from exams.forms import ExamExtensionForm, ExamSettingsForm, ExamStartForm
from exams.models import ExamSession
from exams.selectors import (
    exam_assignment_get,
    exam_extension_get,
    exam_extensions,
    exam_overview,
    exam_session_get,
    exam_sessions,
    exam_settings_get,
    remaining_seconds,
    student_exam,
)
from exams.services import (
    ExamRefused,
    exam_extension_delete,
    exam_extension_set,
    exam_session_finish,
    exam_settings_save,
    exam_start,
)

GRANT = "edit_assignments"


def exam_index(request: HttpRequest, course_id: int) -> HttpResponse:
    course, enrollment = course_get_for_staff(user=request.user, course_id=course_id, permission=GRANT)
    return render(request, "exams/index.html", {
        "course": course, "enrollment": enrollment, "rows": exam_overview(course_id=course.pk),
    })


@require_http_methods(["GET", "POST"])
def exam_settings(request: HttpRequest, course_id: int, assignment_id: int) -> HttpResponse:
    course, enrollment = course_get_for_staff(user=request.user, course_id=course_id, permission=GRANT)
    assignment = exam_assignment_get(course_id=course.pk, assignment_id=assignment_id)
    current = exam_settings_get(assignment=assignment, enabled_only=False)
    form = ExamSettingsForm(request.POST or None, initial=ExamSettingsForm.initial_for(current))
    if request.method == "POST" and form.is_valid():
        try:
            exam_settings_save(assignment=assignment, actor=request.user, **form.cleaned_data)
        except ExamRefused as refused:
            form.add_error(refused.field, refused.message)
        else:
            messages.success(request, _("The exam settings were saved."))
            return redirect("exams:settings", course_id=course.pk, assignment_id=assignment.pk)
    return _settings_page(request, course, enrollment, assignment, form, ExamExtensionForm(course=course),
                          status=400 if form.is_bound else 200)


def _settings_page(request, course, enrollment, assignment, form, extension_form, status=200):  # type: ignore[no-untyped-def]
    current = exam_settings_get(assignment=assignment, enabled_only=False)
    return render(request, "exams/settings.html", {
        "course": course, "enrollment": enrollment, "assignment": assignment, "exam": current, "form": form,
        "extension_form": extension_form, "extensions": exam_extensions(assignment=assignment),
        "sessions": exam_sessions(assignment=assignment),
    }, status=status)


@require_POST
def exam_extension_new(request: HttpRequest, course_id: int, assignment_id: int) -> HttpResponse:
    course, enrollment = course_get_for_staff(user=request.user, course_id=course_id, permission=GRANT)
    assignment = exam_assignment_get(course_id=course.pk, assignment_id=assignment_id)
    form = ExamExtensionForm(request.POST, course=course)
    if form.is_valid():
        data = form.cleaned_data
        try:
            exam_extension_set(assignment=assignment, student_id=int(data["student"]), time_factor=data["time_factor"],
                               extra_minutes=data["extra_minutes"], reason=data["reason"], actor=request.user)
        except ExamRefused as refused:
            form.add_error(refused.field, refused.message)
        else:
            messages.success(request, _("The extra time was saved."))
            return redirect("exams:settings", course_id=course.pk, assignment_id=assignment.pk)
    current = exam_settings_get(assignment=assignment, enabled_only=False)
    settings_form = ExamSettingsForm(initial=ExamSettingsForm.initial_for(current))
    return _settings_page(request, course, enrollment, assignment, settings_form, form, status=400)


@require_POST
def exam_extension_remove(request: HttpRequest, course_id: int, assignment_id: int, extension_id: int) -> HttpResponse:
    course, _enrollment = course_get_for_staff(user=request.user, course_id=course_id, permission=GRANT)
    assignment = exam_assignment_get(course_id=course.pk, assignment_id=assignment_id)
    exam_extension_delete(extension=exam_extension_get(assignment=assignment, extension_id=extension_id))
    messages.success(request, _("The extra time was removed."))
    return redirect("exams:settings", course_id=course.pk, assignment_id=assignment.pk)


@require_http_methods(["GET", "POST"])
def exam_page(request: HttpRequest, course_id: int, assignment_id: int) -> HttpResponse:
    """The student's exam page: the rules and the start button, then the clock and the questions,
    then "time is up"."""
    assignment, enrollment = assignment_get_for_member(user=request.user, course_id=course_id, assignment_id=assignment_id)
    form = ExamStartForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            exam_start(user=request.user, assignment=assignment, password=form.cleaned_data["password"])
        except ExamRefused as refused:
            form.add_error("password" if refused.field == "password" else None, refused.message)
            status = refused.status
        else:
            return redirect("exams:exam", course_id=course_id, assignment_id=assignment.pk)
    exam = student_exam(assignment=assignment, enrollment=enrollment)
    return render(request, "exams/exam.html", {
        "course": assignment.course, "assignment": assignment, "enrollment": enrollment, "exam": exam, "form": form,
    }, status=status)


@json_endpoint("GET", session_ended=SESSION_ENDED)
def clock_endpoint(request: HttpRequest, assignment_id: int) -> JsonResponse:
    """The server's clock for the student's session: seconds left (0: time is up)."""
    session = _own_session(request, assignment_id)
    return JsonResponse({"remaining": remaining_seconds(session), "finished": bool(session and session.finished_at)})


@json_endpoint("POST", session_ended=SESSION_ENDED)
def finish_endpoint(request: HttpRequest, assignment_id: int) -> JsonResponse:
    """The browser at time-up: submit the student's saved drafts now rather than at the next beat
    (the server decides whether the time is up)."""
    session = _own_session(request, assignment_id)
    json_body(request)
    if session is None:
        raise ExamRefused(_("You have not started this exam."), status=409)
    remaining = remaining_seconds(session)
    if remaining:
        return JsonResponse({"remaining": remaining, "finished": False, "submitted": []})
    made = exam_session_finish(session_id=session.pk)
    return JsonResponse({"remaining": 0, "finished": True, "submitted": [row.question_id for row in made]})


def _own_session(request: HttpRequest, assignment_id: int) -> ExamSession | None:
    assignment = Assignment.objects.filter(pk=assignment_id).only("course_id").first()
    if assignment is None:
        raise Http404
    assignment_get_for_member(user=request.user, course_id=assignment.course_id, assignment_id=assignment_id)
    return exam_session_get(assignment=assignment, user_id=request.user.pk)

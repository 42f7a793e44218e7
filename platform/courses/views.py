from __future__ import annotations

from assessments.selectors import assignment_list
from core.ratelimit import rate_limit_exceeded
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from courses.selectors import course_get_for_member, course_get_for_staff, course_list_for_user
from courses.services import CourseRefused, enrollment_join_by_code, roster_import_csv

MAX_ROSTER_BYTES = 512 * 1024
# Join codes are 8 of 32 symbols; this keeps guessing them hopeless while a typo costs nothing.
JOIN_ATTEMPTS_PER_MINUTE = 10


def course_list(request: HttpRequest) -> HttpResponse:
    return _course_list_page(request)


def _course_list_page(request: HttpRequest, status: int = 200) -> HttpResponse:
    return render(request, "courses/course_list.html", {"enrollments": course_list_for_user(user=request.user)},
                  status=status)


@require_POST
def course_join(request: HttpRequest) -> HttpResponse:
    if rate_limit_exceeded(user_id=request.user.pk, bucket="join", limit=JOIN_ATTEMPTS_PER_MINUTE):
        messages.error(request, _("Too many join attempts. Wait a minute and try again."))
        return _course_list_page(request, status=429)
    try:
        enrollment = enrollment_join_by_code(user=request.user, code=request.POST.get("code", "")[:64])
    except CourseRefused as refused:
        messages.error(request, refused.message)
        return _course_list_page(request, status=refused.status)
    messages.success(request, _("You joined %(course)s.") % {"course": enrollment.course.title})
    return redirect("courses:detail", course_id=enrollment.course_id)


def course_detail(request: HttpRequest, course_id: int) -> HttpResponse:
    course, enrollment = course_get_for_member(user=request.user, course_id=course_id)
    return render(request, "courses/course_detail.html", {
        "course": course, "enrollment": enrollment,
        "assignments": assignment_list(course=course, enrollment=enrollment),
    })


@require_http_methods(["GET", "POST"])
@never_cache  # the reply lists initial passwords: no browser or proxy may keep a copy
def roster_import(request: HttpRequest, course_id: int) -> HttpResponse:
    course, enrollment = course_get_for_staff(user=request.user, course_id=course_id)
    report = None
    status = 200
    if request.method == "POST":
        upload = request.FILES.get("roster")
        if upload is None or (upload.size or 0) > MAX_ROSTER_BYTES:
            messages.error(request, _("Choose a CSV file smaller than 512 KiB."))
            status = 400 if upload is None else 413
        else:
            try:
                report = roster_import_csv(
                    course=course, csv_text=upload.read().decode("utf-8-sig"), by=enrollment
                )
            except UnicodeDecodeError:
                messages.error(request, _("The file is not UTF-8 text."))
                status = 400
            except CourseRefused as refused:
                messages.error(request, refused.message)
                status = refused.status
    return render(request, "courses/roster_import.html", {"course": course, "enrollment": enrollment, "report": report},
                  status=status)

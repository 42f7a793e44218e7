from __future__ import annotations

from assessments.selectors import assignment_list
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from courses.selectors import course_get_for_member, course_get_for_staff, course_list_for_user
from courses.services import enrollment_join_by_code, roster_import_csv

MAX_ROSTER_BYTES = 512 * 1024


def course_list(request: HttpRequest) -> HttpResponse:
    return render(request, "courses/course_list.html", {"enrollments": course_list_for_user(user=request.user)})


@require_POST
def course_join(request: HttpRequest) -> HttpResponse:
    try:
        enrollment = enrollment_join_by_code(user=request.user, code=request.POST.get("code", ""))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("courses:list")
    messages.success(request, _("You joined %(course)s.") % {"course": enrollment.course.title})
    return redirect("courses:detail", course_id=enrollment.course_id)


def course_detail(request: HttpRequest, course_id: int) -> HttpResponse:
    course, enrollment = course_get_for_member(user=request.user, course_id=course_id)
    return render(request, "courses/course_detail.html", {
        "course": course, "enrollment": enrollment,
        "assignments": assignment_list(course=course, enrollment=enrollment),
    })


@require_http_methods(["GET", "POST"])
def roster_import(request: HttpRequest, course_id: int) -> HttpResponse:
    course, enrollment = course_get_for_staff(user=request.user, course_id=course_id)
    report = None
    if request.method == "POST":
        upload = request.FILES.get("roster")
        if upload is None or (upload.size or 0) > MAX_ROSTER_BYTES:
            messages.error(request, _("Choose a CSV file smaller than 512 KiB."))
        else:
            try:
                report = roster_import_csv(course=course, csv_text=upload.read().decode("utf-8-sig"))
            except (UnicodeDecodeError, ValidationError) as error:
                text = " ".join(error.messages) if isinstance(error, ValidationError) else _("The file is not UTF-8 text.")
                messages.error(request, text)
    return render(request, "courses/roster_import.html", {"course": course, "enrollment": enrollment, "report": report})

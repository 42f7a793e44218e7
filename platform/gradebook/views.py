from __future__ import annotations

from courses.selectors import course_get_for_staff
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from gradebook.export import gradebook_csv
from gradebook.selectors import gradebook_table


def gradebook(request: HttpRequest, course_id: int) -> HttpResponse:
    course, enrollment = course_get_for_staff(user=request.user, course_id=course_id)
    return render(request, "gradebook/gradebook.html", {
        "course": course, "enrollment": enrollment, "table": gradebook_table(course=course),
    })


def gradebook_export(request: HttpRequest, course_id: int) -> HttpResponse:
    course, _enrollment = course_get_for_staff(user=request.user, course_id=course_id)
    response = HttpResponse(gradebook_csv(table=gradebook_table(course=course)), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="grades-{course.slug}.csv"'
    return response

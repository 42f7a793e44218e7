"""The staff page of an assignment's pools: read-only (pools are declared in bundle.yaml)."""

from __future__ import annotations

from assessments.models import Assignment
from courses.selectors import course_get_for_staff
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from pools.selectors import pool_reports


def pools_page(request: HttpRequest, course_id: int, assignment_id: int) -> HttpResponse:
    # Every member of the course staff: TAs grade and answer regrade requests on these questions.
    course, enrollment = course_get_for_staff(user=request.user, course_id=course_id)
    assignment = Assignment.objects.filter(pk=assignment_id, course=course).first()
    if assignment is None:
        raise Http404
    return render(request, "pools/pools.html", {
        "course": course, "enrollment": enrollment, "assignment": assignment,
        "reports": pool_reports(assignment=assignment),
    })

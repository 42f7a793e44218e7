from __future__ import annotations

from courses.selectors import course_get_for_staff
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from scoring.selectors import course_question_choices


def scoring_overview(request: HttpRequest, course_id: int) -> HttpResponse:
    """Each assignment's settings link and each question's regrade link (staff with the grant)."""
    course, enrollment = course_get_for_staff(user=request.user, course_id=course_id, permission="regrade")
    by_assignment: dict[int, tuple[object, list[object]]] = {}
    for question in course_question_choices(course=course):
        by_assignment.setdefault(question.assignment_id, (question.assignment, []))[1].append(question)
    return render(request, "scoring/overview.html", {
        "course": course, "enrollment": enrollment, "assignments": list(by_assignment.values()),
    })

from __future__ import annotations

from courses.selectors import course_get_for_staff
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from scoring.forms import LateTokenSettingForm
from scoring.selectors import course_question_choices
from scoring.tokens import token_rules


def scoring_overview(request: HttpRequest, course_id: int) -> HttpResponse:
    """Each assignment's settings link and each question's regrade link (staff with the grant)."""
    course, enrollment = course_get_for_staff(user=request.user, course_id=course_id, permission="regrade")
    by_assignment: dict[int, tuple[object, list[object]]] = {}
    for question in course_question_choices(course=course):
        by_assignment.setdefault(question.assignment_id, (question.assignment, []))[1].append(question)
    rules = token_rules(course=course)
    late_days_form = LateTokenSettingForm(initial={
        "tokens_per_student": rules.tokens_per_student, "max_per_assignment": rules.max_per_assignment,
    })
    return render(request, "scoring/overview.html", {
        "course": course, "enrollment": enrollment, "assignments": list(by_assignment.values()),
        "late_days_form": late_days_form,
    })

from __future__ import annotations

from courses.selectors import course_get_for_staff
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from scoring.models import ScoreChange
from scoring.selectors import audit_log, course_question_choices, course_student_choices

PAGE_SIZE = 100


def _int_param(request: HttpRequest, name: str) -> int | None:
    value = request.GET.get(name, "")
    return int(value) if value.isdigit() else None


def audit_log_page(request: HttpRequest, course_id: int) -> HttpResponse:
    """Every score change of the course, newest first; filter by question and/or student. Any
    course staff may read it (reading grants nothing)."""
    course, enrollment = course_get_for_staff(user=request.user, course_id=course_id)
    question_id, student_id = _int_param(request, "question"), _int_param(request, "student")
    source = request.GET.get("source", "")
    rows = audit_log(course=course, question_id=question_id, student_id=student_id)
    if source in ScoreChange.Source.values:
        rows = rows.filter(source=source)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "scoring/audit_log.html", {
        "course": course, "enrollment": enrollment, "page": page,
        "questions": course_question_choices(course=course),
        "students": course_student_choices(course=course),
        "sources": ScoreChange.Source.choices,
        "selected": {"question": question_id, "student": student_id, "source": source},
    })

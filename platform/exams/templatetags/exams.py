"""``{% exam_clock assignment %}`` on the question pages: the countdown of the student's running
exam session (the server's seconds left; frontend/src/exam.js counts down and re-syncs)."""

from __future__ import annotations

from typing import Any

from assessments.models import Assignment
from django import template
from django.urls import reverse
from scoring.policy import exam_state_of

from exams.models import ExamSettings
from exams.selectors import exam_session_get, remaining_seconds

register = template.Library()


@register.inclusion_tag("exams/_clock.html", takes_context=True)
def exam_clock(context: dict[str, Any], assignment: Assignment) -> dict[str, Any]:
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or exam_state_of(assignment) is None:
        return {"session": None}
    session = exam_session_get(assignment=assignment, user_id=user.pk)
    return {
        "session": session, "remaining": remaining_seconds(session), "assignment": assignment,
        "clock_url": reverse("exams:clock", args=[assignment.pk]),
        "finish_url": reverse("exams:finish", args=[assignment.pk]),
        "exam_url": reverse("exams:exam", args=[assignment.course_id, assignment.pk]),
    }


@register.inclusion_tag("exams/_assignment_card.html")
def exam_card(assignment: Assignment, enrollment: Any) -> dict[str, Any]:
    """On the assignment page: "this is an exam", the time limit and the way to the exam page."""
    state = exam_state_of(assignment)
    if state is None:
        return {"exam": None}
    settings = ExamSettings.objects.filter(assignment=assignment).first()
    return {"exam": settings, "assignment": assignment, "enrollment": enrollment}

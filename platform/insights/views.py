"""Instructor dashboards. Every view starts with ``course_get_for_staff`` (students and outsiders
get a 404) and looks ids up inside that course only."""

from __future__ import annotations

from assessments.models import Assignment
from core.http import json_endpoint
from courses.selectors import course_get_for_staff
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from insights import presenters
from insights.live import LiveBoard, live_board
from insights.selectors import (
    assignment_get_in_course,
    assignment_overview,
    question_dashboard,
    question_get_in_course,
)
from insights.similarity_report import question_similarity, similarity_pair

LIVE_MINUTES = (10, 20, 30, 60, 120)
DEFAULT_THRESHOLD = 0.5


def _float_param(request: HttpRequest, name: str, default: float, low: float, high: float) -> float:
    try:
        value = float(request.GET.get(name, default))
    except ValueError:
        return default
    return min(max(value, low), high) if value == value else default  # NaN -> default


@require_GET
def course_index(request: HttpRequest, course_id: int) -> HttpResponse:
    course, enrollment = course_get_for_staff(user=request.user, course_id=course_id)
    assignments = Assignment.objects.filter(course=course).order_by("position", "id")
    return render(request, "insights/course_index.html", {
        "course": course, "enrollment": enrollment, "assignments": assignments,
    })


@require_GET
def assignment_dashboard(request: HttpRequest, course_id: int, assignment_id: int) -> HttpResponse:
    course, _enrollment = course_get_for_staff(user=request.user, course_id=course_id)
    assignment = assignment_get_in_course(course=course, assignment_id=assignment_id)
    enrolled, summaries = assignment_overview(assignment=assignment)
    return render(request, "insights/assignment.html", {
        "course": course, "assignment": assignment, "enrolled": enrolled,
        "rows": presenters.overview_rows(summaries),
    })


@require_GET
def question_detail(request: HttpRequest, course_id: int, question_id: int) -> HttpResponse:
    course, _enrollment = course_get_for_staff(user=request.user, course_id=course_id)
    question = question_get_in_course(course=course, question_id=question_id)
    dashboard = question_dashboard(question=question)
    return render(request, "insights/question.html", {
        "course": course, "question": question, "dashboard": dashboard,
        "charts": presenters.question_dashboard_charts(dashboard),
        "failures": presenters.failure_meters(dashboard),
    })


@require_GET
def similarity_list(request: HttpRequest, course_id: int, question_id: int) -> HttpResponse:
    course, _enrollment = course_get_for_staff(user=request.user, course_id=course_id)
    question = question_get_in_course(course=course, question_id=question_id)
    if not question.is_code:
        raise Http404
    threshold = _float_param(request, "threshold", DEFAULT_THRESHOLD, 0.05, 1.0)
    report = question_similarity(question=question, threshold=threshold)
    return render(request, "insights/similarity.html", {"course": course, "question": question, "report": report})


@require_GET
def similarity_detail(request: HttpRequest, course_id: int, question_id: int, a_id: int, b_id: int) -> HttpResponse:
    course, _enrollment = course_get_for_staff(user=request.user, course_id=course_id)
    question = question_get_in_course(course=course, question_id=question_id)
    if not question.is_code:
        raise Http404
    pair = similarity_pair(question=question, a_id=a_id, b_id=b_id)
    return render(request, "insights/similarity_pair.html", {
        "course": course, "question": question, "pair": pair,
        "sides": [(pair.a, pair.lines_a), (pair.b, pair.lines_b)],
    })


def _live_params(request: HttpRequest, course_id: int) -> LiveBoard:
    course, _enrollment = course_get_for_staff(user=request.user, course_id=course_id)
    assignment = None
    if request.GET.get("assignment", "").isdigit():
        assignment = assignment_get_in_course(course=course, assignment_id=int(request.GET["assignment"]))
    minutes = int(_float_param(request, "minutes", 30, 5, 240))
    return live_board(course=course, now=timezone.now(), minutes=minutes, assignment=assignment)


@require_GET
def live(request: HttpRequest, course_id: int) -> HttpResponse:
    board = _live_params(request, course_id)
    return render(request, "insights/live.html", {
        "course": board.course, "board": board, "minute_choices": LIVE_MINUTES,
        "assignments": Assignment.objects.filter(course=board.course).order_by("position", "id"),
    })


@json_endpoint("GET")  # polled by live.js: an ended session is a 401 it shows, not a login page
def live_data(request: HttpRequest, course_id: int) -> JsonResponse:
    board = _live_params(request, course_id)
    response = JsonResponse(presenters.live_board_json(board, request=request))
    response["Cache-Control"] = "no-store"  # a poll must never be answered from a cache
    return response

from __future__ import annotations

from core.http import json_endpoint
from courses.selectors import course_get_for_staff
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from scoring.forms import RegradeApplyForm
from scoring.models import RegradeRun
from scoring.regrade import RegradeRefused
from scoring.regrade.apply import regrade_apply
from scoring.regrade.diff import regrade_diff, regrade_progress
from scoring.regrade.grading import regrade_run_finish_if_done
from scoring.regrade.start import regrade_preview_start, regrade_run_discard
from scoring.selectors import question_get_for_course, regrade_runs_for_question, run_get_for_course


@require_http_methods(["GET", "POST"])
def question_regrade(request: HttpRequest, course_id: int, question_id: int) -> HttpResponse:
    """The question's regrade page: its versions and runs; POST starts a preview."""
    course, enrollment = course_get_for_staff(user=request.user, course_id=course_id, permission="regrade")
    question = question_get_for_course(course=course, question_id=question_id)
    if request.method == "POST":
        try:
            run = regrade_preview_start(question=question, actor=request.user)
        except RegradeRefused as refused:
            messages.error(request, refused.message)
            return redirect("scoring:question_regrade", course.pk, question.pk)
        return redirect("scoring:regrade_run", course.pk, run.pk)
    return render(request, "scoring/question_regrade.html", {
        "course": course, "enrollment": enrollment, "question": question, "assignment": question.assignment,
        "versions": question.versions.order_by("-number"), "runs": regrade_runs_for_question(question=question),
        "running": question.regrade_runs.filter(status=RegradeRun.Status.RUNNING).first(),
    })


@require_GET
def regrade_run(request: HttpRequest, course_id: int, run_id: int) -> HttpResponse:
    course, enrollment = course_get_for_staff(user=request.user, course_id=course_id, permission="regrade")
    run = run_get_for_course(course=course, run_id=run_id)
    return render(request, "scoring/regrade_run.html", {
        "course": course, "enrollment": enrollment, "run": run, "question": run.question,
        "progress": regrade_progress(run=run),
        "diff": regrade_diff(run=run) if run.status != RegradeRun.Status.RUNNING else None,
        "form": RegradeApplyForm(),
    })


@json_endpoint("GET")  # polled by the run's page
def regrade_run_progress(request: HttpRequest, course_id: int, run_id: int) -> JsonResponse:
    course, _enrollment = course_get_for_staff(user=request.user, course_id=course_id, permission="regrade")
    run = run_get_for_course(course=course, run_id=run_id)
    # A finished run is closed (idempotent); lost tasks are the beat's sweep, not a page's.
    if run.status == RegradeRun.Status.RUNNING and regrade_run_finish_if_done(run_id=run.pk):
        run.refresh_from_db()
    return JsonResponse(regrade_progress(run=run))


@require_POST
def regrade_run_apply(request: HttpRequest, course_id: int, run_id: int) -> HttpResponse:
    course, _enrollment = course_get_for_staff(user=request.user, course_id=course_id, permission="regrade")
    run = run_get_for_course(course=course, run_id=run_id)
    form = RegradeApplyForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose how to apply the new scores."))
        return redirect("scoring:regrade_run", course.pk, run.pk)
    try:
        report = regrade_apply(
            run_id=run.pk, policy=form.cleaned_data["policy"], actor=request.user,
            reason=form.cleaned_data["reason"],
        )
    except RegradeRefused as refused:
        messages.error(request, refused.message)
    else:
        if report.already_applied:
            messages.info(request, _("This regrade was already applied; nothing more was changed."))
        else:
            messages.success(request, _(
                "Regrade applied: %(written)d answer(s) updated (%(changes)d score change(s)), %(kept)d kept."
            ) % {"written": report.written, "changes": report.score_changes, "kept": report.kept})
    return redirect("scoring:regrade_run", course.pk, run.pk)


@require_POST
def regrade_run_cancel(request: HttpRequest, course_id: int, run_id: int) -> HttpResponse:
    course, _enrollment = course_get_for_staff(user=request.user, course_id=course_id, permission="regrade")
    run = run_get_for_course(course=course, run_id=run_id)
    if regrade_run_discard(run=run):
        messages.info(request, _("Regrade discarded; nothing was changed."))
    return redirect("scoring:question_regrade", course.pk, run.question_id)

from __future__ import annotations

from courses.selectors import course_get_for_staff
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from scoring.forms import AssignmentPolicyForm, ExtensionForm, LateTokenCapForm
from scoring.policies import (
    PolicyRefused,
    assignment_policy_update,
    extension_grant,
    extension_revoke,
)
from scoring.recompute import RecomputeReport
from scoring.selectors import assignment_get_for_course, extension_get_for_course, extension_list
from scoring.tokens import late_token_cap_set, token_rules


def _recompute_message(request: HttpRequest, report: RecomputeReport | None) -> None:
    if report is None:
        return
    text = _("Late credit recomputed: %(changed)d score(s) changed, %(unchanged)d unchanged.") % {
        "changed": report.changed, "unchanged": report.unchanged,
    }
    if report.skipped_manual:
        text += " " + _("%(count)d manually graded score(s) left alone.") % {"count": report.skipped_manual}
    messages.info(request, text)


@require_http_methods(["GET", "POST"])
def assignment_settings(request: HttpRequest, course_id: int, assignment_id: int) -> HttpResponse:
    course, enrollment = course_get_for_staff(user=request.user, course_id=course_id, permission="regrade")
    assignment = assignment_get_for_course(course=course, assignment_id=assignment_id)
    if request.method == "POST" and request.POST.get("form") == "policy":
        form = AssignmentPolicyForm(request.POST)
        if form.is_valid():
            changed, report = assignment_policy_update(
                assignment=assignment, actor=request.user, values=form.policy_values(),
                note=form.cleaned_data["note"],
            )
            messages.success(request, _("Settings saved.") if changed else _("Nothing changed."))
            _recompute_message(request, report)
            return redirect("scoring:assignment_settings", course.pk, assignment.pk)
    else:
        form = AssignmentPolicyForm(initial=AssignmentPolicyForm.initial_for(assignment))
    rules = token_rules(course=course)
    cap_form = LateTokenCapForm(initial={"max_tokens": rules.caps.get(assignment.pk)})
    if request.method == "POST" and request.POST.get("form") == "late_days":
        cap_form = LateTokenCapForm(request.POST)
        if cap_form.is_valid():
            late_token_cap_set(assignment=assignment, max_tokens=cap_form.cleaned_data["max_tokens"])
            messages.success(request, _("Late day settings saved."))
            return redirect("scoring:assignment_settings", course.pk, assignment.pk)
    extension_form = ExtensionForm(course=course)
    if request.method == "POST" and request.POST.get("form") == "extension":
        extension_form = ExtensionForm(request.POST, course=course)
        if extension_form.is_valid():
            data = extension_form.cleaned_data
            try:
                _extension, report = extension_grant(
                    assignment=assignment, student_id=data["student"].user_id, due_at=data["due_at"],
                    closes_at=data["closes_at"], extra_attempts=data["extra_attempts"] or 0,
                    reason=data["reason"], actor=request.user,
                )
            except PolicyRefused as refused:
                extension_form.add_error(None, str(refused))
            else:
                messages.success(request, _("Extension saved."))
                _recompute_message(request, report)
                return redirect("scoring:assignment_settings", course.pk, assignment.pk)
    return render(request, "scoring/assignment_settings.html", {
        "course": course, "enrollment": enrollment, "assignment": assignment, "form": form,
        "extension_form": extension_form, "extensions": extension_list(assignment=assignment),
        "late_days": rules, "cap_form": cap_form,
    }, status=400 if request.method == "POST" else 200)


@require_POST
def extension_delete(request: HttpRequest, course_id: int, assignment_id: int, extension_id: int) -> HttpResponse:
    course, _enrollment = course_get_for_staff(user=request.user, course_id=course_id, permission="regrade")
    assignment = assignment_get_for_course(course=course, assignment_id=assignment_id)
    extension = extension_get_for_course(course=course, assignment=assignment, extension_id=extension_id)
    report = extension_revoke(extension=extension, actor=request.user)
    messages.success(request, _("Extension removed."))
    _recompute_message(request, report)
    return redirect("scoring:assignment_settings", course.pk, assignment.pk)

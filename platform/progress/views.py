"""A student's own progress page and spending a late day on it. Students only: staff are sent to
the gradebook (where they see every student), anyone else gets 404."""

from __future__ import annotations

from assessments.selectors import assignment_get_for_member
from courses.selectors import course_get_for_member
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from scoring.tokens import TokenRefused, late_token_spend

from progress.selectors import student_progress


def progress_page(request: HttpRequest, course_id: int) -> HttpResponse:
    course, enrollment = course_get_for_member(user=request.user, course_id=course_id)
    if enrollment.is_staff_role:
        return redirect("gradebook:table", course_id=course.pk)
    return render(request, "progress/progress.html", {
        "course": course, "enrollment": enrollment,
        "progress": student_progress(course=course, enrollment=enrollment, at=timezone.now()),
    })


@require_POST
def late_day_spend(request: HttpRequest, course_id: int, assignment_id: int) -> HttpResponse:
    assignment, _enrollment = assignment_get_for_member(user=request.user, course_id=course_id, assignment_id=assignment_id)
    number = request.POST.get("number", "")
    if not number.isdigit() or not 0 < int(number) <= 1000:
        return HttpResponseBadRequest(_("Which late day to spend is missing."))
    try:
        result = late_token_spend(user=request.user, assignment=assignment, number=int(number))
    except TokenRefused as refused:
        messages.error(request, refused.message)
    else:
        if result.created:
            messages.success(request, _("Late day spent: %(assignment)s is now due %(due)s.") % {
                "assignment": assignment.display_title,
                "due": timezone.localtime(result.spend.due_after).strftime("%Y-%m-%d %H:%M"),
            })
        else:
            messages.info(request, _("That late day was already spent; nothing more was used."))
    return redirect("progress:course", course_id=course_id)

"""The course's late days (scoring/tokens.py): instructors and TAs with the regrade grant set how
many each student may spend and the cap per assignment (on the scoring overview page)."""

from __future__ import annotations

from courses.selectors import course_get_for_staff
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from scoring.forms import LateTokenSettingForm
from scoring.tokens import late_token_setting_update


@require_POST
def late_days_settings(request: HttpRequest, course_id: int) -> HttpResponse:
    course, _enrollment = course_get_for_staff(user=request.user, course_id=course_id, permission="regrade")
    form = LateTokenSettingForm(request.POST)
    if form.is_valid():
        late_token_setting_update(course=course, actor=request.user, **form.cleaned_data)
        messages.success(request, _("Late day settings saved."))
    else:
        messages.error(request, _("Late days: enter whole numbers from 0 (per student up to 100, per assignment up to 30)."))
    return redirect("scoring:overview", course_id=course.pk)

"""Announcement pages (course staff with the ``may_edit_assignments`` grant; instructors always)
and the e-mail preferences page (any logged-in user). Views parse, call one service, render."""

from __future__ import annotations

from courses.selectors import course_get_for_member, course_get_for_staff
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from announcements.forms import AnnouncementCreateForm, AnnouncementForm, PreferencesForm
from announcements.selectors import announcement_get, announcement_list, preference_get
from announcements.services import (
    announcement_create,
    announcement_delete,
    announcement_update,
    preferences_save,
)

GRANT = "edit_assignments"


def announcement_index(request: HttpRequest, course_id: int) -> HttpResponse:
    course, enrollment = course_get_for_member(user=request.user, course_id=course_id)
    return render(request, "announcements/announcement_list.html", {
        "course": course, "enrollment": enrollment, "announcements": announcement_list(course=course),
    })


@require_http_methods(["GET", "POST"])
def announcement_new(request: HttpRequest, course_id: int) -> HttpResponse:
    course, enrollment = course_get_for_staff(user=request.user, course_id=course_id, permission=GRANT)
    form = AnnouncementCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        announcement = announcement_create(course=course, author=request.user, **form.cleaned_data)
        messages.success(request, _("The announcement was posted; the students are being e-mailed.")
                         if announcement.emailed else _("The announcement was posted."))
        return redirect("courses:detail", course_id=course.pk)
    return render(request, "announcements/announcement_form.html",
                  {"course": course, "enrollment": enrollment, "form": form},
                  status=400 if form.is_bound else 200)


@require_http_methods(["GET", "POST"])
def announcement_edit(request: HttpRequest, course_id: int, announcement_id: int) -> HttpResponse:
    course, enrollment = course_get_for_staff(user=request.user, course_id=course_id, permission=GRANT)
    announcement = announcement_get(course=course, announcement_id=announcement_id)
    initial = {"title": announcement.title, "body": announcement.body, "pinned": announcement.pinned}
    form = AnnouncementForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        announcement_update(announcement=announcement, **form.cleaned_data)
        messages.success(request, _("The announcement was saved."))
        return redirect("courses:detail", course_id=course.pk)
    return render(request, "announcements/announcement_form.html",
                  {"course": course, "enrollment": enrollment, "form": form, "announcement": announcement},
                  status=400 if form.is_bound else 200)


@require_http_methods(["GET", "POST"])
def announcement_remove(request: HttpRequest, course_id: int, announcement_id: int) -> HttpResponse:
    course, enrollment = course_get_for_staff(user=request.user, course_id=course_id, permission=GRANT)
    announcement = announcement_get(course=course, announcement_id=announcement_id)
    if request.method == "POST":
        announcement_delete(announcement=announcement)
        messages.success(request, _("The announcement was deleted."))
        return redirect("courses:detail", course_id=course.pk)
    return render(request, "announcements/announcement_delete.html",
                  {"course": course, "enrollment": enrollment, "announcement": announcement})


@require_http_methods(["GET", "POST"])
def preferences(request: HttpRequest) -> HttpResponse:
    current = preference_get(user=request.user)
    initial = {"announcements": current.announcements, "grades": current.grades, "regrades": current.regrades,
               # never chosen: offer the interface language, so saving once makes it known
               "language": current.language if current.pk else (get_language() or "")[:2]}
    form = PreferencesForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        preferences_save(user=request.user, **form.cleaned_data)
        messages.success(request, _("Your e-mail preferences were saved."))
        return redirect("announcements:preferences")
    return render(request, "announcements/preferences.html",
                  {"form": form, "has_address": bool(request.user.email)},
                  status=400 if form.is_bound else 200)

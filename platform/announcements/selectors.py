"""Reads: a course's announcements for its members, one announcement for its staff, a user's
e-mail preferences."""

from __future__ import annotations

from courses.models import Course
from django.contrib.auth.models import AbstractBaseUser
from django.db.models import QuerySet
from django.http import Http404

from announcements.models import Announcement, NotificationPreference

PREFERENCE_FIELDS = {"announcement": "announcements", "grade": "grades", "regrade": "regrades"}


def announcement_list(*, course: Course | int) -> QuerySet[Announcement]:
    """Pinned first, then newest first."""
    course_id = course if isinstance(course, int) else course.pk
    return Announcement.objects.filter(course_id=course_id).select_related("author")


def announcement_get(*, course: Course, announcement_id: int) -> Announcement:
    """An announcement of this course (404 for another course's id)."""
    announcement = Announcement.objects.filter(course=course, pk=announcement_id).first()
    if announcement is None:
        raise Http404
    return announcement


def preference_get(*, user: AbstractBaseUser) -> NotificationPreference:
    """The user's preferences; an unsaved row with the defaults (everything on) when they never chose."""
    found = NotificationPreference.objects.filter(user_id=user.pk).first()
    return found or NotificationPreference(user_id=user.pk)


def opted_out_user_ids(*, kind: str, user_ids: list[int]) -> set[int]:
    """Of these users, those who turned this kind of e-mail off."""
    return set(
        NotificationPreference.objects.filter(user_id__in=user_ids, **{PREFERENCE_FIELDS[kind]: False})
        .values_list("user_id", flat=True)
    )


def wants_email(*, user_id: int, kind: str) -> bool:
    return not opted_out_user_ids(kind=kind, user_ids=[user_id])

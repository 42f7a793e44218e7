"""Reads of the LTI app."""

from __future__ import annotations

from courses.models import Course
from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Q, QuerySet

from lti.models import LtiRegistration


def registrations_linkable(*, user: AbstractBaseUser, course: Course) -> QuerySet[LtiRegistration]:
    """Platforms whose contexts this instructor may bind to this course: ones they registered or
    that were registered from this course (superusers: all). Binding a context of somebody else's
    LMS would route that LMS course's students into this course (Moodle context ids are small
    numbers, easy to guess); a site admin does those bindings in the Django admin."""
    rows = LtiRegistration.objects.filter(active=True)
    if getattr(user, "is_superuser", False):
        return rows
    return rows.filter(Q(created_by=user) | Q(course=course))


def registrations_for_course_page(
    *, user: AbstractBaseUser, course: Course
) -> QuerySet[LtiRegistration]:
    """What the course's LTI page lists: the linkable ones and any with contexts bound here."""
    linkable = registrations_linkable(user=user, course=course).values("pk")
    return (
        LtiRegistration.objects.filter(Q(pk__in=linkable) | Q(contexts__course=course))
        .distinct()
        .order_by("title", "pk")
    )

"""Reads for courses. Every lookup a view makes is scoped to the requesting user."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404

from courses.models import Course, Enrollment


def course_list_for_user(*, user: AbstractBaseUser) -> QuerySet[Enrollment]:
    return Enrollment.objects.filter(user=user).select_related("course").order_by("course__title")


def enrollment_get(*, user: AbstractBaseUser, course: Course) -> Enrollment | None:
    if not user.is_authenticated:
        return None
    return Enrollment.objects.filter(user=user, course=course).first()


def course_get_for_member(*, user: AbstractBaseUser, course_id: int) -> tuple[Course, Enrollment]:
    """The course and the user's enrollment; 404 for anyone not enrolled (no existence leak)."""
    enrollment = (
        Enrollment.objects.filter(user=user, course_id=course_id).select_related("course").first()
    )
    if enrollment is None:
        raise Http404
    return enrollment.course, enrollment


def course_get_for_staff(
    *, user: AbstractBaseUser, course_id: int, permission: str | None = None
) -> tuple[Course, Enrollment]:
    """For course staff only (404 otherwise). ``permission`` ("edit_assignments" or "regrade")
    additionally requires that grant: instructors always have it, TAs only when given it."""
    course, enrollment = course_get_for_member(user=user, course_id=course_id)
    if not enrollment.is_staff_role:
        raise Http404
    if permission is not None and not getattr(enrollment, f"can_{permission}"):
        raise PermissionDenied
    return course, enrollment


def course_students(*, course: Course) -> QuerySet[Enrollment]:
    return (
        Enrollment.objects.filter(course=course, role=Enrollment.Role.STUDENT)
        .select_related("user")
        .order_by("user__username")
    )

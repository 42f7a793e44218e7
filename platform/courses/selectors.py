"""Reads for courses. Every lookup a view makes is scoped to the requesting user.

Course-scoped lookups every app shares live here too (not in ``core``, which imports no app): who
the students of a course are, who its staff are, one member's enrollment. ``course`` is a
``Course`` or its id, whichever the caller has, so no lookup costs a query for the course.
"""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404

from courses.models import Course, Enrollment


def _course_id(course: Course | int) -> int:
    return course if isinstance(course, int) else course.pk


def course_list_for_user(*, user: AbstractBaseUser) -> QuerySet[Enrollment]:
    return Enrollment.objects.filter(user=user).select_related("course").order_by("course__title")


def enrollment_get(*, user: AbstractBaseUser, course: Course | int) -> Enrollment | None:
    """The user's enrollment in the course (any role), or None (also for an anonymous visitor)."""
    if not user.is_authenticated:
        return None
    return Enrollment.objects.filter(user_id=user.pk, course_id=_course_id(course)).first()


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


def course_student_enrollments(*, course: Course | int) -> QuerySet[Enrollment]:
    """The course's student enrollments, bare (no user, no order): for ``exists()``, ``values()``
    and subqueries."""
    return Enrollment.objects.filter(course_id=_course_id(course), role=Enrollment.Role.STUDENT)


def course_students(*, course: Course | int) -> QuerySet[Enrollment]:
    """The course's students with their users (one query), by username."""
    return course_student_enrollments(course=course).select_related("user").order_by("user__username")


def course_student_ids(*, course: Course | int) -> QuerySet[int]:
    """The user ids of the course's students: lazy, so ``user_id__in=`` makes it a subquery and
    ``set(...)`` one query."""
    return course_student_enrollments(course=course).values_list("user_id", flat=True)


def course_student_get(*, course: Course | int, user_id: int) -> Enrollment | None:
    """This user's enrollment when they are a student of the course (with the user), else None."""
    return course_student_enrollments(course=course).filter(user_id=user_id).select_related("user").first()


def course_staff_ids(*, course: Course | int) -> QuerySet[int]:
    return Enrollment.objects.filter(
        course_id=_course_id(course), role__in=Enrollment.STAFF_ROLES
    ).values_list("user_id", flat=True)


def course_staff(*, course: Course | int) -> QuerySet[Enrollment]:
    """Instructors and TAs with their users: instructors first, then by username."""
    return (
        Enrollment.objects.filter(course_id=_course_id(course), role__in=Enrollment.STAFF_ROLES)
        .select_related("user")
        .order_by("role", "user__username")
    )


def is_course_staff(*, user: AbstractBaseUser, course: Course | int) -> bool:
    return course_staff_ids(course=course).filter(user_id=user.pk).exists()

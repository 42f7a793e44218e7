"""LTI roles -> our course roles.

Only context (membership) roles count: an institution-wide "Instructor" is not the teacher of
this course. Sub-roles imply their principal role ("Instructor#TeachingAssistant" is also an
Instructor), so the most specific, least powerful match wins: TA before Instructor."""

from __future__ import annotations

from collections.abc import Iterable

from courses.models import Enrollment

MEMBERSHIP = "http://purl.imsglobal.org/vocab/lis/v2/membership"
TEACHING_ASSISTANT_ROLES = {
    f"{MEMBERSHIP}/Instructor#TeachingAssistant",
    f"{MEMBERSHIP}#TeachingAssistant",
}
INSTRUCTOR_ROLES = {
    f"{MEMBERSHIP}#Instructor",
    f"{MEMBERSHIP}#Administrator",
    f"{MEMBERSHIP}#ContentDeveloper",
    # LTI 1.3 still allows the short context role names of LTI 1.1.
    "Instructor",
    "Administrator",
    "ContentDeveloper",
}
LEARNER_ROLES = {f"{MEMBERSHIP}#Learner", "Learner"}


def course_role_from_lti(roles: Iterable[str]) -> str | None:
    """An ``Enrollment.Role`` value, or None when no role we support (Mentor, Observer, none)."""
    given = {role.strip() for role in roles if isinstance(role, str)}
    if given & TEACHING_ASSISTANT_ROLES or "TeachingAssistant" in given:
        return Enrollment.Role.TA
    if given & INSTRUCTOR_ROLES:
        return Enrollment.Role.INSTRUCTOR
    if given & LEARNER_ROLES or any(role.startswith(f"{MEMBERSHIP}/Learner#") for role in given):
        return Enrollment.Role.STUDENT
    return None

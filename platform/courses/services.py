"""Writes for courses: joining by code, roster import."""

from __future__ import annotations

import csv
import io
import secrets
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from courses.models import Course, Enrollment

MAX_ROSTER_ROWS = 5000


def enrollment_join_by_code(*, user: AbstractBaseUser, code: str) -> Enrollment:
    """Join as a student. Joining twice is harmless; staff keep their role."""
    code = code.strip().upper()
    course = Course.objects.filter(join_code=code, join_open=True).first() if code else None
    if course is None:
        raise ValidationError(_("No open course has this join code."))
    enrollment, _created = Enrollment.objects.get_or_create(
        course=course, user=user, defaults={"role": Enrollment.Role.STUDENT}
    )
    return enrollment


def enrollment_set(*, course: Course, user: AbstractBaseUser, role: str) -> Enrollment:
    enrollment, _created = Enrollment.objects.update_or_create(
        course=course, user=user, defaults={"role": role}
    )
    return enrollment


@dataclass
class RosterReport:
    enrolled: list[str] = field(default_factory=list)
    created_users: dict[str, str] = field(default_factory=dict)  # username -> initial password
    errors: list[str] = field(default_factory=list)


@transaction.atomic
def roster_import_csv(*, course: Course, csv_text: str) -> RosterReport:
    """Rows ``username,email,name,role`` (header required; email/name/role optional).

    New users get a random initial password, reported once to the instructor.
    """
    report = RosterReport()
    reader = csv.DictReader(io.StringIO(csv_text.lstrip("\ufeff")))
    if not reader.fieldnames or "username" not in [name.strip() for name in reader.fieldnames]:
        raise ValidationError(_("The CSV needs a header row with a 'username' column."))
    users = get_user_model()
    roles = {choice.value for choice in Enrollment.Role}
    for line, row in enumerate(reader, start=2):
        if line > MAX_ROSTER_ROWS + 1:
            report.errors.append(_("Stopped after %(count)d rows.") % {"count": MAX_ROSTER_ROWS})
            break
        row = {(key or "").strip(): (value or "").strip() for key, value in row.items()}
        username = row.get("username", "")
        role = row.get("role") or Enrollment.Role.STUDENT
        if not username:
            report.errors.append(_("Line %(line)d: username is empty.") % {"line": line})
            continue
        if role not in roles:
            report.errors.append(_("Line %(line)d: unknown role %(role)s.") % {"line": line, "role": role})
            continue
        user = users.objects.filter(username=username).first()
        if user is None:
            password = secrets.token_urlsafe(9)
            first, _sep, last = row.get("name", "").partition(" ")
            user = users.objects.create_user(
                username=username, email=row.get("email", ""), password=password,
                first_name=first[:150], last_name=last[:150],
            )
            report.created_users[username] = password
        enrollment_set(course=course, user=user, role=role)
        report.enrolled.append(username)
    return report


DEMO_TITLE = "딥러닝 기초 (데모)"


def course_demo_get_or_create() -> Course:
    from django.conf import settings

    course, _created = Course.objects.get_or_create(
        slug=settings.DEMO_COURSE_SLUG, defaults={"title": DEMO_TITLE, "language": "ko"}
    )
    return course

"""Writes for courses: joining by code, roster import."""

from __future__ import annotations

import csv
import io
import secrets
from dataclasses import dataclass, field

from core.errors import UserError
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import PBKDF2PasswordHasher, get_hasher, make_password
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils.translation import gettext as _

from courses.models import Course, Enrollment
from courses.selectors import enrollment_get

MAX_ROSTER_ROWS = 5000


class CourseRefused(UserError):
    """A join code or roster file the course will not take; ``message`` says why."""


def enrollment_join_by_code(*, user: AbstractBaseUser, code: str) -> Enrollment:
    """Join as a student. Joining twice is harmless; staff keep their role."""
    code = code.strip().upper()
    # Never a query for what cannot be a code (a NUL byte is an error on Postgres, not a miss).
    usable = 0 < len(code) <= Course._meta.get_field("join_code").max_length and code.isprintable()
    course = Course.objects.filter(join_code=code, join_open=True).first() if usable else None
    if course is None:
        raise CourseRefused(_("No open course has this join code."))
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


# The initial passwords are 72 random bits: no iteration count is needed against guessing them, and
# the default (about a second per hash) would make a 300-student roster outlast any request timeout.
# Django re-hashes with the full count at the first log-in (PBKDF2's ``must_update``).
INITIAL_PASSWORD_ITERATIONS = 1000


def _initial_password_hash(password: str) -> str:
    hasher = get_hasher()
    if isinstance(hasher, PBKDF2PasswordHasher):
        return hasher.encode(password, hasher.salt(), iterations=INITIAL_PASSWORD_ITERATIONS)
    return make_password(password)


def _roster_reader(csv_text: str) -> csv.DictReader[str]:
    if "\x00" in csv_text:
        raise CourseRefused(_("The file contains NUL bytes; is it a spreadsheet rather than a CSV file?"))
    reader = csv.DictReader(io.StringIO(csv_text.lstrip("\ufeff")))
    try:
        fieldnames = [name.strip() for name in (reader.fieldnames or [])]
    except csv.Error:
        fieldnames = []
    if "username" not in fieldnames:
        raise CourseRefused(_("The CSV needs a header row with a 'username' column."))
    return reader


def _row_problem(row: dict[str, str], *, line: int, role: str, roles: set[str]) -> str | None:
    username = row["username"]
    if not username:
        return _("Line %(line)d: username is empty.") % {"line": line}
    try:
        get_user_model()._meta.get_field("username").clean(username, None)  # length, characters: no "=cmd|..."
    except ValidationError as error:
        return _("Line %(line)d: %(problem)s") % {"line": line, "problem": " ".join(error.messages)}
    if not username[0].isalnum():
        # Django allows "+1+1" or "@SUM"; as a username it would be a formula in every spreadsheet export.
        return _("Line %(line)d: a username must start with a letter or a digit.") % {"line": line}
    if role not in roles:
        return _("Line %(line)d: unknown role %(role)s.") % {"line": line, "role": role[:40]}
    if row.get("email"):
        try:
            validate_email(row["email"])
        except ValidationError as error:
            return _("Line %(line)d: %(problem)s") % {"line": line, "problem": " ".join(error.messages)}
    return None


def _role_problem(*, course: Course, user: AbstractBaseUser | None, role: str, by: Enrollment | None, line: int) -> str | None:
    if by is None:
        return None
    if user is not None and user.pk == by.user_id and role != by.role:
        return _("Line %(line)d: you cannot change your own role.") % {"line": line}
    if by.role == Enrollment.Role.INSTRUCTOR:
        return None
    current = enrollment_get(user=user, course=course) if user is not None else None
    if role != Enrollment.Role.STUDENT or (current is not None and current.is_staff_role):
        return _("Line %(line)d: only an instructor may give or change a staff role.") % {"line": line}
    return None


def _user_create(row: dict[str, str], password: str) -> AbstractBaseUser:
    users = get_user_model()
    first, _sep, last = row.get("name", "").partition(" ")
    user = users(
        username=row["username"], email=users.objects.normalize_email(row.get("email", "")),
        first_name=first[:150], last_name=last[:150],
    )
    user.password = _initial_password_hash(password)
    user.save()
    return user


@transaction.atomic
def roster_import_csv(*, course: Course, csv_text: str, by: Enrollment | None = None) -> RosterReport:
    """Rows ``username,email,name,role`` (header required; email/name/role optional).

    New users get a random initial password, reported once to the instructor. ``by`` is the
    importing member: a TA may enrol students but never grant a staff role or change a staff
    member's role, and nobody changes their own role here (None: a trusted command-line caller).
    """
    report = RosterReport()
    reader = _roster_reader(csv_text)
    users = get_user_model()
    roles = {choice.value for choice in Enrollment.Role}
    try:
        for line, raw in enumerate(reader, start=2):
            if line > MAX_ROSTER_ROWS + 1:
                report.errors.append(_("Stopped after %(count)d rows.") % {"count": MAX_ROSTER_ROWS})
                break
            # Extra cells land in a list under the key None: ignored, like unknown columns.
            row = {(key or "").strip(): value.strip() for key, value in raw.items() if isinstance(value, str)}
            row["username"] = users.normalize_username(row.get("username", ""))
            role = row.get("role") or Enrollment.Role.STUDENT
            problem = _row_problem(row, line=line, role=role, roles=roles)
            user = users.objects.filter(username=row["username"]).first() if problem is None else None
            problem = problem or _role_problem(course=course, user=user, role=role, by=by, line=line)
            if problem is not None:
                report.errors.append(problem)
                continue
            if user is None:
                password = secrets.token_urlsafe(9)
                user = _user_create(row, password)
                report.created_users[row["username"]] = password
            enrollment_set(course=course, user=user, role=role)
            report.enrolled.append(row["username"])
    except csv.Error as error:  # e.g. a field longer than the csv module allows: not a roster
        raise CourseRefused(_("The file is not a CSV roster (%(problem)s).") % {"problem": str(error)[:200]}) from None
    return report


DEMO_TITLE = "딥러닝 기초 (데모)"


def course_demo_get_or_create() -> Course:
    from django.conf import settings

    course, _created = Course.objects.get_or_create(
        slug=settings.DEMO_COURSE_SLUG, defaults={"title": DEMO_TITLE, "language": "ko"}
    )
    return course

"""``manage.py seed_demo``: the demo course, four demo users (printed), the chapter 7 bundles."""

from __future__ import annotations

from typing import Any

from assessments.loading import bundle_load
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from courses.models import Enrollment
from courses.services import course_demo_get_or_create, enrollment_set
from grader.errors import BundleError

DEMO_BUNDLES = ("ch07-cnn", "cnn-architectures")
DEMO_USERS = (
    ("instructor", "강사", Enrollment.Role.INSTRUCTOR),
    ("ta", "조교", Enrollment.Role.TA),
    ("student1", "학생 1", Enrollment.Role.STUDENT),
    ("student2", "학생 2", Enrollment.Role.STUDENT),
)


class Command(BaseCommand):
    help = "Create the demo course with demo users and the chapter 7 assignments (idempotent)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--force", action="store_true", help="allow in production")

    def handle(self, *args: Any, force: bool, **options: Any) -> None:
        if settings.PRODUCTION and not force:
            raise CommandError("seed_demo creates users with known passwords; use --force in production")
        course = course_demo_get_or_create()
        users = get_user_model()
        lines = []
        for username, name, role in DEMO_USERS:
            password = f"{username}-demo"
            user, _created = users.objects.get_or_create(username=username, defaults={"first_name": name})
            user.set_password(password)  # reset each run so the printed credentials always work
            # The demo instructor may also use /admin/.
            user.is_staff = user.is_superuser = role == Enrollment.Role.INSTRUCTOR
            user.save()
            enrollment_set(course=course, user=user, role=role)
            lines.append(f"  {role:<10} {username:<10} / {password}")
        for position, slug in enumerate(DEMO_BUNDLES):
            folder = settings.ASSIGNMENTS_DIR / slug
            if not (folder / "bundle.yaml").is_file():
                self.stderr.write(f"{slug}: bundle not found under {settings.ASSIGNMENTS_DIR}; skipped")
                continue
            try:
                report = bundle_load(path=folder, course=course, position=position)
            except BundleError as error:
                self.stderr.write(f"{slug}: not loaded: {error}")
                continue
            self.stdout.write("\n".join(report.changes) if report.changed else f"{slug}: unchanged")
        self.stdout.write(f"Demo course: {course.title} (join code {course.join_code})")
        self.stdout.write("Demo logins (role, username / password):")
        self.stdout.write("\n".join(lines))

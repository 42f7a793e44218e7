"""``manage.py seed_demo``: the demo course, four demo users (printed), the chapter 7 bundles; with
``--class N`` also a realistic class of N students who worked for a few days (courses/demo_class.py)."""

from __future__ import annotations

from typing import Any

from assessments.loading import bundle_load
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from courses.demo_class import demo_class_fill
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
        parser.add_argument("--class", dest="class_size", type=int, default=0, metavar="N",
                            help="also fill a realistic class of N students (e.g. 120); their code "
                                 "submissions are graded by the Celery workers")
        parser.add_argument("--days", type=int, default=5, help="how many days the class has worked (default 5)")

    def handle(self, *args: Any, force: bool, class_size: int, days: int, **options: Any) -> None:
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
        if class_size < 0 or days < 2:
            raise CommandError("--class must be 0 or more and --days at least 2")
        if class_size:
            instructor = users.objects.get(username=DEMO_USERS[0][0])
            self.stdout.write(demo_class_fill(course=course, instructor=instructor, size=class_size, days=days).summary())
        self.stdout.write(f"Demo course: {course.title} (join code {course.join_code})")
        self.stdout.write("Demo logins (role, username / password):")
        self.stdout.write("\n".join(lines))

"""``manage.py load_assignments [path ...] [--course SLUG]``: idempotent; prints what changed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from courses.models import Course
from courses.services import course_demo_get_or_create
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from assessments.loading import bundle_dirs, bundle_load
from grader.errors import BundleError


class Command(BaseCommand):
    help = "Load assignment bundles (default: every bundle under assignments/) into a course."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("paths", nargs="*", help="bundle folders, or folders holding bundles")
        parser.add_argument("--course", help="course slug (default: the demo course)")

    def handle(self, *args: Any, paths: list[str], course: str | None, **options: Any) -> None:
        if course:
            target = Course.objects.filter(slug=course).first()
            if target is None:
                raise CommandError(f"no course with slug {course!r}")
        else:
            target = course_demo_get_or_create()
        folders: list[Path] = []
        for path in paths or [str(settings.ASSIGNMENTS_DIR)]:
            if not Path(path).is_dir():
                raise CommandError(f"{path}: not a folder")
            folders.extend(bundle_dirs(path))
        failures = 0
        for folder in folders:
            try:
                report = bundle_load(path=folder, course=target)
            except BundleError as error:
                failures += 1
                self.stderr.write(f"{folder.name}: not loaded: {error}")
                continue
            if report.changed:
                self.stdout.write("\n".join(report.changes))
            else:
                self.stdout.write(f"{report.bundle}: unchanged")
        if failures:
            raise CommandError(f"{failures} bundle(s) could not be loaded (see above)")

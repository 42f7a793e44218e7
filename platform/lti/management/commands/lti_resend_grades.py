"""Queue grade passback again for rows left pending (the beat's job sweep does this too) or
failed (after fixing the platform's registration)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from lti.models import LtiGradeSync
from lti.tasks import send_grade_enqueue


class Command(BaseCommand):
    help = "Re-queue LTI grade passback that is pending or failed."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--failed", action="store_true", help="also retry rows marked failed")

    def handle(self, *args: Any, failed: bool = False, **options: Any) -> None:
        statuses = [LtiGradeSync.Status.PENDING] + ([LtiGradeSync.Status.FAILED] if failed else [])
        ids = list(LtiGradeSync.objects.filter(status__in=statuses).values_list("pk", flat=True))
        if failed:
            LtiGradeSync.objects.filter(pk__in=ids).update(status=LtiGradeSync.Status.PENDING, tries=0)
        for sync_id in ids:
            send_grade_enqueue(sync_id)
        self.stdout.write(f"queued {len(ids)} grade passback(s)")

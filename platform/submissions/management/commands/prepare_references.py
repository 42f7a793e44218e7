"""``manage.py prepare_references [--question ID ...]``: have the workers compute every enrolled
student's next attempts' reference results ahead of time (core/reference_cache.py), e.g. after
publishing a code question or loading a bundle."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from submissions.services.references import references_prepare_first


class Command(BaseCommand):
    help = "Queue the reference results of every student's next attempt at code questions."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--question", type=int, action="append", help="question id (default: all code questions)")
        parser.add_argument("--ahead", type=int, default=None,
                            help="attempts per student to prepare (default GRADER_REFERENCE_AHEAD, 3)")

    def handle(self, *args: Any, **options: Any) -> None:
        sent = references_prepare_first(question_ids=options["question"], ahead=options["ahead"])
        self.stdout.write(f"queued {sent} reference precomputes")

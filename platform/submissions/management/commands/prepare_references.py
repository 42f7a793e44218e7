"""``manage.py prepare_references [--question ID ...]``: have the workers compute every enrolled
student's next attempt's reference result ahead of time (core/reference_cache.py), e.g. after
publishing a code question or loading a bundle."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from submissions.services.references import references_prepare_first


class Command(BaseCommand):
    help = "Queue the reference results of every student's next attempt at code questions."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--question", type=int, action="append", help="question id (default: all code questions)")
        parser.add_argument("--ahead", type=int, default=1, help="attempts per student to prepare (default 1)")

    def handle(self, *args: Any, **options: Any) -> None:
        sent = references_prepare_first(question_ids=options["question"], ahead=max(1, options["ahead"]))
        self.stdout.write(f"queued {sent} reference precomputes")

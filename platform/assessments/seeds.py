"""Per-student seeds: the same (user, question) always draws the same inputs and variants, and
nobody can compute another student's seed without the server secret."""

from __future__ import annotations

import hashlib
import hmac

from django.conf import settings


def student_seed(*, user_id: int, question_id: int) -> int:
    message = f"{user_id}:{question_id}".encode()
    digest = hmac.new(settings.GRADING_SEED_SECRET.encode(), message, hashlib.sha256).digest()
    return int.from_bytes(digest[:8], "big") & (2**63 - 1)

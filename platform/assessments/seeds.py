"""Seeds from the server secret: nobody can compute another student's seed, or the next one.

A quiz question's variant is the student's own for good (``student_seed``). A code submission's
inputs are fresh for every attempt (``attempt_seed``): what one attempt's feedback shows (an
expected value at the first mismatch, the size of an error) describes inputs the next attempt
never gets, so it cannot be copied forward into a grade. The seed is stored with the submission,
so a regrade draws exactly the same inputs again."""

from __future__ import annotations

import hashlib
import hmac

from django.conf import settings


def student_seed(*, user_id: int, question_id: int) -> int:
    return _seed(f"{user_id}:{question_id}")


def attempt_seed(*, user_id: int, question_id: int, attempt: int) -> int:
    return _seed(f"{user_id}:{question_id}:attempt-{attempt}")


def pool_seed(*, user_id: int, assignment_id: int, pool_name: str) -> int:
    """Which questions of a pool a student is given (``pools``): theirs, unguessable by others."""
    return _seed(f"{user_id}:{assignment_id}:pool-{pool_name}")


def _seed(message: str) -> int:
    digest = hmac.new(settings.GRADING_SEED_SECRET.encode(), message.encode(), hashlib.sha256).digest()
    return int.from_bytes(digest[:8], "big") & (2**63 - 1)

"""Bias controls of manual grading: the per-grader random order and the anonymous labels, both
derived from ids with a keyed hash, so they are stable (the same list every time a grader opens
it) without storing anything, and unguessable from the outside."""

from __future__ import annotations

import hashlib
import hmac

from django.conf import settings
from django.core import signing

from grading.models import GradingSettings

TOKEN_SALT = "grading.code-review"


def _digest(*parts: object) -> str:
    message = ":".join(str(part) for part in parts).encode()
    return hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).hexdigest()


def shuffle_key(*, grader_id: int, question_id: int, student_id: int) -> str:
    """Sort key of the random order: the seed is the grader (and question), so one grader always
    sees the same order and two graders see different ones."""
    return _digest("order", grader_id, question_id, student_id)


def anonymous_label(*, question_id: int, student_id: int) -> str:
    """A pseudonym for one student on one question (different per question, so that the
    labels cannot be joined across questions)."""
    return _digest("anon", question_id, student_id)[:6].upper()


def review_token(submission_id: int) -> str:
    """The opaque id of a code review page: signed, so ids cannot be guessed or walked."""
    return signing.dumps(submission_id, salt=TOKEN_SALT, compress=False)


def review_token_read(token: str) -> int | None:
    try:
        value = signing.loads(token, salt=TOKEN_SALT)
    except signing.BadSignature:
        return None
    return value if isinstance(value, int) else None


def settings_for(course_id: int) -> GradingSettings:
    """The course's settings, unsaved defaults (named, by username) when never set."""
    row = GradingSettings.objects.filter(course_id=course_id).first()
    return row if row is not None else GradingSettings(course_id=course_id)

from __future__ import annotations

from assessments.models import Question
from django.contrib.auth.models import AbstractBaseUser
from django.utils import timezone

from submissions.models import Draft
from submissions.services.submit import code_accept


def draft_save(*, user: AbstractBaseUser, question: Question, code: str) -> Draft:
    """Save the editor's content (the same size and encoding rules as a submission)."""
    text = code_accept(code, allow_empty=True)
    draft, _created = Draft.objects.update_or_create(
        user=user, question=question, defaults={"code": text, "saved_at": timezone.now()}
    )
    return draft

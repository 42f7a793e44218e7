"""What the code question's JSON endpoints add to ``core.http``: the idempotency key of a submit,
and the 401 text that says the draft is kept."""

from __future__ import annotations

import re
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from submissions.services.errors import SubmitRefused

# What a browser's crypto.randomUUID() (or any sane client) sends; anything else is refused before
# it reaches the database (a NUL byte or a lone surrogate would crash the query instead).
IDEMPOTENCY_KEY = re.compile(r"[A-Za-z0-9._:-]{8,64}")

SESSION_ENDED = gettext_lazy("Your session has ended. Log in again (your draft is kept in this browser).")


def idempotency_key_from(data: dict[str, Any]) -> str:
    key = data.get("idempotency_key")
    if not isinstance(key, str) or not IDEMPOTENCY_KEY.fullmatch(key):
        raise SubmitRefused(_("The request needs an idempotency key."), status=400)
    return key

from __future__ import annotations

from core.errors import UserError


class SubmitRefused(UserError):
    """A submission or answer the platform will not take; ``message`` is for the student."""

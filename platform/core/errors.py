"""The one base for refusals a user can act on.

A service raises a subclass (``SubmitRefused``, ``AuthoringError``, ``GradingRefused``, ...) with
text already translated for the person reading it; a page shows ``message`` (next to ``field``
when it names a form input), a JSON endpoint (``core.http.json_endpoint``) answers
``{"error": message}`` (plus ``"field"`` when known) with ``status``. Bugs and outages are not refusals: they
stay ordinary exceptions.
"""

from __future__ import annotations


class UserError(Exception):
    """``message``: translated text for the user; ``status``: the HTTP answer (the class default
    unless given); ``field``: the form input the message belongs to, when known."""

    status: int = 400

    def __init__(self, message: str, *, status: int | None = None, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if status is not None:
            self.status = status
        self.field = field


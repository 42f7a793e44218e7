from __future__ import annotations


class SubmitRefused(Exception):
    """A submission or answer the platform will not take; ``message`` is for the student."""

    def __init__(self, message: str, *, status: int) -> None:
        super().__init__(message)
        self.message = message
        self.status = status

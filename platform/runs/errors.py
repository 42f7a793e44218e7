from __future__ import annotations

from core.errors import UserError


class RunRefused(UserError):
    """A run the student cannot have (not a code question, too large, too many): 400 by default."""

"""Question kinds: one folder per kind, each with its logic and its ``form.html``.

Adding a kind means adding a folder and one line in ``_ALL`` below; nothing else in the platform
needs to know what a kind does.
"""

from __future__ import annotations

from .base import AnswerError, AutoGrade, QuestionKind
from .code import CodeKind
from .multiple_choice import MultipleChoiceKind
from .numeric import NumericKind
from .short_text import ShortTextKind

_ALL: tuple[QuestionKind, ...] = (MultipleChoiceKind(), NumericKind(), ShortTextKind(), CodeKind())
KINDS: dict[str, QuestionKind] = {kind.name: kind for kind in _ALL}


def get_kind(name: str) -> QuestionKind:
    try:
        return KINDS[name]
    except KeyError:
        known = ", ".join(sorted(KINDS))
        raise KeyError(f"unknown question kind {name!r} (known kinds: {known})") from None


__all__ = ["KINDS", "AnswerError", "AutoGrade", "QuestionKind", "get_kind"]

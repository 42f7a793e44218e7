"""Question kinds: one folder per kind, each with its logic and its ``form.html``.

A top-level package next to ``grader`` (plain Python, never Django): the grader CLI and the
platform both import it as ``kinds``. Adding a kind means adding a folder and one line in ``_ALL``
below; nothing else in the platform needs to know what a kind does (its label, starter, files and
grading mode are the kind's own attributes).
"""

from __future__ import annotations

from .base import GRADING_MODES, AnswerError, AutoGrade, QuestionKind
from .code import CodeKind
from .multiple_choice import MultipleChoiceKind
from .numeric import NumericKind
from .short_text import ShortTextKind

# The order authors see in the "new question" menu (the first is the default).
_ALL: tuple[QuestionKind, ...] = (NumericKind(), MultipleChoiceKind(), ShortTextKind(), CodeKind())
KINDS: dict[str, QuestionKind] = {kind.name: kind for kind in _ALL}


def get_kind(name: str) -> QuestionKind:
    try:
        return KINDS[name]
    except KeyError:
        known = ", ".join(sorted(KINDS))
        raise KeyError(f"unknown question kind {name!r} (known kinds: {known})") from None


__all__ = ["GRADING_MODES", "KINDS", "AnswerError", "AutoGrade", "QuestionKind", "get_kind"]

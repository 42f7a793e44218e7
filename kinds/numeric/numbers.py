"""Reading the number a student typed: "1,234", "1.5e3", "12.6 MB" (with the declared unit)."""

from __future__ import annotations

import math
import re
import unicodedata

from ..base import AnswerError

MAX_INPUT_LENGTH = 100
_PLAIN = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")
# a number followed by a word of letters (a unit the student typed), e.g. "12.6 MiB"
_NUMBER_THEN_WORD = re.compile(r"[+-]?[\d.,]+(?:[eE][+-]?\d+)?\s*(?:[^\W\d_]|[%/²³])+")
_GROUPED = re.compile(r"[+-]?\d{1,3}(?:,\d{3})+(?:\.\d*)?(?:[eE][+-]?\d+)?")


def parse_number(raw: str, units: list[str]) -> float:
    text = unicodedata.normalize("NFKC", raw).strip().replace("\u2212", "-")
    if not text:
        raise AnswerError("Enter a number.", ko="숫자를 입력하세요.")
    if len(text) > MAX_INPUT_LENGTH:
        raise AnswerError("That answer is too long for a number.", ko="숫자로 보기에 너무 깁니다.")
    text = _strip_unit(text, units)
    text = text.replace(" ", "")
    if _GROUPED.fullmatch(text):
        text = text.replace(",", "")
    elif "," in text:
        raise AnswerError(
            "Use commas only between groups of three digits (1,234) and a dot for decimals (1.5).",
            ko="쉼표는 세 자리 구분(1,234)에만, 소수점은 마침표(1.5)로 쓰세요.",
        )
    if not _PLAIN.fullmatch(text):
        raise AnswerError(
            f"{raw.strip()!r} is not a number (examples: 42, -0.5, 1,234, 1.5e3).",
            ko=f"{raw.strip()!r}은(는) 숫자가 아닙니다 (예: 42, -0.5, 1,234, 1.5e3).",
        )
    value = float(text)
    if not math.isfinite(value):
        raise AnswerError("The number is too large.", ko="숫자가 너무 큽니다.")
    return value


def _strip_unit(text: str, units: list[str]) -> str:
    compact = text.replace(" ", "")
    if _PLAIN.fullmatch(compact) or _GROUPED.fullmatch(compact):
        return text
    folded = text.casefold()
    for unit in sorted({u.strip() for u in units if u.strip()}, key=len, reverse=True):
        if folded.endswith(unit.casefold()):
            return text[: len(text) - len(unit)].strip()
    if _NUMBER_THEN_WORD.fullmatch(text):
        expected = " / ".join(u for u in units if u.strip())
        if expected:
            raise AnswerError(
                f"Give the answer in {expected} (the unit is optional).",
                ko=f"{expected} 단위로 답하세요 (단위는 생략해도 됩니다).",
            )
        raise AnswerError("Enter a plain number without a unit.", ko="단위 없이 숫자만 입력하세요.")
    return text

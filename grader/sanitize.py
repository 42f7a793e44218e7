"""Make anything a job produced safe to print as JSON and to store in any database.

A job's messages, output and numbers are untrusted: a float may be NaN or infinite (not JSON), a
string may hold a lone surrogate (not encodable as UTF-8) or a NUL byte (Postgres text refuses
it), an int may have hundreds of digits (SQLite's JSON refuses it). ``json_safe`` is the one rule
applied to a verdict before it leaves the grader: ``GradeResult.to_dict`` calls it, so the CLI,
the worker and the database all see the same clean data.
"""

from __future__ import annotations

import math
from typing import Any

MAX_INT = 2**63 - 1  # the largest integer SQLite (and a Postgres bigint) holds; seeds use all of it
REPLACEMENT = "\ufffd"


def clean_text(text: str) -> str:
    """``text`` as valid UTF-8 without NUL: lone surrogates and NUL bytes become U+FFFD."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        # Pairs of surrogates join into one character; a lone one cannot be encoded: replace it.
        text = text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
    if "\x00" in text:
        text = text.replace("\x00", REPLACEMENT)
    return text


def json_safe(value: Any, depth: int = 0) -> Any:
    """A copy of ``value`` that ``json.dumps(..., allow_nan=False)`` accepts and every database
    stores: non-finite floats become None, huge ints are clamped, text is cleaned, containers are
    copied (tuples become lists), anything else becomes its (clean) text."""
    if depth > 32:
        return None
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, int):
        return max(-MAX_INT, min(MAX_INT, value))
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, dict):
        return {clean_text(str(key)): json_safe(item, depth + 1) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_safe(item, depth + 1) for item in value]
    if hasattr(value, "item") and callable(value.item):  # NumPy scalars
        try:
            return json_safe(value.item(), depth + 1)
        except (TypeError, ValueError):
            pass
    return clean_text(str(value))

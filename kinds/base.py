"""The contract every question kind implements, plus the small helpers the kinds share.

A kind is pure: it reads the question's spec (the parsed question.yaml), never the database, so the
loader, the web views and the tests all call the same code.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol, runtime_checkable

import yaml

from grader.bundle import LANGS, localized
from grader.errors import BundleError

MAX_TEXT_LENGTH = 10_000
Grading = Literal["sync", "worker", "manual"]
# sync: graded on the spot, in the web request (``grade``); worker: graded by the grader pipeline on
# the Celery workers (the sandbox); manual: waits for a person (``AutoGrade.needs_manual``).
GRADING_MODES: tuple[str, ...] = ("sync", "worker", "manual")
PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}")


class AnswerError(ValueError):
    """An answer the student has to fix before it can be graded (never costs an attempt).

    ``message`` is English; ``messages`` carries every interface language so the view can show the
    student's own language without a translation catalogue.
    """

    def __init__(self, message: str, *, ko: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.messages = {"en": message, "ko": ko or message}

    def text(self, lang: str) -> str:
        return self.messages.get(lang, self.message)


@dataclass
class AutoGrade:
    fraction: float  # 0..1 of the question's points
    correct: bool
    feedback: str  # plain text in the requested language
    needs_manual: bool = False
    misconception: str | None = None
    details: dict[str, Any] = field(default_factory=dict)


@runtime_checkable
class QuestionKind(Protocol):
    name: str
    label: dict[str, str]  # {"ko": ..., "en": ...}: the kind's name in the interface
    grading: Grading  # how the kind's answers are graded in general; see ``grading_mode``
    files: tuple[str, ...]  # question files besides question.yaml/prompts that authors edit
    starter_yaml: str  # question.yaml after the common fields for a new question (with comments)

    def label_text(self, lang: str) -> str:
        """``label`` in ``lang``."""

    def starter_spec(self) -> dict[str, Any]:
        """``starter_yaml`` parsed (the kind's fields of a new question)."""

    def starter_files(self) -> dict[str, str]:
        """Contents of ``files`` for a new question."""

    def file_help(self, name: str, lang: str) -> str:
        """The authoring form's label of one of ``files``."""

    def grading_mode(self, spec: dict[str, Any]) -> Grading:
        """How an answer to this question is graded: "sync", "worker" or "manual"."""

    def rubric(self, spec: dict[str, Any]) -> list[dict[str, Any]]:
        """Manual grading: rubric items ``{"index": position in the spec, "text": localized,
        "points": float}``; [] when the kind has none."""

    def model_answer(self, spec: dict[str, Any], lang: str) -> str:
        """Manual grading: the model answer shown to the grader in ``lang``; "" if none."""

    def validate(self, spec: dict[str, Any], where: str) -> None:
        """Raise ``BundleError(where, field, problem)`` when the spec cannot be used."""

    def variant(self, spec: dict[str, Any], seed: int) -> dict[str, int | float]:
        """Per-student numbers, the same for the same seed; {} when the question has none."""

    def render_prompt(self, prompt_md: str, variables: dict[str, int | float]) -> str:
        """The prompt with ``{{NAME}}`` replaced; unknown placeholders stay visible."""

    def public_spec(
        self, spec: dict[str, Any], variables: dict[str, int | float], lang: str, seed: int
    ) -> dict[str, Any]:
        """Only what the browser may see (never answers, correct flags, patterns, keywords)."""

    def parse_answer(self, data: dict[str, list[str]], spec: dict[str, Any]) -> dict[str, Any]:
        """Form fields (``QueryDict.lists()`` shape) to a stored answer; raises ``AnswerError``."""

    def grade(
        self, spec: dict[str, Any], variables: dict[str, int | float], answer: dict[str, Any],
        lang: str,
    ) -> AutoGrade:
        """Score a parsed answer."""

    def explanation(self, spec: dict[str, Any], lang: str) -> str:
        """The worked explanation shown after answering (when the course allows it)."""

    def sample_answer(
        self, spec: dict[str, Any], variables: dict[str, int | float], *, correct: bool,
        rng: random.Random, lang: str,
    ) -> dict[str, list[str]] | None:
        """The form fields a student might post: a right answer, or a typical wrong one (a
        distractor, a declared misconception). For the demo class; None when the kind cannot
        make one up."""


def say(lang: str, *, ko: str, en: str) -> str:
    """Pick one of the interface texts a kind writes itself."""
    return ko if lang == "ko" else en


def pick(text: Any, lang: str) -> str:
    """A localized spec text in ``lang`` (falls back to the other language, then to '')."""
    if isinstance(text, str):
        return text
    if not isinstance(text, dict):
        return ""
    for candidate in (lang, *LANGS):
        value = text.get(candidate)
        if isinstance(value, str) and value.strip():
            return value
    return ""


def optional_localized(spec: dict[str, Any], key: str, where: str) -> None:
    if spec.get(key) is not None:
        localized(spec[key], where, key)


def format_number(value: int | float) -> str:
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int) or (isinstance(value, float) and value.is_integer()):
        return str(int(value))
    return f"{value:.10g}"


def render_placeholders(prompt_md: str, variables: dict[str, int | float]) -> str:
    def substitute(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in variables:
            return match.group(0)  # left visible so the author notices the typo
        return format_number(variables[name])

    return PLACEHOLDER.sub(substitute, prompt_md)


def first_value(data: dict[str, list[str]], field_name: str) -> str:
    values = data.get(field_name) or []
    if isinstance(values, str):  # tolerate a plain dict from tests or JSON
        return values
    return str(values[0]) if values else ""


def require_bool(spec: dict[str, Any], key: str, where: str, default: bool) -> bool:
    value = spec.get(key, default)
    if not isinstance(value, bool):
        raise BundleError(where, key, "must be true or false")
    return value


class KindBase:
    """Defaults shared by kinds: no variables, plain placeholder rendering, spec explanation,
    graded on the spot, no files besides question.yaml, no rubric."""

    name = ""
    label: dict[str, str] = {}
    grading: Grading = "sync"
    files: tuple[str, ...] = ()
    file_labels: dict[str, dict[str, str]] = {}  # per name in ``files``: {"ko": ..., "en": ...}
    starter_yaml = ""

    def label_text(self, lang: str) -> str:
        return pick(self.label, lang) or self.name

    def starter_spec(self) -> dict[str, Any]:
        return dict(yaml.safe_load(self.starter_yaml) or {})

    def starter_files(self) -> dict[str, str]:
        return {}

    def file_help(self, name: str, lang: str) -> str:
        return pick(self.file_labels.get(name), lang) or name

    def grading_mode(self, spec: dict[str, Any]) -> Grading:
        return self.grading

    def rubric(self, spec: dict[str, Any]) -> list[dict[str, Any]]:
        return []

    def model_answer(self, spec: dict[str, Any], lang: str) -> str:
        return ""

    def variant(self, spec: dict[str, Any], seed: int) -> dict[str, int | float]:
        return {}

    def render_prompt(self, prompt_md: str, variables: dict[str, int | float]) -> str:
        return render_placeholders(prompt_md, variables)

    def explanation(self, spec: dict[str, Any], lang: str) -> str:
        return pick(spec.get("explanation"), lang)

    def sample_answer(
        self, spec: dict[str, Any], variables: dict[str, int | float], *, correct: bool,
        rng: random.Random, lang: str,
    ) -> dict[str, list[str]] | None:
        return None

    def validate_common(self, spec: dict[str, Any], where: str) -> None:
        if spec.get("kind") not in (None, self.name):
            raise BundleError(where, "kind", f"is {spec.get('kind')!r}, expected {self.name!r}")
        optional_localized(spec, "explanation", where)

"""Short text: exact answers, a full-match regex, keyword groups, or a rubric graded by staff."""

from __future__ import annotations

import random
import re
import unicodedata
from typing import Any

from grader.bundle import localized
from grader.errors import BundleError

from ..base import (
    MAX_TEXT_LENGTH,
    AnswerError,
    AutoGrade,
    Grading,
    KindBase,
    first_value,
    pick,
    say,
)

GRADINGS = ("manual", "exact", "regex", "keywords")


def normalize(text: str) -> str:
    """Case- and space-insensitive form: Korean spacing varies ("최대 풀링" / "최대풀링")."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text)).casefold()


class ShortTextKind(KindBase):
    name = "short_text"
    label = {"ko": "단답형", "en": "short text"}
    grading = "sync"  # exact / regex / keywords; ``grading: manual`` questions wait for a person
    starter_yaml = """\
grading: exact           # manual | exact | regex | keywords
accept: ["합성곱", "convolution"]
# pattern: "..."                       # grading: regex (full match, case-insensitive)
# keywords: [{any: ["패딩", "padding"], points: 1}]
# rubric: [{text: {ko: "...", en: "..."}, points: 1}]   # grading: manual
# model_answer: {ko: "...", en: "..."}
"""

    def grading_mode(self, spec: dict[str, Any]) -> Grading:
        return "manual" if spec.get("grading", "manual") == "manual" else "sync"

    def rubric(self, spec: dict[str, Any]) -> list[dict[str, Any]]:
        """The rubric as stored in the spec (kept even if the question became automatic since:
        old answers waiting for a person are still graded against it)."""
        items = spec.get("rubric") or []
        return [{"index": index, "text": item.get("text", ""), "points": float(item.get("points", 1))}
                for index, item in enumerate(items) if isinstance(item, dict)]

    def model_answer(self, spec: dict[str, Any], lang: str) -> str:
        return pick(spec.get("model_answer"), lang)

    def validate(self, spec: dict[str, Any], where: str) -> None:
        self.validate_common(spec, where)
        grading = spec.get("grading", "manual")
        if grading not in GRADINGS:
            raise BundleError(where, "grading", f"must be one of {', '.join(GRADINGS)}")
        if spec.get("model_answer") is not None:
            localized(spec["model_answer"], where, "model_answer")
        if grading == "exact":
            accept = spec.get("accept")
            if not isinstance(accept, list) or not accept or not all(
                isinstance(a, str) and a.strip() for a in accept
            ):
                raise BundleError(where, "accept", "must be a non-empty list of accepted answers")
        elif grading == "regex":
            pattern = spec.get("pattern")
            if not isinstance(pattern, str) or not pattern:
                raise BundleError(where, "pattern", "missing")
            try:
                re.compile(pattern)
            except re.error as error:
                raise BundleError(where, "pattern", f"does not compile: {error}") from None
        elif grading == "keywords":
            groups = spec.get("keywords")
            if not isinstance(groups, list) or not groups:
                raise BundleError(where, "keywords", "must be a non-empty list of {any, points}")
            for index, group in enumerate(groups):
                field = f"keywords[{index}]"
                words = group.get("any") if isinstance(group, dict) else None
                if not isinstance(words, list) or not words or not all(
                    isinstance(w, str) and w.strip() for w in words
                ):
                    raise BundleError(where, f"{field}.any", "must be a non-empty list of words")
                _positive(group.get("points", 1), where, f"{field}.points")
        else:
            rubric = spec.get("rubric")
            if not isinstance(rubric, list) or not rubric:
                raise BundleError(where, "rubric", "manual grading needs a non-empty rubric")
            for index, item in enumerate(rubric):
                field = f"rubric[{index}]"
                if not isinstance(item, dict):
                    raise BundleError(where, field, "must be a mapping {text, points}")
                localized(item.get("text"), where, f"{field}.text")
                _positive(item.get("points", 1), where, f"{field}.points")
            if spec.get("model_answer") is None:
                raise BundleError(where, "model_answer", "manual grading needs a model answer")

    def public_spec(
        self, spec: dict[str, Any], variables: dict[str, int | float], lang: str, seed: int
    ) -> dict[str, Any]:
        return {
            "kind": self.name,
            "multiline": spec.get("grading", "manual") in ("manual", "keywords"),
            "max_length": MAX_TEXT_LENGTH,
        }

    def sample_answer(
        self, spec: dict[str, Any], variables: dict[str, int | float], *, correct: bool,
        rng: random.Random, lang: str,
    ) -> dict[str, list[str]] | None:
        grading = spec.get("grading", "manual")
        if not correct:
            vague = say(lang, ko="잘 모르겠지만 계산이 빨라지기 때문인 것 같습니다.",
                        en="I am not sure, but I think it makes the computation faster.")
            return {"text": [vague]}
        if grading == "exact":
            return {"text": [rng.choice(spec["accept"])]}
        if grading == "keywords":
            return {"text": [" ".join(rng.choice(group["any"]) for group in spec["keywords"])]}
        model = pick(spec.get("model_answer"), lang)
        return {"text": [model]} if model else None  # a regex question without a model answer

    def parse_answer(self, data: dict[str, list[str]], spec: dict[str, Any]) -> dict[str, Any]:
        text = first_value(data, "text").replace("\r\n", "\n").strip()
        if not text:
            raise AnswerError("Write an answer first.", ko="답을 입력하세요.")
        if len(text) > MAX_TEXT_LENGTH:
            raise AnswerError(
                f"The answer is {len(text):,} characters long; the limit is {MAX_TEXT_LENGTH:,}.",
                ko=f"답이 {len(text):,}자입니다. 최대 {MAX_TEXT_LENGTH:,}자까지 쓸 수 있습니다.",
            )
        return {"text": text}

    def grade(
        self, spec: dict[str, Any], variables: dict[str, int | float], answer: dict[str, Any],
        lang: str,
    ) -> AutoGrade:
        text = str(answer.get("text", ""))
        grading = spec.get("grading", "manual")
        if grading == "manual":
            return AutoGrade(0.0, False, say(lang, ko="채점 대기 중", en="awaiting grading"),
                             needs_manual=True)
        if grading == "exact":
            ok = normalize(text) in {normalize(a) for a in spec["accept"]}
            return _all_or_nothing(ok, lang)
        if grading == "regex":
            ok = re.fullmatch(spec["pattern"], text.strip(), re.IGNORECASE | re.DOTALL) is not None
            return _all_or_nothing(ok, lang)
        folded = normalize(text)
        groups = spec["keywords"]
        total = sum(float(g.get("points", 1)) for g in groups)
        hits = [any(normalize(w) in folded for w in g["any"]) for g in groups]
        earned = sum(float(g.get("points", 1)) for g, hit in zip(groups, hits, strict=True) if hit)
        fraction = earned / total if total else 0.0
        feedback = say(lang, ko=f"핵심 내용 {sum(hits)}/{len(groups)}개를 언급했습니다.",
                       en=f"You covered {sum(hits)} of {len(groups)} key points.")
        return AutoGrade(fraction, fraction >= 1.0, feedback,
                         details={"matched_groups": [i for i, hit in enumerate(hits) if hit]})

    def explanation(self, spec: dict[str, Any], lang: str) -> str:
        return pick(spec.get("explanation"), lang) or pick(spec.get("model_answer"), lang)


def _all_or_nothing(ok: bool, lang: str) -> AutoGrade:
    if ok:
        return AutoGrade(1.0, True, say(lang, ko="정답입니다.", en="Correct."))
    return AutoGrade(0.0, False, say(lang, ko="오답입니다.", en="Incorrect."))


def _positive(value: Any, where: str, field: str) -> None:
    if not isinstance(value, (int, float)) or isinstance(value, bool) or value <= 0:
        raise BundleError(where, field, "must be a number > 0")

"""Multiple choice: one answer (all or nothing) or "choose all that apply" (partial credit).

Choice ids are opaque hashes of the choice text, so neither the id nor the position in the page
tells a student which choice the author listed first (authors tend to list the right one first).
"""

from __future__ import annotations

import hashlib
import random
from typing import Any

from grader.bundle import localized
from grader.errors import BundleError

from ..base import AnswerError, AutoGrade, KindBase, pick, require_bool, say


def choice_id(choice: dict[str, Any]) -> str:
    if isinstance(choice.get("id"), str) and choice["id"].strip():
        return choice["id"].strip()
    text = choice.get("text") or {}
    material = "\0".join(str(text.get(lang, "")) for lang in sorted(text)) if isinstance(text, dict) else str(text)
    return "c" + hashlib.sha256(material.encode("utf-8")).hexdigest()[:10]


class MultipleChoiceKind(KindBase):
    name = "multiple_choice"
    label = {"ko": "객관식", "en": "multiple choice"}
    starter_yaml = """\
multiple: false          # true: choose all that apply
shuffle: true
choices:
  - text: {ko: "맞는 선택지", en: "The right choice"}
    correct: true
  - text: {ko: "틀린 선택지", en: "A wrong choice"}
    correct: false
    feedback: {ko: "왜 틀렸는지 설명하세요.", en: "Say why this is wrong."}
# explanation: {ko: "...", en: "..."}
"""

    def validate(self, spec: dict[str, Any], where: str) -> None:
        self.validate_common(spec, where)
        multiple = require_bool(spec, "multiple", where, False)
        require_bool(spec, "shuffle", where, True)
        choices = spec.get("choices")
        if not isinstance(choices, list) or len(choices) < 2:
            raise BundleError(where, "choices", "must be a list of at least two choices")
        seen: set[str] = set()
        correct = 0
        for index, choice in enumerate(choices):
            field = f"choices[{index}]"
            if not isinstance(choice, dict):
                raise BundleError(where, field, "must be a mapping {text, correct, feedback}")
            localized(choice.get("text"), where, f"{field}.text")
            if not isinstance(choice.get("correct", False), bool):
                raise BundleError(where, f"{field}.correct", "must be true or false")
            if choice.get("feedback") is not None:
                localized(choice["feedback"], where, f"{field}.feedback")
            identifier = choice_id(choice)
            if identifier in seen:
                raise BundleError(where, field, "duplicates another choice (same text or id)")
            seen.add(identifier)
            correct += choice.get("correct", False) is True
        if correct == 0:
            raise BundleError(where, "choices", "no choice is marked correct: true")
        if not multiple and correct > 1:
            raise BundleError(where, "choices",
                              f"{correct} choices are correct; set multiple: true or mark only one")

    def public_spec(
        self, spec: dict[str, Any], variables: dict[str, int | float], lang: str, seed: int
    ) -> dict[str, Any]:
        choices = [{"id": choice_id(c), "text": pick(c["text"], lang)} for c in spec["choices"]]
        if spec.get("shuffle", True):
            random.Random(seed).shuffle(choices)
        return {"kind": self.name, "multiple": bool(spec.get("multiple", False)), "choices": choices}

    def sample_answer(
        self, spec: dict[str, Any], variables: dict[str, int | float], *, correct: bool,
        rng: random.Random, lang: str,
    ) -> dict[str, list[str]] | None:
        right = [choice_id(c) for c in spec["choices"] if c.get("correct", False)]
        wrong = [choice_id(c) for c in spec["choices"] if not c.get("correct", False)]
        if correct or not wrong:
            return {"choice": right}
        if spec.get("multiple", False) and len(right) > 1 and rng.random() < 0.5:
            return {"choice": right[:-1]}  # one of the right ones missed: partial credit
        return {"choice": [rng.choice(wrong)]}

    def parse_answer(self, data: dict[str, list[str]], spec: dict[str, Any]) -> dict[str, Any]:
        raw = data.get("choice") or []
        picked = list(dict.fromkeys(str(value).strip() for value in raw if str(value).strip()))
        if not picked:
            raise AnswerError("Choose an answer.", ko="답을 선택하세요.")
        known = {choice_id(c) for c in spec["choices"]}
        if any(value not in known for value in picked):
            raise AnswerError("That choice is not part of this question; reload the page.",
                              ko="이 문제에 없는 선택지입니다. 페이지를 새로 고치세요.")
        if not spec.get("multiple", False) and len(picked) > 1:
            raise AnswerError("Choose exactly one answer.", ko="답을 하나만 선택하세요.")
        return {"choices": picked}

    def grade(
        self, spec: dict[str, Any], variables: dict[str, int | float], answer: dict[str, Any],
        lang: str,
    ) -> AutoGrade:
        by_id = {choice_id(c): c for c in spec["choices"]}
        picked = [by_id[i] for i in answer.get("choices", []) if i in by_id]
        right = sum(1 for c in picked if c.get("correct", False))
        wrong = len(picked) - right
        total_correct = sum(1 for c in spec["choices"] if c.get("correct", False))
        all_right = right == total_correct and wrong == 0
        if spec.get("multiple", False):
            fraction = max(0.0, (right - wrong) / total_correct)
        else:
            fraction = 1.0 if all_right else 0.0
        feedback = [pick(c.get("feedback"), lang) for c in picked if c.get("feedback")]
        if not feedback:
            feedback = [say(lang, ko="정답입니다.", en="Correct.") if all_right
                        else say(lang, ko="오답입니다.", en="Incorrect.")]
        misconception = next((str(c["misconception"]) for c in picked
                              if not c.get("correct", False) and c.get("misconception")), None)
        return AutoGrade(
            fraction=fraction, correct=all_right, feedback="\n".join(feedback),
            misconception=misconception,
            details={"right_picks": right, "wrong_picks": wrong, "correct_count": total_correct},
        )

"""Code questions: validated by the grader library, graded by the grader pipeline (not here)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from grader.api import load_question

from ..base import AnswerError, AutoGrade, KindBase, first_value

MAX_CODE_LENGTH = 100_000


class CodeKind(KindBase):
    name = "code"

    def validate(self, spec: dict[str, Any], where: str) -> None:
        """``where`` is the question.yaml path: its folder names the question and the bundle."""
        self.validate_common(spec, where)
        question_dir = Path(where).parent
        load_question(question_dir.parent.parent, question_dir.name)

    def public_spec(
        self, spec: dict[str, Any], variables: dict[str, int | float], lang: str, seed: int
    ) -> dict[str, Any]:
        # The starter code lives in template.py (QuestionSource.files["template"]); the caller may
        # add it as "template" so form.html can show it in the editor.
        return {"kind": self.name, "language": "python"}

    def parse_answer(self, data: dict[str, list[str]], spec: dict[str, Any]) -> dict[str, Any]:
        code = first_value(data, "code").replace("\r\n", "\n")
        if not code.strip():
            raise AnswerError("The code is empty.", ko="코드가 비어 있습니다.")
        if len(code) > MAX_CODE_LENGTH:
            raise AnswerError(f"The code is longer than {MAX_CODE_LENGTH:,} characters.",
                              ko=f"코드가 {MAX_CODE_LENGTH:,}자를 넘습니다.")
        return {"code": code}

    def grade(
        self, spec: dict[str, Any], variables: dict[str, int | float], answer: dict[str, Any],
        lang: str,
    ) -> AutoGrade:
        raise NotImplementedError("code questions are graded by the grader pipeline")

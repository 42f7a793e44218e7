"""Code questions: validated by the grader library, graded by the grader pipeline (not here)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from grader.api import load_question
from grader.bundle import CODE_FILES, localized
from grader.errors import BundleError

from ..base import AnswerError, AutoGrade, KindBase, first_value

MAX_CODE_LENGTH = 100_000

STARTER_FILES = {
    "template": 'def double(x):\n    """Return x times 2 (a NumPy array in, a NumPy array out)."""\n'
                "    raise NotImplementedError\n",
    "reference": "def double(x):\n    return x * 2\n",
    "probes": "def double(sub, rng, *, n):\n    x = rng.standard_normal(n)\n"
              '    return {"out": sub.double(x)}\n',
}


class CodeKind(KindBase):
    name = "code"
    label = {"ko": "코드", "en": "code"}
    grading = "worker"  # the sandbox on the Celery workers, never in the web request
    files = CODE_FILES  # template.py, reference.py, probes.py (names may be set in question.yaml)
    file_labels = {
        "template": {"ko": "template.py — 학생이 처음 보는 시작 코드",
                     "en": "template.py — the starter code students see"},
        "reference": {"ko": "reference.py — 정답 코드 (학생에게 보이지 않음)",
                      "en": "reference.py — a correct solution (never shown to students)"},
        "probes": {"ko": "probes.py — 검사가 호출하는 함수", "en": "probes.py — functions the checks call"},
    }
    starter_yaml = """\
textbook: []             # common.* modules offered: util, functions, gradient, layers, layers_conv
limits: {cpu_seconds: 5, wall_seconds: 10, memory_mb: 512}
checks:
  - name: "double · small"
    probe: double        # a function in probes.py
    args: {n: 4}
    points: 1
    hidden: false
    compare:
      - {kind: allclose, key: out, rtol: 1.0e-7, atol: 0}
    hint: {ko: "2를 곱하세요.", en: "Multiply by 2."}
# rubric:                # optional: items staff tick on the code review page, on top of the checks
#   - {text: {ko: "변수 이름이 명확함", en: "clear variable names"}, points: 1}
#   - {text: {ko: "im2col 대신 파이썬 반복문", en: "Python loops instead of im2col"}, points: -2}
"""

    def starter_files(self) -> dict[str, str]:
        return dict(STARTER_FILES)

    def validate(self, spec: dict[str, Any], where: str) -> None:
        """``where`` is the question.yaml path: its folder names the question and the bundle."""
        self.validate_common(spec, where)
        question_dir = Path(where).parent
        load_question(question_dir.parent.parent, question_dir.name)
        rubric = spec.get("rubric")
        if rubric is None:
            return
        if not isinstance(rubric, list):
            raise BundleError(where, "rubric", "must be a list of {text, points}")
        for index, item in enumerate(rubric):
            field = f"rubric[{index}]"
            if not isinstance(item, dict):
                raise BundleError(where, field, "must be a mapping {text, points}")
            localized(item.get("text"), where, f"{field}.text")
            points = item.get("points", 1)
            if isinstance(points, bool) or not isinstance(points, (int, float)) or points == 0:
                raise BundleError(where, f"{field}.points", "must be a non-zero number (negative: a deduction)")

    def rubric(self, spec: dict[str, Any]) -> list[dict[str, Any]]:
        """Code review items, added to the automatic points by staff (grading/code_review.py).
        Unlike short_text's, an item may be negative: a deduction ("-2 Python loops")."""
        items = spec.get("rubric") or []
        return [{"index": index, "text": item.get("text", ""), "points": float(item.get("points", 1))}
                for index, item in enumerate(items) if isinstance(item, dict) and _number(item.get("points", 1))]

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


def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)

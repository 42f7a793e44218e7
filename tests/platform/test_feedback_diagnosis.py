"""The faulty-part diagnosis line (grader/diagnosis.py) shows on the code page's feedback, in the
student's language, under the check it explains; a hidden check keeps it hidden until revealed."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.template.loader import render_to_string
from submissions.feedback import result_visible

from grader.api import grade_code, load_question
from grader.harness.inprocess import InProcessExecutor

ROOT = Path(__file__).resolve().parents[2]
FIXTURE = ROOT / "tests" / "grader" / "ch07" / "faulty_layer" / "own_pooling_backward.py"
GRADIENT = "gradient · keys and values (backpropagation)"


def rendered(results: dict, *, revealed: bool) -> str:
    result = result_visible(results, reveal_hidden=revealed)
    submission = {"status": "graded", "score": result["score"], "max_score": result["max_score"], "late_days": 0}
    return render_to_string("submissions/feedback.html", {
        "submission": submission, "result": result, "checks": result["checks"], "revealed": revealed,
    })


@pytest.fixture(scope="module")
def stored() -> dict[str, dict]:
    """What the worker stores (``GradeResult.to_dict()``) for a network whose own Pooling.backward
    is wrong, graded in each language."""
    question = load_question(ROOT / "assignments" / "ch07-cnn", "simple-convnet")
    executor = InProcessExecutor()
    code = FIXTURE.read_text(encoding="utf-8")
    return {lang: grade_code(question, code, seed=0, executor=executor, lang=lang).to_dict()
            for lang in ("en", "ko")}


@pytest.mark.parametrize(("lang", "line"), [
    ("en", "Diagnosis: your SimpleConvNet is right once your `Pooling.backward` is replaced by a correct one"),
    ("ko", "진단: 여러분의 `Pooling.backward` 을(를) 올바른 구현으로 바꾸면 SimpleConvNet 의 결과가 맞습니다"),
])
def test_the_diagnosis_shows_under_its_check(stored, lang, line):
    html = rendered(stored[lang], revealed=False)
    check = html.split(GRADIENT, 1)[1].split("</li>", 1)[0]
    assert line in check and 'class="check-message"' in check


def test_a_hidden_checks_diagnosis_waits_for_the_reveal(stored):
    results = {**stored["en"], "checks": [dict(check) for check in stored["en"]["checks"]]}
    gradient = next(check for check in results["checks"] if check["name"] == GRADIENT)
    gradient["hidden"] = True
    assert "`Pooling.backward`" not in rendered(results, revealed=False)
    assert "`Pooling.backward`" in rendered(results, revealed=True)

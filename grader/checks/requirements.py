"""Why a check that ``requires`` another one was not counted, in the student's language.

The typical gate: a backward check on an input so large that only backpropagation finishes within
the time limit. A backward computed by finite differences of the forward agrees with the
reference on small inputs, so without the gate it would earn every gradient point.
"""

from __future__ import annotations

WITHHELD = {
    "ko": (
        "점수에 반영되지 않았습니다: 이 검사는 {names} 검사를 통과해야 점수가 인정됩니다. "
        "역전파는 순전파 한 번 정도의 계산으로 모든 기울기를 구하지만, 수치 미분은 입력 값 하나마다 "
        "순전파를 (두 번) 해야 하므로 큰 입력에서는 제한 시간 안에 끝나지 않습니다. "
        "backward 를 역전파로 구현했는지, 그 검사에서 무엇이 틀렸는지 확인하세요."
    ),
    "en": (
        "not counted: this check scores only once {names} passes. Backpropagation gets every "
        "gradient for about the cost of one forward pass; numerical differentiation needs a "
        "forward pass (two, in fact) per input value, which cannot finish in time on a large "
        "input. Make sure your backward is backpropagation, and see what went wrong in that check."
    ),
}


def withheld_message(missing: list[str], lang: str) -> str:
    template = WITHHELD.get(lang, WITHHELD["en"])
    return template.format(names=", ".join(f"«{name}»" for name in missing))

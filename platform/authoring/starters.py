"""What a new question of each kind starts with: a small, valid example an author edits.

Every starter passes its kind's validation as-is (tests check this), so "save" on a fresh form
never fails on something the author did not write. Comments in the YAML survive saving.
"""

from __future__ import annotations

STARTER_SPEC_YAML: dict[str, str] = {
    "numeric": """\
# The answer is an expression over the variables (or a plain number).
# variables: {H: {min: 20, max: 60}}     # per-student numbers; write {{H}} in the prompt
answer: "6 * 7"
tolerance: {abs: 0, rel: 0.001}
# unit: {ko: "개", en: "items"}
# misconceptions:
#   - answer: "6 + 7"
#     feedback: {ko: "곱해야 합니다.", en: "Multiply, do not add."}
""",
    "multiple_choice": """\
multiple: false          # true: choose all that apply
shuffle: true
choices:
  - text: {ko: "맞는 선택지", en: "The right choice"}
    correct: true
  - text: {ko: "틀린 선택지", en: "A wrong choice"}
    correct: false
    feedback: {ko: "왜 틀렸는지 설명하세요.", en: "Say why this is wrong."}
# explanation: {ko: "...", en: "..."}
""",
    "short_text": """\
grading: exact           # manual | exact | regex | keywords
accept: ["합성곱", "convolution"]
# pattern: "..."                       # grading: regex (full match, case-insensitive)
# keywords: [{any: ["패딩", "padding"], points: 1}]
# rubric: [{text: {ko: "...", en: "..."}, points: 1}]   # grading: manual
# model_answer: {ko: "...", en: "..."}
""",
    "code": """\
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
""",
}

STARTER_PROMPTS = {
    "ko": "문제를 여기에 쓰세요. 수식은 $x^2$ 또는 $$\\sum_i x_i$$ 처럼 씁니다.\n",
    "en": "Write the question here. Math is written as $x^2$ or $$\\sum_i x_i$$.\n",
}

STARTER_CODE_FILES = {
    "template": 'def double(x):\n    """Return x times 2 (a NumPy array in, a NumPy array out)."""\n'
                "    raise NotImplementedError\n",
    "reference": "def double(x):\n    return x * 2\n",
    "probes": "def double(sub, rng, *, n):\n    x = rng.standard_normal(n)\n"
              '    return {"out": sub.double(x)}\n',
}

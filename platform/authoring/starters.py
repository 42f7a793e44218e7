"""What a new question starts with: a small, valid example an author edits.

The kind-specific part (the rest of question.yaml, and a code question's files) belongs to each
kind (``kinds``: ``starter_yaml``, ``starter_files``); only the prompts are common. Every starter
passes its kind's validation as-is (tests check this), so "save" on a fresh form never fails on
something the author did not write. Comments in the YAML survive saving.
"""

from __future__ import annotations

from kinds import KINDS

# The kinds' own starters, by kind name (read from the kinds, never written here).
STARTER_SPEC_YAML: dict[str, str] = {name: kind.starter_yaml for name, kind in KINDS.items()}

STARTER_PROMPTS = {
    "ko": "문제를 여기에 쓰세요. 수식은 $x^2$ 또는 $$\\sum_i x_i$$ 처럼 씁니다.\n",
    "en": "Write the question here. Math is written as $x^2$ or $$\\sum_i x_i$$.\n",
}

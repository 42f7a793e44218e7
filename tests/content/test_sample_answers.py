"""Every quiz question of the real bundles can make up a right and a typical wrong answer
(``sample_answer``, used by the demo class), and its own grading agrees with which is which."""

from __future__ import annotations

import random

import pytest

from kinds import get_kind

from .content_support import SEEDS, all_questions

QUIZ = all_questions(("multiple_choice", "numeric", "short_text"))


@pytest.mark.parametrize("question", QUIZ, ids=lambda q: q.slug)
def test_a_made_up_right_answer_is_right_and_a_wrong_one_is_wrong(question):
    kind = get_kind(question.kind)
    rng = random.Random(question.slug)
    for seed in list(SEEDS)[:4]:
        variables = kind.variant(question.spec, seed)
        right = kind.sample_answer(question.spec, variables, correct=True, rng=rng, lang="ko")
        wrong = kind.sample_answer(question.spec, variables, correct=False, rng=rng, lang="ko")
        if right is None:  # only a regex question without a model answer may say it cannot
            assert question.spec.get("grading") == "regex" and not question.spec.get("model_answer")
            continue
        graded_right = kind.grade(question.spec, variables, kind.parse_answer(right, question.spec), "ko")
        graded_wrong = kind.grade(question.spec, variables, kind.parse_answer(wrong, question.spec), "ko")
        if graded_right.needs_manual:
            assert graded_wrong.needs_manual
            continue
        assert graded_right.correct and graded_right.fraction == 1.0, (seed, right)
        assert not graded_wrong.correct and graded_wrong.fraction < 1.0, (seed, wrong)


def test_a_numeric_mistake_is_usually_a_declared_misconception():
    numeric = [q for q in QUIZ if q.kind == "numeric" and q.spec.get("misconceptions")]
    assert numeric, "the bundles have numeric questions with misconceptions"
    rng = random.Random(1)
    named = 0
    for question in numeric:
        kind = get_kind(question.kind)
        variables = kind.variant(question.spec, 3)
        data = kind.sample_answer(question.spec, variables, correct=False, rng=rng, lang="ko")
        named += bool(kind.grade(question.spec, variables, kind.parse_answer(data, question.spec), "ko").misconception)
    assert named >= len(numeric) // 2

"""Correct solutions in several styles reach full marks; the template scores 0 without breaking the
grader; every reference passes its own checks; grading the convolution suite stays fast."""

import statistics
import time
from pathlib import Path

import pytest

from grader import result as r
from grader.api import grade_code
from grader.batch import all_passed, check_references

HERE = Path(__file__).resolve().parent
BUNDLE = HERE.parents[2] / "assignments" / "ch07-cnn"
SOLUTIONS = sorted((HERE / "solutions").glob("*/*.py"))
SEEDS = (0, 1, 7, 12345)


def slug_of(path: Path) -> str:
    return path.parent.name.replace("_", "-")


def test_there_are_several_styles_per_question():
    counts = {slug: sum(1 for p in SOLUTIONS if slug_of(p) == slug)
              for slug in ("convolution", "pooling", "simple-convnet")}
    assert all(count >= 3 for count in counts.values()), counts


@pytest.mark.parametrize("path", SOLUTIONS, ids=lambda p: f"{p.parent.name}/{p.stem}")
@pytest.mark.parametrize("seed", SEEDS)
def test_a_correct_solution_gets_full_marks(grade, path, seed):
    result = grade(slug_of(path), path, seed=seed)
    failing = {c.name: c.message for c in result.checks if not c.passed}
    assert result.status == r.PASSED, failing
    assert result.score == result.max_score == 10.0


@pytest.mark.parametrize("slug", ["convolution", "pooling", "simple-convnet"])
def test_the_template_scores_zero_without_breaking_the_grader(grade, questions, slug):
    result = grade(slug, questions[slug].template)
    assert result.status == r.FAILED
    assert result.score == 0
    assert len(result.checks) == len(questions[slug].checks)
    for check in result.checks:
        assert check.message.startswith("NotImplementedError"), check.message
        assert check.hint  # every check teaches something when it fails


@pytest.mark.parametrize("slug", ["convolution", "pooling", "simple-convnet"])
@pytest.mark.parametrize("seed", range(6))
def test_the_reference_passes_its_own_checks(grade, questions, slug, seed):
    result = grade(slug, questions[slug].reference, seed=seed)
    assert result.status == r.PASSED, [c.message for c in result.checks if not c.passed]


def test_check_references_passes_for_the_bundle(executor):
    outcomes = check_references(BUNDLE, executor)
    assert {slug for slug, _ in outcomes} >= {"convolution", "pooling", "simple-convnet"}
    assert all_passed(outcomes), [(slug, res.status) for slug, res in outcomes]


def test_questions_follow_the_bundle_rules(questions):
    for slug, question in questions.items():
        assert question.limits.cpu_seconds == 5 and question.limits.wall_seconds == 10
        assert question.limits.memory_mb == 1024
        assert any(check.hidden for check in question.checks), slug
        assert all(check.hint["ko"] and check.hint["en"] for check in question.checks), slug
    # the layers a question asks for are never offered to it
    assert "layers_conv" not in questions["convolution"].textbook
    assert "layers_conv" not in questions["pooling"].textbook
    assert set(questions["simple-convnet"].textbook) == {"util", "functions", "gradient", "layers", "layers_conv"}


def test_hidden_checks_lose_their_details_in_the_public_view(grade):
    result = grade("convolution", "raise SystemExit\n")
    hidden = [c for c in result.public_dict()["checks"] if c["hidden"]]
    assert hidden and all(c["message"] == "hidden check failed" and not c["hint"] for c in hidden)


def test_hints_come_in_korean_too(grade, questions):
    result = grade("pooling", questions["pooling"].template, lang="ko")
    assert any("최댓값" in check.hint for check in result.checks)


def test_grading_the_convolution_suite_in_process_is_well_under_100_ms(questions, executor):
    # The large-input backward check is heavy on purpose (only backpropagation finishes it within
    # the CPU limit): its own computation is timed apart, everything else must stay fast.
    question = questions["convolution"]
    large = "backward · large input (backpropagation)"
    code = (HERE / "solutions" / "convolution" / "textbook_style.py").read_text(encoding="utf-8")
    for seed in range(3):  # warm: the reference of each seed is cached after its first grading
        grade_code(question, code, seed=seed, executor=executor)
    timings, large_timings = [], []
    for index in range(9):
        started = time.perf_counter()
        result = grade_code(question, code, seed=index % 3, executor=executor)
        elapsed = (time.perf_counter() - started) * 1000
        large_ms = next(c.details["ms"] for c in result.checks if c.name == large)
        timings.append(elapsed - large_ms)
        large_timings.append(large_ms)
        assert result.status == r.PASSED
    assert statistics.median(timings) < 100, timings
    assert statistics.median(large_timings) < 250, large_timings  # backprop: tens of ms


@pytest.mark.parametrize(("slug", "name"), [("convolution", "Convolution"), ("pooling", "Pooling")])
def test_the_layer_a_question_asks_for_cannot_be_imported_from_the_textbook(grade, slug, name):
    result = grade(slug, f"from common.layers import {name}\n")
    assert result.status == r.RUNTIME_ERROR
    assert "ImportError" in result.message and name in result.message

"""The real bundles: they load, every question validates, answers grade the way the author meant."""

from __future__ import annotations

import json
import shutil

import pytest
import yaml
from content_support import BUNDLE_DIRS, SEEDS, all_questions, load_bundles, where

from grader.bundle import read_bundle
from grader.errors import BundleError
from kinds import get_kind
from kinds.numeric.expressions import evaluate_number

NON_CODE = all_questions(("multiple_choice", "numeric", "short_text"))
NUMERIC = [q for q in NON_CODE if q.kind == "numeric"]
VARIANT = [q for q in NUMERIC if q.spec.get("variables")]
CHOICE = [q for q in NON_CODE if q.kind == "multiple_choice"]
SECRET_KEYS = ("correct", "answer", "accept", "pattern", "keywords", "rubric", "misconceptions",
               "model_answer", "feedback", "explanation", "tolerance", "constraints")


def ids(questions):
    return [q.slug for q in questions]


def test_both_bundles_load_with_bilingual_titles_and_unique_slugs():
    bundles = load_bundles()
    assert [b.slug for b in bundles] == ["ch07-cnn", "cnn-architectures"]
    slugs = [q.slug for b in bundles for q in b.questions]
    assert len(slugs) == len(set(slugs)), "a slug is used in both bundles"
    for bundle in bundles:
        for q in bundle.questions:
            assert q.prompts["ko"].strip() and q.prompts["en"].strip()
            assert q.prompts["ko"] != q.prompts["en"]


def test_ch07_keeps_the_code_questions_last_in_the_assignment_order():
    order = load_bundles()[0].spec["questions"]
    assert order[-3:] == ["convolution", "pooling", "simple-convnet"]
    assert len(order) > 30


def test_the_bundles_use_every_non_code_kind():
    kinds = {q.kind for q in NON_CODE}
    assert kinds == {"multiple_choice", "numeric", "short_text"}
    assert len(VARIANT) >= 20


@pytest.mark.parametrize("source", NON_CODE, ids=ids(NON_CODE))
def test_every_question_validates_with_its_kind(source):
    get_kind(source.kind).validate(source.spec, where(source))


@pytest.mark.parametrize("source", NUMERIC, ids=ids(NUMERIC))
def test_numeric_accepts_its_own_answer_and_rejects_a_wrong_one(source):
    kind = get_kind("numeric")
    for seed in SEEDS:
        variables = kind.variant(source.spec, seed)
        expected = evaluate_number(str(source.spec["answer"]), variables)
        typed = kind.parse_answer({"value": [repr(float(expected))]}, source.spec)
        assert kind.grade(source.spec, variables, typed, "ko").correct
        wrong = kind.grade(source.spec, variables, {"value": expected * 3 + 1000}, "en")
        assert (wrong.fraction, wrong.correct) == (0.0, False)


@pytest.mark.parametrize("source", VARIANT, ids=ids(VARIANT))
def test_variants_are_stable_per_seed_and_differ_across_seeds(source):
    kind = get_kind("numeric")
    assert kind.variant(source.spec, 5) == kind.variant(source.spec, 5)
    drawn = {json.dumps(kind.variant(source.spec, seed), sort_keys=True) for seed in range(8)}
    assert len(drawn) >= 2
    answers = {evaluate_number(str(source.spec["answer"]), kind.variant(source.spec, s)) for s in range(12)}
    assert len(answers) >= 2, "every student would get the same number"


@pytest.mark.parametrize("source", VARIANT, ids=ids(VARIANT))
def test_variant_prompts_use_the_drawn_numbers_and_no_placeholder_is_left(source):
    kind = get_kind("numeric")
    variables = kind.variant(source.spec, 3)
    for lang in ("ko", "en"):
        rendered = kind.render_prompt(source.prompts[lang], variables)
        assert "{{" not in rendered, rendered
    used = {name for name in variables if "{{" + name + "}}" in source.prompts["en"]}
    assert used == set(variables), "every variable should be shown to the student"


MISCONCEPTIONS = [(q, i) for q in NUMERIC for i in range(len(q.spec.get("misconceptions") or []))]


@pytest.mark.parametrize(
    ("source", "index"), MISCONCEPTIONS, ids=[f"{q.slug}-{i}" for q, i in MISCONCEPTIONS]
)
def test_each_declared_misconception_is_recognised(source, index):
    kind = get_kind("numeric")
    item = source.spec["misconceptions"][index]
    for seed in range(40):
        variables = kind.variant(source.spec, seed)
        wrong = evaluate_number(str(item["answer"]), variables)
        right = evaluate_number(str(source.spec["answer"]), variables)
        grade = kind.grade(source.spec, variables, {"value": wrong}, "ko")
        if grade.correct:
            continue  # this variant makes the mistake harmless; try another seed
        assert grade.misconception == str(item.get("id") or item["answer"])
        assert grade.feedback == item["feedback"]["ko"]
        assert wrong != right
        return
    pytest.fail("the misconception never differs from the answer")


@pytest.mark.parametrize("source", CHOICE, ids=ids(CHOICE))
def test_multiple_choice_accepts_the_correct_picks_and_rejects_a_wrong_one(source):
    kind = get_kind("multiple_choice")
    public = kind.public_spec(source.spec, {}, "en", 1)
    by_text = {c["text"]["en"]: c for c in source.spec["choices"]}
    right = [c["id"] for c in public["choices"] if by_text[c["text"]].get("correct")]
    wrong = [c["id"] for c in public["choices"] if not by_text[c["text"]].get("correct")]
    assert wrong, "a question needs at least one distractor"
    grade = kind.grade(source.spec, {}, kind.parse_answer({"choice": right}, source.spec), "ko")
    assert (grade.fraction, grade.correct) == (1.0, True)
    bad = kind.grade(source.spec, {}, kind.parse_answer({"choice": wrong[:1]}, source.spec), "en")
    assert bad.fraction < 1.0 and not bad.correct
    for choice in source.spec["choices"]:
        assert choice.get("feedback"), f"{source.slug}: every choice explains itself"


def test_descriptive_questions_wait_for_a_grader_and_carry_a_rubric_and_model_answer():
    manual = [q for q in NON_CODE if q.kind == "short_text"]
    assert len(manual) >= 8
    for q in manual:
        grade = get_kind("short_text").grade(q.spec, {}, {"text": "답"}, "ko")
        assert grade.needs_manual and grade.fraction == 0.0
        assert q.spec["rubric"] and q.spec["model_answer"]["ko"] and q.spec["model_answer"]["en"]


@pytest.mark.parametrize("source", NON_CODE, ids=ids(NON_CODE))
def test_public_spec_never_leaks_answers(source):
    kind = get_kind(source.kind)
    for lang in ("ko", "en"):
        variables = kind.variant(source.spec, 2)
        dumped = json.dumps(kind.public_spec(source.spec, variables, lang, 2), ensure_ascii=False)
        for key in SECRET_KEYS:
            assert f'"{key}"' not in dumped
        if source.kind == "numeric":
            assert str(source.spec["answer"]) not in dumped
        if source.kind == "multiple_choice":
            for choice in source.spec["choices"]:
                if choice.get("feedback"):
                    assert choice["feedback"][lang] not in dumped
        if source.kind == "short_text":
            assert source.spec["model_answer"][lang] not in dumped


# --- broken copies: the error names the file and the field --------------------------------------

@pytest.fixture
def bundle_copy(tmp_path):
    target = tmp_path / "cnn-architectures"
    shutil.copytree(BUNDLE_DIRS[1], target)
    return target


def edit(bundle_dir, slug, change):
    path = bundle_dir / "questions" / slug / "question.yaml"
    spec = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(spec)
    path.write_text(yaml.safe_dump(spec, allow_unicode=True), encoding="utf-8")
    return path


def validate_all(bundle_dir):
    for q in read_bundle(bundle_dir).questions:
        get_kind(q.kind).validate(q.spec, where(q))


@pytest.mark.parametrize(
    ("slug", "change", "field", "message"),
    [
        ("three-layer-params", lambda s: s.update(answer="(3*3*C + 1)*100"), "answer",
         "unknown variable"),
        ("conv-output-size", lambda s: s["variables"].update(W={"min": 70, "max": 64}),
         "variables.W", "range is empty"),
        ("conv-output-size", lambda s: s.update(constraints=["W > 1000"]), "constraints",
         "unsatisfiable"),
        ("conv-params", lambda s: s["misconceptions"][0].update(answer="K + F*F*D1*K"),
         "misconceptions[0].answer", "same value as the answer"),
        ("pool-params", lambda s: s.update(answer="__import__('os')"), "answer", "functions"),
        ("fc-to-conv", lambda s: [c.update(correct=False) for c in s["choices"]], "choices",
         "no choice is marked correct"),
        ("fc-to-conv", lambda s: s.pop("choices"), "choices", "at least two"),
        ("architecture-innovations", lambda s: s.update(grading="regex", pattern="[unclosed"),
         "pattern", "does not compile"),
        ("architecture-innovations", lambda s: s["model_answer"].pop("en"), "model_answer.en",
         "missing"),
    ],
)
def test_a_broken_question_is_reported_with_its_file_and_field(bundle_copy, slug, change, field,
                                                                 message):
    path = edit(bundle_copy, slug, change)
    with pytest.raises(BundleError) as caught:
        validate_all(bundle_copy)
    assert caught.value.path == str(path.resolve())
    assert caught.value.field == field
    assert message in caught.value.problem


def test_a_missing_question_folder_is_reported_by_the_bundle_reader(bundle_copy):
    shutil.rmtree(bundle_copy / "questions" / "pool-params")
    with pytest.raises(BundleError, match="pool-params.*question folder missing"):
        read_bundle(bundle_copy)


def test_a_missing_translation_is_reported(bundle_copy):
    path = edit(bundle_copy, "lrn-usage", lambda s: s["prompt"].pop("ko"))
    with pytest.raises(BundleError) as caught:
        read_bundle(bundle_copy)
    assert (caught.value.path, caught.value.field) == (str(path.resolve()), "prompt.ko")

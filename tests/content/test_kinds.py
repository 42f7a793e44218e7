"""The question kinds on small hand-written specs: registry, validation, parsing, grading."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from grader.errors import BundleError
from kinds import KINDS, AnswerError, AutoGrade, QuestionKind, get_kind

WHERE = "/tmp/bundle/questions/q/question.yaml"
TEXT = {"ko": "텍스트", "en": "text"}


def numeric_spec(**overrides):
    spec = {
        "kind": "numeric",
        "title": TEXT,
        "variables": {"H": {"min": 5, "max": 40}, "P": {"min": 0, "max": 3},
                      "F": {"choices": [2, 3, 5]}, "S": {"choices": [1, 2]}},
        "constraints": ["H + 2*P >= F", "(H + 2*P - F) % S == 0"],
        "answer": "(H + 2*P - F) // S + 1",
        "tolerance": {"abs": 0},
        "unit": {"ko": "MB", "en": "MB"},
        "misconceptions": [
            {"id": "no-padding", "answer": "(H - F) / S + 1",
             "feedback": {"ko": "패딩을 빠뜨렸습니다.", "en": "You left out the padding."}},
        ],
    }
    spec.update(overrides)
    return spec


def choice(text, correct=False, feedback=None, **extra):
    item = {"text": {"ko": f"{text} (ko)", "en": text}, "correct": correct, **extra}
    if feedback:
        item["feedback"] = {"ko": f"{feedback} (ko)", "en": feedback}
    return item


def mc_spec(multiple=False, **overrides):
    spec = {
        "kind": "multiple_choice",
        "title": TEXT,
        "multiple": multiple,
        "choices": [
            choice("right one", True, "yes"),
            choice("right two", multiple, "also yes" if multiple else "no"),
            choice("wrong one", False, "nope", misconception="confused-stride"),
            choice("wrong two", False),
        ],
    }
    spec.update(overrides)
    return spec


# --- registry ---------------------------------------------------------------------------------

def test_the_registry_offers_the_four_kinds_each_satisfying_the_protocol():
    assert set(KINDS) == {"multiple_choice", "numeric", "short_text", "code"}
    for name, kind in KINDS.items():
        assert kind.name == name
        assert isinstance(kind, QuestionKind)


def test_get_kind_names_the_unknown_kind_and_the_known_ones():
    with pytest.raises(KeyError, match="unknown question kind 'essay'.*multiple_choice"):
        get_kind("essay")


def test_autograde_defaults():
    grade = AutoGrade(0.5, False, "half")
    assert (grade.needs_manual, grade.misconception, grade.details) == (False, None, {})
    assert AutoGrade(1, True, "x").details is not grade.details


def test_answer_errors_carry_both_languages():
    error = AnswerError("Enter a number.", ko="숫자를 입력하세요.")
    assert str(error) == "Enter a number."
    assert error.text("ko") == "숫자를 입력하세요."
    assert error.text("en") == "Enter a number."


def test_render_prompt_substitutes_known_variables_and_leaves_unknown_placeholders_visible():
    kind = get_kind("numeric")
    text = kind.render_prompt("H={{H}}, x={{ x }}, {{TYPO}} and {{R}}", {"H": 5, "x": 0.25, "R": 3.0})
    assert text == "H=5, x=0.25, {{TYPO}} and 3"


# --- numeric: variants and validation ---------------------------------------------------------

def test_numeric_variants_are_stable_per_seed_and_differ_across_seeds():
    kind, spec = get_kind("numeric"), numeric_spec()
    assert kind.variant(spec, 7) == kind.variant(spec, 7)
    drawn = {tuple(sorted(kind.variant(spec, seed).items())) for seed in range(10)}
    assert len(drawn) > 5
    for seed in range(30):
        v = kind.variant(spec, seed)
        assert (v["H"] + 2 * v["P"] - v["F"]) % v["S"] == 0  # constraints hold


def test_numeric_without_variables_has_an_empty_variant():
    spec = numeric_spec(variables=None, constraints=None, answer="3*3*128*64", misconceptions=[])
    get_kind("numeric").validate(spec, WHERE)
    assert get_kind("numeric").variant(spec, 3) == {}


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"answer": None}, "answer", "missing"),
        ({"answer": "(H + 2*P - F) // S + 1 + Q"}, "answer", "unknown variable"),
        ({"answer": "H.real"}, "answer", "attribute access"),
        ({"answer": "H +"}, "answer", "syntax error"),
        ({"answer": "H / (P - P)"}, "answer", "division by zero"),
        ({"variables": {"H": {"min": 9, "max": 3}}}, "variables.H", "range is empty"),
        ({"variables": {"H": {"choices": []}}}, "variables.H.choices", "non-empty"),
        ({"constraints": ["H > 1000"]}, "constraints", "unsatisfiable after 1000 draws"),
        ({"constraints": ["Z > 1"]}, "constraints[0]", "unknown variable"),
        ({"tolerance": {"abs": -1}}, "tolerance.abs", ">= 0"),
        ({"misconceptions": [{"answer": "(H + 2*P - F) // S + 1", "feedback": TEXT}]},
         "misconceptions[0].answer", "same value as the answer"),
        ({"misconceptions": [{"answer": "H - F", "feedback": TEXT},
                             {"answer": "-F + H", "feedback": TEXT}]},
         "misconceptions[1].answer", "same value as misconceptions[0]"),
        ({"misconceptions": [{"answer": "H - F", "feedback": {"ko": "x"}}]},
         "misconceptions[0].feedback.en", "missing"),
        ({"misconceptions": [{"answer": "H[0]", "feedback": TEXT}]},
         "misconceptions[0].answer", "subscripts"),
    ],
)
def test_numeric_validation_names_the_broken_field(overrides, field, message):
    with pytest.raises(BundleError) as caught:
        get_kind("numeric").validate(numeric_spec(**overrides), WHERE)
    assert caught.value.path == WHERE
    assert caught.value.field == field
    assert message in caught.value.problem


# --- numeric: parsing answers -----------------------------------------------------------------

@pytest.mark.parametrize(
    ("raw", "value"),
    [("42", 42), ("1,234", 1234), ("1,234,567.5", 1234567.5), ("1.5e3", 1500), ("-0.5", -0.5),
     ("12.6 MB", 12.6), ("12.6MB", 12.6), ("12.6 mb", 12.6), (" 7 ", 7), ("−3", -3), (".5", 0.5)],
)
def test_numeric_accepts_common_ways_of_writing_numbers(raw, value):
    answer = get_kind("numeric").parse_answer({"value": [raw]}, numeric_spec())
    assert answer["value"] == pytest.approx(value)
    assert answer["text"] == raw.strip()


@pytest.mark.parametrize(
    ("raw", "message"),
    [("", "Enter a number"), ("nan", "not a number"), ("inf", "not a number"),
     ("-Infinity", "not a number"), ("1e999", "too large"), ("twelve", "not a number"),
     ("12,6", "commas"), ("1_000", "not a number"), ("12.6 MiB", "Give the answer in MB"),
     ("0x10", "not a number"), ("9" * 200, "too long")],
)
def test_numeric_rejects_garbage_with_a_clear_message(raw, message):
    with pytest.raises(AnswerError, match=message):
        get_kind("numeric").parse_answer({"value": [raw]}, numeric_spec())


def test_numeric_without_a_unit_rejects_a_unit():
    with pytest.raises(AnswerError, match="without a unit"):
        get_kind("numeric").parse_answer({"value": ["5 cm"]}, numeric_spec(unit=None))


def test_numeric_rejects_a_different_unit_field():
    with pytest.raises(AnswerError, match="MB"):
        get_kind("numeric").parse_answer({"value": ["5"], "unit": ["GB"]}, numeric_spec())


# --- numeric: grading --------------------------------------------------------------------------

def test_numeric_grades_the_expression_over_the_students_variables():
    kind, spec = get_kind("numeric"), numeric_spec()
    variables = {"H": 5, "P": 2, "F": 4, "S": 1}
    right = kind.grade(spec, variables, {"value": 6.0}, "en")
    assert (right.fraction, right.correct, right.misconception) == (1.0, True, None)
    wrong = kind.grade(spec, variables, {"value": 7.0}, "ko")
    assert (wrong.fraction, wrong.correct) == (0.0, False)
    assert wrong.feedback == "오답입니다."


def test_numeric_recognises_a_declared_misconception():
    kind, spec = get_kind("numeric"), numeric_spec()
    grade = kind.grade(spec, {"H": 5, "P": 2, "F": 4, "S": 1}, {"value": 2.0}, "en")
    assert grade.misconception == "no-padding"
    assert grade.feedback == "You left out the padding."
    assert grade.fraction == 0.0


def test_numeric_prefers_the_right_answer_when_a_misconception_coincides():
    kind, spec = get_kind("numeric"), numeric_spec()
    grade = kind.grade(spec, {"H": 5, "P": 0, "F": 3, "S": 1}, {"value": 3.0}, "en")
    assert grade.correct and grade.misconception is None


def test_numeric_tolerance_absolute_and_relative():
    kind = get_kind("numeric")
    spec = numeric_spec(variables=None, constraints=None, misconceptions=[], answer="12.6136",
                        tolerance={"abs": 0.05})
    assert kind.grade(spec, {}, {"value": 12.6}, "en").correct
    assert not kind.grade(spec, {}, {"value": 12.5}, "en").correct
    spec["tolerance"] = {"rel": 0.01}
    assert kind.grade(spec, {}, {"value": 12.7}, "en").correct
    assert not kind.grade(spec, {}, {"value": 12.8}, "en").correct


def test_numeric_default_tolerance_forgives_float_noise_only():
    kind = get_kind("numeric")
    spec = numeric_spec(variables=None, constraints=None, misconceptions=[], tolerance=None,
                        answer="0.1 + 0.2")
    assert kind.grade(spec, {}, {"value": 0.3}, "en").correct
    assert not kind.grade(spec, {}, {"value": 0.3001}, "en").correct


def test_numeric_public_spec_shows_the_unit_and_nothing_else():
    spec = numeric_spec()
    public = get_kind("numeric").public_spec(spec, {"H": 5}, "ko", 1)
    assert public == {"kind": "numeric", "unit": "MB"}


# --- multiple choice ---------------------------------------------------------------------------

def test_mc_public_spec_is_shuffled_stably_and_hides_correctness():
    kind, spec = get_kind("multiple_choice"), mc_spec()
    first = kind.public_spec(spec, {}, "en", 11)
    assert first == kind.public_spec(spec, {}, "en", 11)
    orders = {tuple(c["text"] for c in kind.public_spec(spec, {}, "en", s)["choices"]) for s in range(20)}
    assert len(orders) > 1
    dumped = json.dumps(first)
    for secret in ("correct", "feedback", "misconception", "yes", "nope"):
        assert secret not in dumped
    assert {c["text"] for c in first["choices"]} == {"right one", "right two", "wrong one", "wrong two"}
    korean = kind.public_spec(spec, {}, "ko", 11)
    assert [c["id"] for c in korean["choices"]] == [c["id"] for c in first["choices"]]
    assert korean["choices"][0]["text"].endswith("(ko)")


def test_mc_choice_ids_do_not_reveal_the_authoring_order():
    ids = [c["id"] for c in get_kind("multiple_choice").public_spec(mc_spec(), {}, "en", 0)["choices"]]
    assert all(i.startswith("c") and len(i) == 11 for i in ids)
    assert sorted(ids) != ["c0", "c1", "c2", "c3"]


def ids_by_text(spec):
    public = get_kind("multiple_choice").public_spec(spec, {}, "en", 0)
    return {c["text"]: c["id"] for c in public["choices"]}


def test_mc_single_is_all_or_nothing_with_the_picked_feedback():
    kind, spec = get_kind("multiple_choice"), mc_spec()
    ids = ids_by_text(spec)
    right = kind.grade(spec, {}, kind.parse_answer({"choice": [ids["right one"]]}, spec), "en")
    assert (right.fraction, right.correct, right.feedback) == (1.0, True, "yes")
    wrong = kind.grade(spec, {}, kind.parse_answer({"choice": [ids["wrong one"]]}, spec), "ko")
    assert (wrong.fraction, wrong.correct, wrong.feedback) == (0.0, False, "nope (ko)")
    assert wrong.misconception == "confused-stride"
    plain = kind.grade(spec, {}, {"choices": [ids["wrong two"]]}, "en")
    assert plain.feedback == "Incorrect."


def test_mc_multiple_gives_partial_credit_and_wrong_picks_subtract():
    kind, spec = get_kind("multiple_choice"), mc_spec(multiple=True)
    ids = ids_by_text(spec)

    def score(*texts):
        return kind.grade(spec, {}, {"choices": [ids[t] for t in texts]}, "en")

    assert score("right one", "right two").fraction == 1.0
    assert score("right one", "right two").correct
    assert score("right one").fraction == 0.5
    assert not score("right one").correct
    assert score("right one", "right two", "wrong one").fraction == 0.5
    assert score("right one", "wrong one", "wrong two").fraction == 0.0  # floored at 0


@pytest.mark.parametrize(
    ("data", "message"),
    [({}, "Choose an answer"), ({"choice": ["  "]}, "Choose an answer"),
     ({"choice": ["c-forged"]}, "not part of this question")],
)
def test_mc_parse_rejects_missing_or_forged_choices(data, message):
    with pytest.raises(AnswerError, match=message):
        get_kind("multiple_choice").parse_answer(data, mc_spec())


def test_mc_single_rejects_two_picks_but_multiple_accepts_them():
    single, multiple = mc_spec(), mc_spec(multiple=True)
    ids = list(ids_by_text(single).values())
    with pytest.raises(AnswerError, match="exactly one"):
        get_kind("multiple_choice").parse_answer({"choice": ids[:2]}, single)
    parsed = get_kind("multiple_choice").parse_answer({"choice": ids[:2] + ids[:1]}, multiple)
    assert parsed == {"choices": ids[:2]}  # duplicates dropped, order kept


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"choices": None}, "choices", "at least two"),
        ({"choices": [choice("only", True)]}, "choices", "at least two"),
        ({"choices": [choice("a"), choice("b")]}, "choices", "no choice is marked correct"),
        ({"choices": [choice("a", True), choice("b", True)]}, "choices", "set multiple: true"),
        ({"choices": [choice("a", True), {"text": {"ko": "b"}}]}, "choices[1].text.en", "missing"),
        ({"choices": [choice("a", True), choice("a")]}, "choices[1]", "duplicates"),
        ({"choices": [choice("a", True), choice("b", correct="yes")]}, "choices[1].correct",
         "true or false"),
        ({"multiple": "no"}, "multiple", "true or false"),
        ({"explanation": "only one language"}, "explanation", "mapping"),
    ],
)
def test_mc_validation_names_the_broken_field(overrides, field, message):
    with pytest.raises(BundleError) as caught:
        get_kind("multiple_choice").validate(mc_spec(**overrides), WHERE)
    assert (caught.value.path, caught.value.field) == (WHERE, field)
    assert message in caught.value.problem


# --- short text ---------------------------------------------------------------------------------

def short_spec(**overrides):
    spec = {"kind": "short_text", "title": TEXT, "grading": "manual",
            "rubric": [{"text": TEXT, "points": 1}], "model_answer": TEXT}
    spec.update(overrides)
    return spec


def test_short_text_manual_waits_for_staff():
    grade = get_kind("short_text").grade(short_spec(), {}, {"text": "anything"}, "en")
    assert (grade.fraction, grade.correct, grade.needs_manual) == (0.0, False, True)
    assert grade.feedback == "awaiting grading"
    assert get_kind("short_text").grade(short_spec(), {}, {"text": "x"}, "ko").feedback == "채점 대기 중"


def test_short_text_exact_ignores_case_and_spaces():
    kind = get_kind("short_text")
    spec = short_spec(grading="exact", accept=["Max Pooling", "최대 풀링"])
    for text in ("max pooling", "  MAXPOOLING ", "최대풀링"):
        assert kind.grade(spec, {}, {"text": text}, "en").correct
    assert not kind.grade(spec, {}, {"text": "average pooling"}, "en").correct


def test_short_text_regex_must_match_the_whole_answer():
    kind = get_kind("short_text")
    spec = short_spec(grading="regex", pattern=r"\(?\s*6\s*,\s*7\s*\)?")
    assert kind.grade(spec, {}, {"text": "(6, 7)"}, "en").fraction == 1.0
    assert kind.grade(spec, {}, {"text": "6,7"}, "en").correct
    assert not kind.grade(spec, {}, {"text": "(6, 7) or (7, 8)"}, "en").correct


def test_short_text_keywords_sum_the_points_of_the_groups_found():
    kind = get_kind("short_text")
    spec = short_spec(grading="keywords", keywords=[
        {"any": ["패딩", "padding"], "points": 2},
        {"any": ["스트라이드", "stride"], "points": 1},
        {"any": ["필터", "filter"], "points": 1},
    ])
    half = kind.grade(spec, {}, {"text": "It depends on the PADDING."}, "en")
    assert half.fraction == pytest.approx(0.5) and not half.correct
    assert "1 of 3" in half.feedback
    full = kind.grade(spec, {}, {"text": "패딩, 스트라이드, filter size"}, "en")
    assert full.fraction == 1.0 and full.correct


def test_short_text_public_spec_hides_the_grading_material():
    spec = short_spec(grading="keywords", keywords=[{"any": ["secret-word"], "points": 1}],
                      pattern="nope", accept=["hidden"])
    dumped = json.dumps(get_kind("short_text").public_spec(spec, {}, "en", 0))
    for secret in ("secret-word", "rubric", "model_answer", "hidden", "pattern", "keywords"):
        assert secret not in dumped


def test_short_text_parse_caps_the_length_and_rejects_empty_answers():
    kind = get_kind("short_text")
    assert kind.parse_answer({"text": ["  hello\r\nworld "]}, short_spec()) == {"text": "hello\nworld"}
    assert len(kind.parse_answer({"text": ["x" * 10_000]}, short_spec())["text"]) == 10_000
    with pytest.raises(AnswerError, match="10,000"):
        kind.parse_answer({"text": ["x" * 10_001]}, short_spec())
    with pytest.raises(AnswerError, match="Write an answer"):
        kind.parse_answer({"text": ["   "]}, short_spec())


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"grading": "vibes"}, "grading", "must be one of"),
        ({"grading": "regex", "pattern": "(unclosed"}, "pattern", "does not compile"),
        ({"grading": "exact", "accept": []}, "accept", "non-empty"),
        ({"grading": "keywords", "keywords": [{"any": [], "points": 1}]}, "keywords[0].any",
         "non-empty"),
        ({"grading": "keywords", "keywords": [{"any": ["x"], "points": 0}]}, "keywords[0].points",
         "> 0"),
        ({"rubric": []}, "rubric", "non-empty rubric"),
        ({"model_answer": None}, "model_answer", "model answer"),
    ],
)
def test_short_text_validation_names_the_broken_field(overrides, field, message):
    with pytest.raises(BundleError) as caught:
        get_kind("short_text").validate(short_spec(**overrides), WHERE)
    assert (caught.value.path, caught.value.field) == (WHERE, field)
    assert message in caught.value.problem


# --- code ---------------------------------------------------------------------------------------

CH07 = Path(__file__).resolve().parents[2] / "assignments" / "ch07-cnn"


def test_code_validation_delegates_to_the_grader():
    where = CH07 / "questions" / "convolution" / "question.yaml"
    if not where.is_file():
        pytest.skip("the convolution code question is not written yet")
    get_kind("code").validate({"kind": "code"}, str(where))


def test_code_validation_reports_a_broken_code_question(tmp_path):
    folder = tmp_path / "bundle" / "questions" / "broken"
    folder.mkdir(parents=True)
    (folder / "question.yaml").write_text("kind: code\ntitle: {ko: 가, en: a}\nchecks: []\n")
    for name in ("template", "reference", "probes"):
        (folder / f"{name}.py").write_text("def forward(sub, rng):\n    return {}\n")
    (folder / "prompt.ko.md").write_text("가")
    (folder / "prompt.en.md").write_text("a")
    with pytest.raises(BundleError) as caught:
        get_kind("code").validate({"kind": "code"}, str(folder / "question.yaml"))
    assert caught.value.field == "checks"
    assert str(folder / "question.yaml") in caught.value.path


def test_code_is_graded_elsewhere_and_parses_the_code_field():
    kind = get_kind("code")
    with pytest.raises(NotImplementedError, match="grader pipeline"):
        kind.grade({}, {}, {"code": "x = 1"}, "en")
    assert kind.parse_answer({"code": ["x = 1\r\n"]}, {}) == {"code": "x = 1\n"}
    with pytest.raises(AnswerError, match="empty"):
        kind.parse_answer({"code": ["  "]}, {})

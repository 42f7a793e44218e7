"""Each kind's form.html renders with a plain Django template engine and escapes everything."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings

import kinds as kinds_package
from kinds import get_kind

KINDS_DIR = Path(kinds_package.__file__).resolve().parent


@pytest.fixture(scope="module")
def engine():
    if not settings.configured:  # the Django project may not exist yet; a bare engine is enough
        settings.configure()
    from django.template import Engine

    return Engine(dirs=[str(KINDS_DIR)], autoescape=True)


def render(engine, name, q, answer=None, disabled=False):
    from django.template import Context

    return engine.get_template(f"{name}/form.html").render(
        Context({"q": q, "answer": answer, "disabled": disabled})
    )


EVIL = '<script>alert("x")</script>'


def test_every_kind_has_a_form(engine):
    for name in ("multiple_choice", "numeric", "short_text", "code"):
        assert (KINDS_DIR / name / "form.html").is_file()


def test_multiple_choice_form_marks_previous_picks_and_escapes_texts(engine):
    spec = {"multiple": True, "choices": [
        {"text": {"ko": EVIL, "en": EVIL}, "correct": True},
        {"text": {"ko": "둘", "en": "two"}},
    ]}
    q = get_kind("multiple_choice").public_spec(spec, {}, "en", 0)
    picked = next(c["id"] for c in q["choices"] if c["text"] == "two")
    html = render(engine, "multiple_choice", q, {"choices": [picked]})
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert html.count('type="checkbox"') == 2 and 'name="choice"' in html
    assert f'value="{picked}" checked' in html
    assert html.count("checked") == 1


def test_single_choice_form_uses_radios_and_can_be_disabled(engine):
    spec = {"choices": [{"text": {"ko": "가", "en": "a"}, "correct": True},
                        {"text": {"ko": "나", "en": "b"}}]}
    q = get_kind("multiple_choice").public_spec(spec, {}, "ko", 0)
    html = render(engine, "multiple_choice", q, None, disabled=True)
    assert html.count('type="radio"') == 2 and "checked" not in html
    assert "disabled" in html


def test_numeric_form_shows_the_unit_and_the_previous_text(engine):
    html = render(engine, "numeric", {"kind": "numeric", "unit": "MB"},
                  {"value": 12.6, "text": '12.6" onfocus="x'})
    assert 'name="value"' in html and "MB" in html
    assert 'onfocus="x' not in html and "&quot;" in html


def test_short_text_form_is_a_textarea_for_descriptive_answers(engine):
    q = get_kind("short_text").public_spec({"grading": "manual"}, {}, "en", 0)
    html = render(engine, "short_text", q, {"text": "</textarea>" + EVIL})
    assert '<textarea name="text"' in html and 'maxlength="10000"' in html
    assert "&lt;/textarea&gt;" in html and "<script>" not in html
    one_line = get_kind("short_text").public_spec({"grading": "exact"}, {}, "en", 0)
    assert '<input type="text" name="text"' in render(engine, "short_text", one_line)


def test_code_form_prefers_the_previous_code_over_the_template(engine):
    q = {"kind": "code", "language": "python", "template": "def f():\n    pass  # 구현"}
    assert "# 구현" in render(engine, "code", q)
    html = render(engine, "code", q, {"code": "x = 1 < 2"})
    assert "x = 1 &lt; 2" in html and "구현" not in html

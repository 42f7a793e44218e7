"""Authoring and manual grading read what a kind is from the kind itself (``kinds``): the kind menu,
the labels, the starters, the file inputs, the grading mode, the rubric and the model answer."""

from __future__ import annotations

from pathlib import Path

import pytest
from authoring.drafts import KIND_LABELS, question_draft_new
from authoring.forms import QuestionForm
from authoring.starters import STARTER_SPEC_YAML
from django.conf import settings
from django.template.loader import get_template
from django.utils import translation
from grading.rubric import model_answer, rubric_items
from grading.selectors import question_is_manual

from kinds import KINDS, get_kind
from tests.platform.grading.helpers import essay, explain, pick  # noqa: F401 (fixtures)

ROOT = Path(__file__).resolve().parents[3]


def test_the_kind_menu_is_the_registry_in_its_order():
    assert list(KIND_LABELS) == list(KINDS)
    assert [value for value, _label in QuestionForm().fields["kind"].choices] == list(KINDS)


@pytest.mark.parametrize("lang", ["ko", "en"])
def test_kind_labels_are_the_kinds_own_in_the_request_language(lang):
    with translation.override(lang):
        for name, label in KIND_LABELS.items():
            assert str(label) == KINDS[name].label[lang]


@pytest.mark.parametrize("name", sorted(KINDS))
def test_a_new_question_starts_with_its_kinds_starter(name):
    kind = get_kind(name)
    assert STARTER_SPEC_YAML[name] == kind.starter_yaml
    draft = question_draft_new(kind=name, slug="q")
    assert draft.spec_yaml == kind.starter_yaml
    assert draft.files == kind.starter_files()
    assert draft.is_code == (kind.grading == "worker")


@pytest.mark.parametrize("lang", ["ko", "en"])
def test_the_file_inputs_are_the_kinds_files_labelled_by_the_kind(lang):
    code = get_kind("code")
    form = QuestionForm.from_draft(question_draft_new(kind="code", slug="q"))
    with translation.override(lang):
        fields = form.file_fields("code")
        assert [field.name for field in fields] == [f"{name}_code" for name in code.files]
        assert [str(field.label) for field in fields] == [code.file_help(name, lang) for name in code.files]
    assert [field.value() for field in fields] == [code.starter_files()[name] for name in code.files]
    assert form.file_fields("numeric") == []


def test_the_kinds_forms_are_on_the_template_path():
    dirs = [Path(d).resolve() for d in settings.TEMPLATES[0]["DIRS"]]
    assert ROOT / "kinds" in dirs
    for name in KINDS:
        assert Path(get_template(f"{name}/form.html").origin.name).resolve() == ROOT / "kinds" / name / "form.html"


def test_manual_grading_reads_rubric_model_answer_and_mode_from_the_kind(explain, pick):  # noqa: F811
    version = explain.current_version
    kind = get_kind(version.kind)
    assert question_is_manual(explain) and kind.grading_mode(version.spec) == "manual"
    assert not question_is_manual(pick)
    items = rubric_items(version)
    assert [(item.index, item.text, item.points) for item in items] == [
        (row["index"], row["text"], row["points"]) for row in kind.rubric(version.spec)]
    assert sum(item.points for item in items) == 4  # 1 + 1 + 2
    with translation.override("en"):
        assert model_answer(version) == kind.model_answer(version.spec, "en") != ""
    with translation.override("ko"):
        assert model_answer(version) == kind.model_answer(version.spec, "ko") != ""

"""The question kinds are a top-level package (next to ``grader``) that owns what it means to be a
kind: its labels, its starter, its files and how its answers are graded."""

from __future__ import annotations

import ast
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from grader.bundle import read_question
from kinds import GRADING_MODES, KINDS, get_kind
from kinds.base import KindBase

ROOT = Path(__file__).resolve().parents[2]
HANGUL = re.compile(r"[\uac00-\ud7a3]")


def test_kinds_import_from_a_plain_python_process_without_django():
    """Only the repository root on sys.path (-I: no PYTHONPATH, no script folder), no settings."""
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("DJANGO_", "PYTHON"))}
    script = (
        "import sys; sys.path.insert(0, sys.argv[1]); "
        "import kinds; "
        "assert sorted(kinds.KINDS) == ['code', 'multiple_choice', 'numeric', 'short_text'], kinds.KINDS; "
        "assert kinds.get_kind('numeric').label['ko']; "
        "assert not [m for m in sys.modules if m == 'django' or m.startswith('django.')], 'imports Django'; "
        "assert not any(p.rstrip('/').endswith('/platform') for p in sys.path), sys.path; "
        "print(kinds.__file__)"
    )
    done = subprocess.run([sys.executable, "-I", "-c", script, str(ROOT)], cwd="/", env=env,
                          capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    assert Path(done.stdout.strip()).resolve() == ROOT / "kinds" / "__init__.py"


def test_the_kinds_live_at_the_repository_root_not_in_the_platform():
    assert (ROOT / "kinds" / "__init__.py").is_file()
    assert not (ROOT / "platform" / "assessments" / "kinds").exists()
    for name in KINDS:
        assert (ROOT / "kinds" / name / "form.html").is_file(), name


def test_the_grader_cli_has_no_sys_path_tricks():
    source = (ROOT / "grader" / "cli.py").read_text(encoding="utf-8")
    assert "sys.path" not in source
    assert "assessments" not in source
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Attribute) and node.attr == "path":
            assert not (isinstance(node.value, ast.Name) and node.value.id == "sys")


def test_the_grader_never_imports_django_and_kinds_never_import_the_platform():
    for package in ("grader", "kinds"):
        for path in (ROOT / package).rglob("*.py"):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for node in ast.walk(tree):
                names = []
                if isinstance(node, ast.Import):
                    names = [alias.name for alias in node.names]
                elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                    names = [node.module]
                for name in names:
                    top = name.split(".")[0]
                    assert top not in ("django", "assessments", "authoring", "grading", "config"), \
                        f"{path.relative_to(ROOT)} imports {name}"


@pytest.mark.parametrize("name", sorted(KINDS))
def test_every_kind_names_itself_in_korean_and_english(name):
    kind = get_kind(name)
    assert isinstance(kind, KindBase)
    assert set(kind.label) == {"ko", "en"}
    assert HANGUL.search(kind.label_text("ko")), kind.label
    assert kind.label_text("en") and not HANGUL.search(kind.label_text("en"))
    assert kind.label_text("ko") != kind.label_text("en")


@pytest.mark.parametrize("name", sorted(KINDS))
def test_every_kind_declares_how_it_is_graded(name):
    kind = get_kind(name)
    assert kind.grading in GRADING_MODES
    assert kind.grading_mode(kind.starter_spec()) in GRADING_MODES


def test_grading_modes_follow_the_kind_and_the_spec():
    assert get_kind("code").grading == "worker"
    assert get_kind("numeric").grading == get_kind("multiple_choice").grading == "sync"
    short = get_kind("short_text")
    assert short.grading_mode({"grading": "exact"}) == "sync"
    assert short.grading_mode({"grading": "manual"}) == "manual"
    assert short.grading_mode({}) == "manual"  # the kind's own default (see ``grade``)
    # grading_mode agrees with what grade() reports
    spec = {"grading": "manual", "rubric": [{"text": {"ko": "가", "en": "a"}, "points": 2}],
            "model_answer": {"ko": "모범", "en": "model"}}
    assert short.grade(spec, {}, {"text": "x"}, "en").needs_manual is True
    assert short.rubric(spec) == [{"index": 0, "text": {"ko": "가", "en": "a"}, "points": 2.0}]
    assert short.model_answer(spec, "ko") == "모범" and short.model_answer(spec, "en") == "model"
    for other in ("numeric", "multiple_choice"):
        assert get_kind(other).rubric(spec) == [] and get_kind(other).model_answer(spec, "en") == ""
    # A code question may declare a review rubric (grading/code_review.py), negative items included.
    code_spec = {"rubric": [{"text": {"ko": "반복문", "en": "loops"}, "points": -2}]}
    assert get_kind("code").rubric(code_spec) == [{"index": 0, "text": {"ko": "반복문", "en": "loops"}, "points": -2.0}]
    assert get_kind("code").rubric({}) == [] and get_kind("code").model_answer(spec, "en") == ""


def _write_starter_question(bundle: Path, name: str) -> Path:
    kind = get_kind(name)
    folder = bundle / "questions" / f"q-{name.replace('_', '-')}"
    folder.mkdir(parents=True)
    header = yaml.safe_dump({"kind": name, "title": {"ko": "제목", "en": "Title"}, "points": 1},
                            allow_unicode=True, sort_keys=False)
    (folder / "question.yaml").write_text(header + kind.starter_yaml, encoding="utf-8")
    (folder / "prompt.ko.md").write_text("문제\n", encoding="utf-8")
    (folder / "prompt.en.md").write_text("Question\n", encoding="utf-8")
    for file_name, content in kind.starter_files().items():
        (folder / f"{file_name}.py").write_text(content, encoding="utf-8")
    return folder


@pytest.mark.parametrize("name", sorted(KINDS))
def test_every_kind_starter_passes_its_own_validation(name, tmp_path):
    kind = get_kind(name)
    assert isinstance(kind.starter_spec(), dict) and kind.starter_spec()
    assert set(kind.starter_files()) == set(kind.files)
    for file_name in kind.files:
        assert HANGUL.search(kind.file_help(file_name, "ko"))
        assert kind.file_help(file_name, "en") != kind.file_help(file_name, "ko")
    folder = _write_starter_question(tmp_path, name)
    source = read_question(tmp_path, folder.name)
    assert source.kind == name
    kind.validate(source.spec, str(folder / "question.yaml"))  # raises BundleError when broken

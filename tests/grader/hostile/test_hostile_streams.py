"""Hostile result streams through the real sandbox: submissions that write crafted frames to the
result channel (fd 3) themselves, or print text that is not valid JSON/UTF-8. Whatever the job
writes, the grader's own process stays bounded and every grading ends in a verdict that is strict
JSON, through the API, the CLI and ``grade-folder``.

Every file defines a correct ``scale`` (and ``NAMES``): a decoder that skipped the crafted frames
instead of refusing them would let it pass, so "not passed" is a real assertion.
"""

import csv
import json
import os
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from grader.api import grade_code, load_question
from grader.sandbox import ZygoteExecutor
from grader.sandbox.layout import PROJECT_ROOT

pytestmark = pytest.mark.sandbox

HERE = Path(__file__).resolve().parent
STREAMS = sorted((HERE / "streams").glob("*.py"))
BUNDLE = HERE / "fixtures" / "hostile"
PYTHON = PROJECT_ROOT / ".venv" / "bin" / "python"
CORRECT = 'NAMES = ["b", "a"]\n\n\ndef scale(x, k):\n    return k * x\n'
MARKERS = ("LATE-MODULE-ERROR", "FORGED-MODULE-ERROR")
PARENT_CPU_SECONDS = 3.0  # per grading, reference included: "a few seconds" at most

EXPECTED = {
    "npy_62mb_header": {"crashed", "output_limit"},
    "surrogates_and_nul": {"failed"},
    "surrogate_module_error": {"runtime_error"},
    "nan_everywhere": {"failed", "partial"},
}
DEFAULT_EXPECTED = {"crashed"}  # the channel carried malformed data


def refuse_constant(token):
    raise ValueError(f"{token} is not JSON")


def strict_json_object(text: str) -> dict:
    """The single JSON object of a CLI's stdout: no NaN/Infinity, valid UTF-8, no NUL."""
    assert text.endswith("\n") and text.count("\n") == 1, text[:300]
    value = json.loads(text, parse_constant=refuse_constant)
    assert isinstance(value, dict)
    again = json.dumps(value, ensure_ascii=False, allow_nan=False)
    again.encode("utf-8")  # strict: an unpaired surrogate would raise here
    assert "\x00" not in again
    return value


@pytest.fixture(scope="module")
def executor():
    executor = ZygoteExecutor(slots=2)
    yield executor
    executor.close()


@pytest.fixture(scope="module")
def question():
    return load_question(BUNDLE, "scale")


def test_there_are_enough_documented_hostile_streams():
    assert len(STREAMS) >= 12
    for path in STREAMS:
        assert path.read_text(encoding="utf-8").startswith('"""Attack: '), path.name


@pytest.mark.parametrize("path", STREAMS, ids=lambda path: path.stem)
def test_a_hostile_stream_ends_in_a_strict_json_verdict(path, executor, question):
    grade_code(question, CORRECT, seed=7, executor=executor)  # the reference is cached first
    started = time.process_time()
    result = grade_code(question, path.read_bytes(), seed=7, executor=executor)
    parent_cpu = time.process_time() - started

    assert result.status != "passed" and result.score < result.max_score
    assert result.status in EXPECTED.get(path.stem, DEFAULT_EXPECTED), (result.status, result.message)
    assert parent_cpu < PARENT_CPU_SECONDS, f"the grader spent {parent_cpu:.2f} s of its own CPU"
    for data in (result.to_dict(), result.public_dict()):
        text = json.dumps(data, ensure_ascii=False, allow_nan=False)
        text.encode("utf-8")
        assert "\x00" not in text
        assert not any(marker in text for marker in MARKERS), "a forged module error was shown"

    follow_up = grade_code(question, CORRECT, seed=8, executor=executor)
    assert follow_up.status == "passed", follow_up.message


@pytest.mark.parametrize("path", STREAMS, ids=lambda path: path.stem)
def test_the_cli_prints_one_strict_json_object_and_exits_zero(path):
    done = subprocess.run([str(PYTHON), "-m", "grader", "grade", str(BUNDLE), "scale", str(path),
                           "--json"], cwd=PROJECT_ROOT, capture_output=True, timeout=60)
    assert done.returncode == 0, done.stderr.decode("utf-8", "replace")[-2000:]
    verdict = strict_json_object(done.stdout.decode("utf-8"))
    assert verdict["status"] in EXPECTED.get(path.stem, DEFAULT_EXPECTED)
    assert not any(marker in done.stdout.decode("utf-8") for marker in MARKERS)


def test_grade_folder_grades_the_correct_file_among_hostile_ones(tmp_path):
    folder = tmp_path / "batch"
    folder.mkdir()
    for path in STREAMS:
        shutil.copy(path, folder / path.name)
    (folder / "correct.py").write_text(CORRECT)
    (folder / os.fsdecode(b"undecodable-\xff-name.py")).write_text(CORRECT)
    out = tmp_path / "grades.csv"
    done = subprocess.run([str(PYTHON), "-m", "grader", "grade-folder", str(BUNDLE), "scale",
                           str(folder), "--out", str(out), "--workers", "2"], cwd=PROJECT_ROOT,
                          capture_output=True, timeout=300)
    assert done.returncode == 0, done.stderr.decode("utf-8", "replace")[-2000:]
    with out.open(encoding="utf-8", newline="") as stream:  # strict UTF-8
        rows = {row["file"]: row for row in csv.DictReader(stream)}
    assert len(rows) == len(STREAMS) + 2
    assert rows["correct.py"]["status"] == "passed" and rows["correct.py"]["score"] == "3"
    assert rows["undecodable-\ufffd-name.py"]["status"] == "passed"
    for path in STREAMS:
        assert rows[path.name]["status"] in EXPECTED.get(path.stem, DEFAULT_EXPECTED), path.name

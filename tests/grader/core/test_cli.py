"""The CLI contract: one JSON object on stdout, exit 0 for any verdict, non-zero only if grading could not run."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
MINI = Path(__file__).parent / "fixtures" / "mini"


def cli(*args, cwd=ROOT):
    return subprocess.run([sys.executable, "-m", "grader", *args], cwd=cwd, capture_output=True,
                          text=True, timeout=120)


@pytest.mark.parametrize(
    ("code", "status"),
    [
        (b'NAMES = ["a", "b"]\ndef scale(x, k):\n    return x * k\n', "passed"),
        (b"def scale(x, k):\n    return x\n", "partial"),
        (b"def scale(x, k) return x\n", "syntax_error"),
        (b"\xff\xfe\x00", "rejected"),
        (b"", "rejected"),
    ],
)
def test_grade_json_prints_one_object_and_exits_zero(tmp_path, code, status):
    submission = tmp_path / "submission.py"
    submission.write_bytes(code)
    done = cli("grade", str(MINI), "scale", str(submission), "--json", "--executor", "inprocess")
    assert done.returncode == 0, done.stderr
    verdict = json.loads(done.stdout)
    assert verdict["status"] == status
    assert {"status", "score", "max_score", "checks", "output", "timings"} <= set(verdict)
    for check in verdict["checks"]:
        assert {"name", "passed", "score", "max_score", "message"} <= set(check)


def test_the_readable_report(tmp_path):
    submission = tmp_path / "s.py"
    submission.write_text("def scale(x, k):\n    return x\n")
    done = cli("grade", str(MINI), "scale", str(submission), "--executor", "inprocess")
    assert done.returncode == 0
    assert "PARTIAL" in done.stdout and "[FAIL] scale · small" in done.stdout


@pytest.mark.parametrize(
    "args",
    [
        ("grade", "no-such-bundle", "scale", "x.py", "--json"),
        ("grade", str(MINI), "no-such-question", "x.py", "--json"),
        ("grade", str(MINI), "scale", "/nonexistent/file.py", "--json", "--executor", "inprocess"),
        ("grade", str(MINI)),
    ],
)
def test_grading_that_cannot_run_exits_non_zero_with_a_message(args):
    done = cli(*args)
    assert done.returncode != 0
    assert done.stdout == ""
    assert done.stderr.strip()


def test_validate_lists_the_questions():
    done = cli("validate", str(MINI))
    assert done.returncode == 0 and "scale: 3 checks" in done.stdout


def test_validate_checks_quiz_questions_and_names_the_file_and_field(tmp_path):
    bundle = tmp_path / "quiz"
    (bundle / "questions" / "size").mkdir(parents=True)
    (bundle / "bundle.yaml").write_text('slug: quiz\ntitle: {ko: "퀴즈", en: "Quiz"}\nquestions: [size]\n')
    question = bundle / "questions" / "size" / "question.yaml"
    question.write_text('kind: numeric\ntitle: {ko: "크기", en: "Size"}\npoints: 1\nanswer: "(7 - 3 +"\n')
    (bundle / "questions" / "size" / "prompt.ko.md").write_text("출력 크기는?\n")
    (bundle / "questions" / "size" / "prompt.en.md").write_text("Output size?\n")
    done = cli("validate", str(bundle))
    assert done.returncode == 1, done.stdout + done.stderr
    assert "BAD size" in done.stdout and "question.yaml" in done.stdout and "answer" in done.stdout


def test_grade_folder_writes_one_csv_row_per_file(tmp_path):
    folder = tmp_path / "subs"
    folder.mkdir()
    (folder / "alice.py").write_text('NAMES = ["a", "b"]\ndef scale(x, k):\n    return x * k\n')
    (folder / "bob.py").write_text("def scale(x, k):\n    return x\n")
    (folder / "carol.py").write_bytes(b"\xff")
    out = tmp_path / "grades.csv"
    done = cli("grade-folder", str(MINI), "scale", str(folder), "--out", str(out),
               "--executor", "inprocess", "--workers", "2")
    assert done.returncode == 0, done.stderr
    assert "3/3" in done.stderr  # the progress bar
    import csv

    rows = {row["file"]: row for row in csv.DictReader(out.open())}
    assert rows["alice.py"]["status"] == "passed" and rows["alice.py"]["score"] == "3"
    assert rows["bob.py"]["status"] == "partial" and "scale · small" in rows["bob.py"]["failed_checks"]
    assert rows["carol.py"]["status"] == "rejected" and "UTF-8" in rows["carol.py"]["message"]

"""The CLI contract: one JSON object on stdout, exit 0 for any verdict, non-zero only if grading could not run."""

import json
import os
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


def strict_json(text):
    """The one JSON object ``text`` holds, refusing NaN/Infinity and anything but valid UTF-8."""
    def refuse(token):
        raise ValueError(f"{token} is not JSON")

    assert text.endswith("\n") and text.count("\n") == 1, text[:500]
    value = json.loads(text, parse_constant=refuse)
    assert isinstance(value, dict)
    json.dumps(value, ensure_ascii=False).encode("utf-8")  # strict: no lone surrogate
    assert "\x00" not in json.dumps(value, ensure_ascii=False)
    return value


# Prints a lone surrogate (where the stream takes it: in-process output is a StringIO), raw
# bytes that are not UTF-8 and NUL (in the sandbox), and returns all-NaN arrays.
HOSTILE_BUT_LOADABLE = (
    'import sys\n'
    'NAMES = ["\\ud800", "nul\\x00"]\n'
    'try:\n'
    '    print("lone \\udcff surrogate", flush=True)\n'
    'except UnicodeEncodeError:\n'
    '    pass\n'
    'def scale(x, k):\n'
    '    if hasattr(sys.stdout, "buffer"):\n'
    '        sys.stdout.buffer.write(b"raw \\xed\\xa0\\x80 \\x00 bytes\\n")\n'
    '        sys.stdout.flush()\n'
    '    return x * float("nan")\n'
)


@pytest.mark.parametrize("executor", ["inprocess", "zygote"])
def test_nan_results_and_lone_surrogates_still_print_strict_json(tmp_path, executor):
    from grader.sandbox import sandbox_available

    if executor == "zygote" and not sandbox_available()[0]:
        pytest.skip("sandbox unavailable")
    submission = tmp_path / "s.py"
    submission.write_text(HOSTILE_BUT_LOADABLE, encoding="utf-8", errors="surrogatepass")
    done = subprocess.run([sys.executable, "-m", "grader", "grade", str(MINI), "scale",
                           str(submission), "--json", "--executor", executor], cwd=ROOT,
                          capture_output=True, timeout=120)
    assert done.returncode == 0, done.stderr
    verdict = strict_json(done.stdout.decode("utf-8"))
    assert verdict["status"] in ("failed", "partial")
    assert "\ufffd" in json.dumps(verdict, ensure_ascii=False)  # replaced, not dropped


def test_an_unexpected_exception_in_json_mode_still_prints_one_object(monkeypatch, capfd):
    from grader import api
    from grader import cli as grader_cli

    def broken(*args, **kwargs):
        raise RuntimeError("boom \ud800\x00 " + "x" * 5000)

    monkeypatch.setattr(api, "grade_code", broken)
    code = grader_cli.main(["grade", str(MINI), "scale", str(MINI / "questions" / "scale" /
                                                              "reference.py"), "--json"])
    out, err = capfd.readouterr()
    assert code == grader_cli.EXIT_UNAVAILABLE
    verdict = strict_json(out)
    assert verdict["status"] == "error" and "RuntimeError: boom \ufffd\ufffd" in verdict["message"]
    assert "Traceback" in err


def test_a_failing_sandbox_in_json_mode_prints_one_object_and_exits_3(monkeypatch, capfd):
    from grader import api
    from grader import cli as grader_cli
    from grader.errors import GraderUnavailable

    def unavailable(*args, **kwargs):
        raise GraderUnavailable("no sandbox here")

    monkeypatch.setattr(api, "grade_code", unavailable)
    code = grader_cli.main(["grade", str(MINI), "scale", str(MINI / "questions" / "scale" /
                                                              "reference.py"), "--json"])
    out, err = capfd.readouterr()
    assert code == 3 and "no sandbox here" in err
    assert strict_json(out) == {"status": "error",
                                "message": "grading could not run: no sandbox here"}


def test_grade_folder_grades_every_other_file_when_one_raises(tmp_path, mini_question, inprocess):
    import csv
    import io

    from grader.batch import grade_folder, write_csv

    class Fragile:
        """Raises (as a grader bug provoked by one file would) for code that mentions BREAK."""

        def run(self, job):
            if "BREAK" in job.code:
                raise RuntimeError("provoked \ud800")
            return inprocess.run(job)

        def close(self):
            pass

    folder = tmp_path / "subs"
    folder.mkdir()
    (folder / "alice.py").write_text('NAMES = ["a", "b"]\ndef scale(x, k):\n    return x * k\n')
    (folder / "mallory.py").write_text("BREAK = 1\ndef scale(x, k):\n    return x\n")
    (folder / os.fsdecode(b"bad-name-\xff.py")).write_text("def scale(x, k):\n    return x\n")
    rows = grade_folder(mini_question, sorted(folder.glob("*.py")), seed=0, executor=Fragile(),
                        workers=2)
    assert [row.result.status for row in rows] == ["passed", "partial", "error"]
    assert "RuntimeError" in rows[2].result.message
    out = io.StringIO()
    write_csv(rows, out)
    out.getvalue().encode("utf-8")  # strict: the undecodable file name was replaced
    statuses = {row["file"]: row["status"] for row in csv.DictReader(io.StringIO(out.getvalue()))}
    assert statuses == {"alice.py": "passed", "bad-name-\ufffd.py": "partial", "mallory.py": "error"}


def test_to_dict_and_public_dict_are_strict_json():
    from grader.result import CheckOutcome, GradeResult

    check = CheckOutcome(name="c\ud800", passed=False, score=0.0, max_score=1.0, message="m\x00",
                         hidden=True, details={"max_abs_error": float("nan"), "big": 10**400,
                                               "inf": float("-inf"), "k\udcff": ("a", 1)})
    result = GradeResult(status="failed", score=0.0, max_score=1.0, checks=[check],
                         output="out \ud800\x00", message="\udc80",
                         timings={"total_ms": float("inf")})
    for data in (result.to_dict(), result.public_dict()):
        strict_json(json.dumps(data, ensure_ascii=False, allow_nan=False) + "\n")
    data = result.to_dict()
    assert data["output"] == "out \ufffd\ufffd" and data["timings"]["total_ms"] is None
    assert data["checks"][0]["details"]["max_abs_error"] is None
    assert data["checks"][0]["details"]["big"] == 2**63 - 1
    assert data["checks"][0]["details"]["k\ufffd"] == ["a", 1]


def test_each_run_draws_fresh_inputs_unless_a_seed_is_given(tmp_path):
    """Feedback of one run must not describe the inputs of the next (no copying values forward)."""
    submission = tmp_path / "s.py"
    submission.write_text("def scale(x, k):\n    return x\n")
    runs = [json.loads(cli("grade", str(MINI), "scale", str(submission), "--json",
                           "--executor", "inprocess").stdout) for _ in range(2)]
    assert runs[0]["seed"] != runs[1]["seed"]
    pinned = [json.loads(cli("grade", str(MINI), "scale", str(submission), "--json", "--seed", "5",
                             "--executor", "inprocess").stdout) for _ in range(2)]
    assert pinned[0]["seed"] == pinned[1]["seed"] == 5
    assert [c["message"] for c in pinned[0]["checks"]] == [c["message"] for c in pinned[1]["checks"]]


def test_hidden_checks_show_only_passed_or_failed_unless_revealed(tmp_path):
    from grader.api import load_question

    hidden = [check.name for check in load_question(MINI, "scale").checks if check.hidden]
    assert hidden, "the fixture needs a hidden check"
    submission = tmp_path / "s.py"
    submission.write_text("def scale(x, k):\n    raise ValueError('a message from the hidden job')\n")
    base = ("grade", str(MINI), "scale", str(submission), "--executor", "inprocess")
    student_view = cli(*base, "--json").stdout
    staff_view = cli(*base, "--json", "--reveal-hidden").stdout
    for name in hidden:
        assert name not in student_view and name in staff_view
    shown = [c for c in json.loads(student_view)["checks"] if c["hidden"]]
    assert shown and all(c["message"] == "hidden check failed" for c in shown)

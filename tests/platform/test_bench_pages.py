"""scripts/bench_pages.py at a tiny scale: the term it fills is what the staff pages expect, and
every page it measures answers 200 (the full-scale run is by hand; see the script's docstring)."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from scoring.models import ScoreChange
from submissions.models import QuizAnswer, Submission

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "bench_pages.py"


@pytest.fixture(scope="module")
def bench():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("bench_pages", SCRIPT)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up
    spec.loader.exec_module(module)
    return module


@pytest.mark.django_db
def test_tiny_term_every_page_answers(bench) -> None:  # type: ignore[no-untyped-def]
    term = bench.fill(students=5, questions=20, submissions=200, seed=3)

    assert Submission.objects.count() + QuizAnswer.objects.count() == 200
    assert term.counts["code_submissions"] == Submission.objects.filter(status="graded").count() > 0
    sample = Submission.objects.filter(question_id=term.code_question_id).first()
    assert sample is not None and len(sample.code) > 1000
    assert sample.results["checks"] and {"name", "passed", "message", "hidden"} <= set(sample.results["checks"][0])
    assert ScoreChange.objects.count() == term.counts["score_changes"]
    assert QuizAnswer.objects.values("question").distinct().count() <= 17  # 20 questions, 3 of them code

    rows = bench.measure(term, repeats=1)

    assert [row["page"] for row in rows] == [name for name, _url in bench.pages(term)]
    assert {row["page"]: row["status"] for row in rows} == {row["page"]: 200 for row in rows}
    assert all(row["queries"] > 0 and row["cold_ms"] > 0 for row in rows)
    report = bench.human({"term": term.counts, "database": "sqlite", "fill_seconds": term.seconds,
                          "pages": rows, "load_average": 0.0})
    assert "similarity (code)" in report
    json.dumps(rows)


def test_script_runs_on_its_own_database() -> None:
    """The command line: its own SQLite file, migrations, the table as one JSON object."""
    result = subprocess.run(
        [sys.executable, str(SCRIPT), "--students", "3", "--submissions", "60", "--repeats", "1", "--json"],
        capture_output=True, text=True, timeout=60, env={k: v for k, v in os.environ.items() if k != "DATABASE_URL"},
    )
    assert result.returncode == 0, result.stderr[-2000:]
    report = json.loads(result.stdout)
    assert report["database"] == "sqlite"
    assert report["term"]["code_submissions"] + report["term"]["quiz_answers"] == 60
    assert [row["status"] for row in report["pages"]] == [200] * 7

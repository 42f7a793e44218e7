"""Grading many files at once for instructors: a folder of submissions -> a CSV, same grader as the workers."""

from __future__ import annotations

import csv
import sys
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from grader.api import grade_code
from grader.bundle import read_bundle
from grader.job import Executor
from grader.question import CodeQuestion, code_question_from_source
from grader.result import ERROR, PASSED, GradeResult
from grader.sanitize import clean_text

CSV_FIELDS = ("file", "status", "score", "max_score", "failed_checks", "message", "ms")


@dataclass
class BatchRow:
    file: str
    result: GradeResult


def grade_folder(
    question: CodeQuestion, files: Iterable[Path], *, seed: int, executor: Executor, workers: int,
    progress: Callable[[int, int], None] | None = None,
) -> list[BatchRow]:
    paths = sorted(files)
    rows: list[BatchRow] = []

    def one(path: Path) -> BatchRow:
        try:
            return BatchRow(path.name, grade_code(question, path.read_bytes(), seed=seed,
                                                  executor=executor))
        except Exception as error:  # one file must never cost the instructor the whole batch
            return BatchRow(path.name, _error_result(question, error))

    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        futures = [pool.submit(one, path) for path in paths]
        for done, future in enumerate(as_completed(futures), start=1):
            rows.append(future.result())
            if progress:
                progress(done, len(paths))
    return sorted(rows, key=lambda row: row.file)


def _error_result(question: CodeQuestion, error: Exception) -> GradeResult:
    message = f"grading failed: {type(error).__name__}: {error}"
    return GradeResult(status=ERROR, score=0.0, max_score=question.max_score, checks=[],
                       question=question.slug, message=clean_text(message[:2000]))


def write_csv(rows: list[BatchRow], stream: TextIO) -> None:
    writer = csv.writer(stream)
    writer.writerow(CSV_FIELDS)
    for row in rows:
        result = row.result
        failed = "; ".join(check.name for check in result.checks if not check.passed)
        # File names and messages may hold lone surrogates or NUL: the CSV must stay valid UTF-8.
        writer.writerow([clean_text(text) for text in (
            row.file, result.status, f"{result.score:g}", f"{result.max_score:g}", failed,
            result.message.splitlines()[0] if result.message else "",
            f"{result.timings.get('total_ms', 0):.1f}")])


def progress_bar(stream: TextIO = sys.stderr) -> Callable[[int, int], None]:
    started = time.perf_counter()

    def show(done: int, total: int) -> None:
        width = 30
        filled = int(width * done / max(total, 1))
        rate = done / max(time.perf_counter() - started, 1e-9)
        stream.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total}  {rate:.1f}/s")
        if done == total:
            stream.write("\n")
        stream.flush()

    return show


def check_references(bundle_dir: str | Path, executor: Executor) -> list[tuple[str, GradeResult]]:
    """Grade every code question's reference against its own checks: all must reach full marks."""
    outcomes = []
    for source in read_bundle(bundle_dir).questions:
        if source.kind != "code":
            continue
        question = code_question_from_source(source)
        outcomes.append((source.slug, grade_code(question, question.reference, seed=0, executor=executor)))
    return outcomes


def all_passed(outcomes: list[tuple[str, GradeResult]]) -> bool:
    return all(result.status == PASSED for _, result in outcomes)

"""The small, typed API the web side (and the CLI) call."""

from __future__ import annotations

from pathlib import Path

from grader import runner
from grader.job import Executor
from grader.question import CodeQuestion, load_code_question
from grader.reference_store import SharedReferences
from grader.result import GradeResult


def load_question(bundle_dir: str | Path, slug: str) -> CodeQuestion:
    """Read and validate one code question; raises ``BundleError`` naming the file and field."""
    return load_code_question(bundle_dir, slug)


def grade_code(
    question: CodeQuestion, code: str | bytes, *, seed: int, executor: Executor | None = None,
    lang: str = "en", references: SharedReferences | None = None,
) -> GradeResult:
    """Grade ``code`` against ``question`` with inputs drawn from ``seed``.

    Always returns a verdict for anything the student did; raises ``GraderUnavailable`` only when
    the sandbox itself failed (an infrastructure problem that must not cost the student an attempt).
    ``executor=None`` uses the process-wide zygote sandbox; ``references`` shares reference results
    between processes (``grader.reference_store``), a miss runs the reference as without it.
    """
    if executor is None:
        from grader.sandbox import default_executor

        executor = default_executor()
    return runner.grade(question, code, seed=seed, executor=executor, lang=lang, references=references)

"""Grading one submission: run the student's module and the reference, compare outside, score."""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace

from grader import diagnosis
from grader import result as r
from grader.checks import COMPARES
from grader.checks.requirements import withheld_message
from grader.errors import GraderUnavailable
from grader.job import (
    MEMORY,
    OK,
    OUTPUT,
    TIMEOUT,
    CaseResult,
    CaseSpec,
    Executor,
    JobResult,
    JobSpec,
)
from grader.question import CheckSpec, CodeQuestion
from grader.reference_store import SharedReferences, reference_key
from grader.result import CheckOutcome, GradeResult
from grader.submission import Unacceptable, decode_submission

STUDENT_FILE = "submission.py"
REFERENCE_FILE = "reference.py"
# Reference results by (question content, seed), in this process. Code attempts draw fresh seeds:
# what serves a student's next attempt is the shared store (reference_store.py), filled ahead of
# time by the workers; this serves regrades, retries and fixed-seed runs, and keeps shared hits.
# Bounded in bytes, since the large checks' arrays are big.
REFERENCE_CACHE_BYTES = 64 * 1024 * 1024
_reference_cache: OrderedDict[tuple[str, int], tuple[JobResult, int]] = OrderedDict()
_reference_cache_bytes = 0
_cache_lock = threading.Lock()
# References run here, next to the student's job (grader/run.py uses it too).
REFERENCE_POOL = ThreadPoolExecutor(max_workers=4, thread_name_prefix="grader-reference")

TERMINATION_STATUS = {TIMEOUT: r.TIMEOUT, MEMORY: r.MEMORY_LIMIT, OUTPUT: r.OUTPUT_LIMIT}
TERMINATION_MESSAGE = {
    TIMEOUT: "your code ran out of time (an endless loop, or far too slow?)",
    MEMORY: "your code used more memory than allowed",
    OUTPUT: "your code printed more output than allowed",
}


def grade(
    question: CodeQuestion, code: str | bytes, *, seed: int, executor: Executor, lang: str = "en",
    references: SharedReferences | None = None,
) -> GradeResult:
    """``references``: reference results shared between processes (grader/reference_store.py);
    a miss runs the reference next to the student's job, as without it."""
    started = time.perf_counter()
    base = GradeResult(status=r.FAILED, score=0.0, max_score=question.max_score, checks=[],
                       seed=seed, question=question.slug)
    try:
        text = decode_submission(code)
    except Unacceptable as error:
        base.status, base.message = r.REJECTED, f"Not graded: {error}"
        base.checks = [_not_run(check, "not run: the submission was rejected") for check in question.checks]
        base.timings = {"total_ms": _ms(started)}
        return base

    cases = question.case_specs(seed)
    reference_future = None
    reference = _cached_reference(question, seed, references)
    if reference is None:
        reference_future = REFERENCE_POOL.submit(_run_reference, question, seed, executor, references)
    student = _run_student(question, text, cases, executor)
    reference_ms = 0.0
    if reference_future is not None:
        reference = reference_future.result()
        reference_ms = reference.wall_ms
    assert reference is not None
    checks_started = time.perf_counter()
    outcome = _verdict(question, student, reference, lang)
    outcome.seed, outcome.question = seed, question.slug
    checks_ms = _ms(checks_started)
    # only after the verdict, and only for failing checks: it adds feedback lines, never points
    diagnosis_ms = diagnosis.diagnose(
        question, outcome, student, reference, seed=seed, lang=lang,
        run=lambda cases, limits: executor.run(replace(_student_job(question, text, cases), limits=limits)),
    )
    outcome.timings = {
        "total_ms": _ms(started),
        "student_ms": round(student.wall_ms, 3),
        "student_cpu_ms": round(student.cpu_ms, 3),
        "reference_ms": round(reference_ms, 3),
        "checks_ms": checks_ms,
        "diagnosis_ms": diagnosis_ms,
    }
    return outcome


def _run_student(question: CodeQuestion, code: str, cases: tuple[CaseSpec, ...],
                 executor: Executor) -> JobResult:
    """One job: the visible checks open, the hidden ones sealed (``JobSpec.sealed``).

    The job gets the hidden checks' arguments and seeds only after its visible checks are done
    and its output has been cut off, so no trick inside it (walking the harness's frames, keeping
    a copy of fd 1, a thread) can send them back; frames it writes from then on may only be the
    hidden checks' data (grader/sandbox/README.md, "Hidden checks").
    """
    visible = tuple(case for case in cases if not case.quiet)
    hidden = tuple(case for case in cases if case.quiet)
    return executor.run(replace(_student_job(question, code, visible), sealed=hidden))


def _student_job(question: CodeQuestion, code: str, cases: tuple[CaseSpec, ...]) -> JobSpec:
    return JobSpec(code=code, filename=STUDENT_FILE, probes=question.probes, cases=cases,
                   textbook=question.textbook, limits=question.limits)


def _ms(since: float) -> float:
    return round((time.perf_counter() - since) * 1000, 3)


def _cached_reference(question: CodeQuestion, seed: int,
                      references: SharedReferences | None = None) -> JobResult | None:
    """This process's cache first, then the shared store (whose hit is kept here too)."""
    with _cache_lock:
        cached = _reference_cache.get((question.content_hash, seed))
        if cached is not None:
            _reference_cache.move_to_end((question.content_hash, seed))
            return cached[0]
    if references is None:
        return None
    job = reference_job(question, question.reference_case_specs(seed))
    shared = references.get(reference_key(question.content_hash, question.textbook, seed), job)
    if shared is not None:
        _remember(question.content_hash, seed, shared)
    return shared


def reference_prepare(question: CodeQuestion, seed: int, *, executor: Executor,
                      references: SharedReferences) -> bool:
    """Make the reference result of ``seed`` ready in the shared store, off any grading's critical
    path (e.g. for a student's next attempt). True when it had to be computed."""
    return references_prepare(question, [seed], executor=executor, references=references) == 1


# Seeds whose references one job computes at most: a job's CPU and result budgets grow with it.
REFERENCE_BATCH = 16


def references_prepare(question: CodeQuestion, seeds: list[int], *, executor: Executor,
                       references: SharedReferences) -> int:
    """``reference_prepare`` for many seeds at once: the missing ones are computed together, up to
    ``REFERENCE_BATCH`` seeds per sandbox job (one fork, one module load, one decode for all of
    them; each seed's cases keep their own inputs), and stored one entry per seed, exactly as
    a single run would store them. Returns how many were computed."""
    missing = references_missing(question, seeds, references=references)
    for start in range(0, len(missing), REFERENCE_BATCH):
        batch = missing[start:start + REFERENCE_BATCH]
        if len(batch) == 1:
            _run_reference(question, batch[0], executor, references)
            continue
        combined = executor.run(_batch_job(question, batch))
        for index, seed in enumerate(batch):
            job = reference_job(question, question.reference_case_specs(seed))
            reference = _batch_part(combined, index, len(batch))
            problem = reference_problem(reference, job)
            if problem is not None:
                raise GraderUnavailable(
                    f"the reference of {question.slug!r} failed ({problem}); fix the question")
            _remember(question.content_hash, seed, reference)
            references.put(reference_key(question.content_hash, question.textbook, seed), reference)
    return len(missing)


def references_missing(question: CodeQuestion, seeds: list[int], *,
                       references: SharedReferences) -> list[int]:
    """The seeds (each once, in order) that have no entry in the shared store (an entry is not
    read here: one refused later is recomputed by the grading that reads it)."""
    return [seed for seed in dict.fromkeys(seeds)
            if not references.holds(reference_key(question.content_hash, question.textbook, seed))]


def _batch_job(question: CodeQuestion, seeds: list[int]) -> JobSpec:
    cases = tuple(replace(case, name=f"{index}/{case.name}")
                  for index, seed in enumerate(seeds) for case in question.reference_case_specs(seed))
    limits = question.limits
    count = len(seeds)
    limits = replace(limits, cpu_seconds=limits.cpu_seconds * count, wall_seconds=limits.wall_seconds * count,
                     result_bytes=limits.result_bytes * count)
    return JobSpec(code=question.reference, filename=REFERENCE_FILE, probes=question.probes, cases=cases,
                   textbook=question.textbook, limits=limits)


def _batch_part(combined: JobResult, index: int, count: int) -> JobResult:
    """One seed's share of a batch job's result, as if it had run alone."""
    prefix = f"{index}/"
    cases = {name.removeprefix(prefix): replace(case, name=name.removeprefix(prefix))
             for name, case in combined.cases.items() if name.startswith(prefix)}
    return JobResult(termination=combined.termination, cases=cases, module_error=combined.module_error,
                     output="", detail=combined.detail, wall_ms=combined.wall_ms / count,
                     cpu_ms=combined.cpu_ms / count)


def reference_job(question: CodeQuestion, cases: tuple[CaseSpec, ...]) -> JobSpec:
    return JobSpec(code=question.reference, filename=REFERENCE_FILE, probes=question.probes,
                   cases=cases, textbook=question.textbook, limits=question.limits)


def reference_problem(reference: JobResult, job: JobSpec) -> str | None:
    """Why a reference job's results cannot be used (None when they can): a question bug."""
    broken = [name for name, case in reference.cases.items() if case.error is not None]
    if reference.termination != OK or reference.module_error or broken or \
            len(reference.cases) != len(job.cases):
        return (f"{reference.termination}, {reference.module_error or ''} {broken} "
                f"{reference.detail}").strip()
    return None


def _run_reference(question: CodeQuestion, seed: int, executor: Executor,
                   references: SharedReferences | None = None) -> JobResult:
    """The only writer of both caches: the question's reference code, run in the sandbox."""
    job = reference_job(question, question.reference_case_specs(seed))
    reference = executor.run(job)
    problem = reference_problem(reference, job)
    if problem is not None:
        raise GraderUnavailable(
            f"the reference of {question.slug!r} failed ({problem}); fix the question"
        )
    _remember(question.content_hash, seed, reference)
    if references is not None:
        references.put(reference_key(question.content_hash, question.textbook, seed), reference)
    return reference


def _remember(content_hash: str, seed: int, reference: JobResult) -> None:
    global _reference_cache_bytes
    size = sum(array.nbytes for case in reference.cases.values() for array in case.arrays.values())
    if size > REFERENCE_CACHE_BYTES:
        return
    with _cache_lock:
        previous = _reference_cache.pop((content_hash, seed), None)
        if previous is not None:
            _reference_cache_bytes -= previous[1]
        _reference_cache[(content_hash, seed)] = (reference, size)
        _reference_cache_bytes += size
        while _reference_cache_bytes > REFERENCE_CACHE_BYTES:
            _evicted, (_, evicted_size) = _reference_cache.popitem(last=False)
            _reference_cache_bytes -= evicted_size


def _verdict(question: CodeQuestion, student: JobResult, reference: JobResult, lang: str) -> GradeResult:
    output = student.output + ("\n[output truncated]" if student.output_truncated else "")
    outcome = GradeResult(status=r.FAILED, score=0.0, max_score=question.max_score, checks=[],
                          output=output)
    if student.module_error is not None:
        error = student.module_error
        syntax = error["type"] in ("SyntaxError", "IndentationError", "TabError")
        outcome.status = r.SYNTAX_ERROR if syntax else r.RUNTIME_ERROR
        outcome.message = _module_error_message(error, syntax)
        outcome.checks = [_not_run(check, "not run: your file could not be loaded") for check in question.checks]
        return outcome

    stopped = _stop_reason(student)
    for check in question.checks:
        case = student.cases.get(check.name)
        if case is None:
            outcome.checks.append(_not_run(check, f"not run: {stopped}"))
            continue
        outcome.checks.append(_evaluate(check, case, reference.cases[check.name], lang))
    _apply_requirements(question, outcome.checks, lang)
    outcome.score = round(sum(c.score for c in outcome.checks), 6)
    if student.termination != OK:
        outcome.status = TERMINATION_STATUS.get(student.termination, r.CRASHED)
        outcome.message = stopped[0].upper() + stopped[1:]
    elif outcome.score >= question.max_score - 1e-9:
        outcome.status = r.PASSED
    else:
        outcome.status = r.PARTIAL if outcome.score > 0 else r.FAILED
    return outcome


def _stop_reason(student: JobResult) -> str:
    if student.termination in TERMINATION_MESSAGE:
        return TERMINATION_MESSAGE[student.termination]
    if student.termination != OK:
        return "your program stopped before finishing (it exited, was killed, or tampered with the grader's channel)"
    return "the check produced no result"


def _module_error_message(error: dict, syntax: bool) -> str:
    where = f" on line {error['line']}" if error.get("line") else ""
    if syntax:
        text = f"\n    {error['text'].strip()}" if error.get("text") else ""
        return f"{error['type']}{where}: {error['message']}{text}"
    trace = "\n".join(error.get("traceback", []))
    return (f"Your file raised {error['type']}{where} while loading: {error['message']}"
            + (f"\n{trace}" if trace else ""))


def _not_run(check: CheckSpec, message: str) -> CheckOutcome:
    return CheckOutcome(name=check.name, passed=False, score=0.0, max_score=check.points,
                        message=message, hidden=check.hidden)


def _evaluate(check: CheckSpec, student: CaseResult, reference: CaseResult, lang: str) -> CheckOutcome:
    hint = check.hint.get(lang) or check.hint.get("en", "")
    if student.error is not None:
        error = student.error
        trace = "\n".join(error.get("traceback", []))
        message = f"{error['type']}: {error['message']}" + (f"\n{trace}" if trace else "")
        return CheckOutcome(name=check.name, passed=False, score=0.0, max_score=check.points,
                            message=message, hidden=check.hidden, hint=hint,
                            details={"error": error})
    verdicts = [COMPARES[spec.kind].compare(spec.params, student, reference) for spec in check.compare]
    passed = sum(v.passed for v in verdicts)
    score = round(check.points * passed / len(verdicts), 6)
    all_passed = passed == len(verdicts)
    shown = verdicts if all_passed else [v for v in verdicts if not v.passed]
    return CheckOutcome(
        name=check.name, passed=all_passed, score=score, max_score=check.points,
        message="\n".join(v.message for v in shown),
        hidden=check.hidden, hint="" if all_passed else hint,
        details={"compares": [v.details | {"passed": v.passed} for v in verdicts], "ms": round(student.ms, 3)},
    )


def _apply_requirements(question: CodeQuestion, outcomes: list[CheckOutcome], lang: str) -> None:
    """A check whose ``requires`` did not all pass keeps its own message but scores nothing.

    Only checks that would have scored are touched: a check that failed by itself already says
    what is wrong, and its own message is the more useful one.
    """
    passed = {outcome.name for outcome in outcomes if outcome.passed}
    for check, outcome in zip(question.checks, outcomes, strict=True):
        missing = [name for name in check.requires if name not in passed]
        if not missing or outcome.score <= 0:
            continue
        note = withheld_message(missing, lang)
        outcome.message = f"{note}\n{outcome.message}" if outcome.message else note
        outcome.details = outcome.details | {"withheld_by": missing, "withheld_score": outcome.score}
        outcome.passed, outcome.score = False, 0.0

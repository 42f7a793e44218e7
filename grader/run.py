"""Running a student's code without grading it: the Run button of a code question.

``run_code`` runs the editor's code in the sandbox, then the question's public examples
(``examples:`` in question.yaml: fixed inputs, see assignments/README.md) and a *scratch cell* (a
few lines of the student's own Python, run in the module's namespace), all in ONE sandbox job. It
returns a JSON-safe dict, bounded in size (``MAX_RESULT_CHARS``), that the platform renders::

    {"termination": "ok" | "timeout" | "memory" | "output" | "killed" | "protocol" | "rejected",
     "message": {"ko", "en"} | None,
     "output": str, "output_truncated": bool,
     "error": ERROR | None,                   # the module failed to load (where = "module")
     "examples": [{"name", "title": {"ko", "en"}, "passed": bool | None, "error": ERROR | None,
                   "arrays": [{"key", "label", "student": ARRAY | None, "expected": ARRAY | None,
                               "match": bool | None}]}],
     "scratch": {"ran": bool, "value": ARRAY | {"repr": str} | None, "error": ERROR | None},
     "ms": float}
    ERROR = {"type", "message", "line": int | None, "where": "module" | "scratch" | "example",
             "traceback": [str]}
    ARRAY = {"shape": [int], "dtype": str, "text": str, "size": int, "min": float | None,
             "max": float | None}

Nothing is graded and no check runs: a Run job holds the examples and the scratch cell only, never
a check's probe, arguments or seed, so nothing of a graded input can come back. The expected
values are the reference's results on the same examples (``expected_examples``: one reference job
per question version, cached here and cacheable by the caller under ``question.content_hash``);
student and reference are compared outside the sandbox with the question's compare kinds.

The ``seed`` only seeds ``np.random`` in the scratch cell. The caller must draw it so that it
differs from the student's graded seeds (e.g. from the attempt-seed function with a "run" salt):
the examples never use it, but a scratch cell could rebuild a probe's inputs from a graded seed.
"""

from __future__ import annotations

import base64
import io
import json
import logging
import threading
import time
from collections import OrderedDict
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

from grader import runner
from grader.checks import COMPARES
from grader.crosscheck import crosscheck_cases, crosscheck_results
from grader.errors import GraderUnavailable
from grader.job import (
    KILLED,
    MEMORY,
    OK,
    OUTPUT,
    PROTOCOL,
    TIMEOUT,
    CaseResult,
    CaseSpec,
    Executor,
    JobResult,
    JobSpec,
    Limits,
)
from grader.protocol import ProtocolError, load_npy
from grader.question import RESERVED_EXAMPLE_PREFIX, CodeQuestion, ExampleSpec
from grader.sanitize import json_safe
from grader.submission import Unacceptable, decode_submission

logger = logging.getLogger(__name__)

REJECTED = "rejected"  # the code or the scratch cell was not run at all (too large, not text)
SCRATCH_CASE = f"{RESERVED_EXAMPLE_PREFIX}scratch"
SCRATCH_FILE = "scratch"  # how tracebacks name the scratch cell
SCRATCH_PROBE = "_dlgrade_scratch_cell"
SCRATCH_SOURCE = (Path(__file__).resolve().parent / "harness" / "scratch.py").read_text(encoding="utf-8")
MAX_SCRATCH_BYTES = 16 * 1024

# A Run shows data to a person: far less than a grading may carry. Over these the job is stopped
# (output, result bytes) or its data refused (one array), and the result says why.
RUN_OUTPUT_BYTES = 32 * 1024
RUN_ARRAY_BYTES = 4 * 1024 * 1024
RUN_RESULT_BYTES = 16 * 1024 * 1024
MAX_REPR_CHARS = 2000
MAX_RESULT_CHARS = 200_000  # the whole result as JSON
MAX_SHOWN_ARRAYS = 12  # per example
MAX_TRACEBACK_LINES = 30
MAX_LINE_CHARS = 500

# numpy's summary of a large array: the corners only
PRINT_THRESHOLD = 200
PRINT_EDGEITEMS = 3
PRINT_PRECISION = 4
MAX_PRINTED_ELEMENTS = 5000
MAX_TEXT_CHARS = 8000

EXPECTED_CACHE_ENTRIES = 64
_expected_cache: OrderedDict[str, dict[str, Any]] = OrderedDict()
_expected_lock = threading.Lock()


# -- the API ------------------------------------------------------------------------------------
def run_code(question: CodeQuestion, code: str | bytes, scratch: str | bytes, *, executor: Executor,
             seed: int, expected: dict[str, Any] | None = None,
             crosschecks: dict[str, dict[str, Any]] | None = None) -> dict[str, Any]:
    """Run ``code`` with the question's public examples and the ``scratch`` cell; see the module
    docstring for the result. Whatever the code does, the result is a clean dict; only an
    infrastructure failure of the sandbox raises (``GraderUnavailable``: retry later).

    ``seed`` seeds ``np.random`` in the scratch cell only; draw it apart from the student's
    graded seeds (see the module docstring). ``expected``: what ``expected_examples`` returned
    for this question (possibly from the caller's cache, after a JSON round trip). Missing, stale
    (another ``content_hash``) or malformed, it is computed here, next to the student's job.
    ``crosschecks``: ``{name: probe arguments}`` of the question's cross-checks, resolved by the
    caller with the student's own numbers (grader/crosscheck.py); the result then has
    ``"crosschecks": [{"name", "label", "args", "value", "error"}]``."""
    started = time.perf_counter()
    try:
        text, cell = _accept(code, scratch)
    except Unacceptable as error:
        return _finish(_rejected(str(error)), started)

    job = run_job(question, text, cell, seed, crosschecks or {})
    references = _decode_expected(question, expected)
    future = None
    if references is None and question.examples:
        cached = _cached_expected(question.content_hash)
        if cached is not None:
            references = _decode_expected(question, cached)
        else:
            future = runner.REFERENCE_POOL.submit(expected_examples, question, executor=executor)
    student = executor.run(job)  # GraderUnavailable goes up: not the student's doing
    if future is not None:
        try:
            references = _decode_expected(question, future.result())
        except GraderUnavailable as error:  # shown without expected values rather than not at all
            logger.warning("expected examples of %s unavailable: %s", question.slug, error)
    try:
        result = _present(question, job, student, references or {})
        if crosschecks:
            result["crosschecks"] = crosscheck_results(question.crosschecks, crosschecks, student.cases)
    except Exception:  # a bug, or data that slipped past the protocol: still a result
        logger.exception("presenting a run of %s failed", question.slug)
        result = _empty(PROTOCOL, _message(PROTOCOL, question.limits, ""))
    return _finish(result, started)


def expected_examples(question: CodeQuestion, *, executor: Executor) -> dict[str, Any]:
    """The reference's results on the question's public examples, as JSON-safe data:
    ``{"content_hash", "examples": {name: {"arrays": {key: {"npy": base64}}, "meta": {...}}}}``.
    The same for every student: cached here by ``question.content_hash``, and the caller may
    cache it too (it survives ``json_safe`` and a JSON round trip). Raises ``GraderUnavailable``
    when the reference could not run them (the sandbox failed, or the question is broken)."""
    cached = _cached_expected(question.content_hash)
    if cached is not None:
        return cached
    data: dict[str, Any] = {"content_hash": question.content_hash, "examples": {}}
    if question.examples:
        job = runner.reference_job(question, tuple(example.case_spec() for example in question.examples))
        reference = executor.run(job)
        problem = runner.reference_problem(reference, job)
        if problem is not None:
            raise GraderUnavailable(
                f"the reference of {question.slug!r} failed on its examples ({problem}); fix the question")
        for name, case in reference.cases.items():
            data["examples"][name] = {
                "arrays": {key: {"npy": _npy_text(array)} for key, array in case.arrays.items()},
                "meta": case.meta,
            }
    with _expected_lock:
        _expected_cache[question.content_hash] = data
        _expected_cache.move_to_end(question.content_hash)
        while len(_expected_cache) > EXPECTED_CACHE_ENTRIES:
            _expected_cache.popitem(last=False)
    return data


def run_job(question: CodeQuestion, code: str, scratch: str, seed: int,
            crosschecks: dict[str, dict[str, Any]] | None = None) -> JobSpec:
    """The one sandbox job of a Run: the module, the examples, the cross-checks, then the scratch
    cell (last, so that what it does to the module cannot change the others' results). Never a
    check."""
    cases = tuple(example.case_spec() for example in question.examples)
    cases += crosscheck_cases(question.crosschecks, crosschecks or {})
    if scratch.strip():
        cases += (CaseSpec(name=SCRATCH_CASE, probe=SCRATCH_PROBE, seed=0, args={
            "source": scratch, "seed": int(seed) & (2**63 - 1),
            "max_value_bytes": RUN_ARRAY_BYTES, "max_repr_chars": MAX_REPR_CHARS,
        }),)
    return JobSpec(code=code, filename=runner.STUDENT_FILE,
                   probes=question.probes.rstrip("\n") + "\n\n\n" + SCRATCH_SOURCE,
                   cases=cases, textbook=question.textbook, limits=run_limits(question.limits))


def run_limits(limits: Limits) -> Limits:
    """The question's CPU, wall-clock and memory limits; output and result data sized for reading."""
    return replace(limits, output_bytes=min(limits.output_bytes, RUN_OUTPUT_BYTES),
                   array_bytes=min(limits.array_bytes, RUN_ARRAY_BYTES),
                   result_bytes=min(limits.result_bytes, RUN_RESULT_BYTES))


def array_view(array: np.ndarray) -> dict[str, Any]:
    """ARRAY: shape, dtype, size, finite min/max and numpy's text, summarised when large."""
    view: dict[str, Any] = {"shape": [int(n) for n in array.shape], "dtype": str(array.dtype),
                            "text": _array_text(array), "size": int(array.size), "min": None, "max": None}
    if array.size and array.dtype.kind in "biuf":
        with np.errstate(all="ignore"):
            values = array.astype(np.float64, copy=False)
            finite = values[np.isfinite(values)]
            if finite.size:
                view["min"], view["max"] = float(finite.min()), float(finite.max())
    return view


# -- accepting the input ------------------------------------------------------------------------
def _accept(code: str | bytes, scratch: str | bytes) -> tuple[str, str]:
    """The code and the cell as text. A blank editor still runs (the cell may need nothing)."""
    text = "" if _blank(code) else decode_submission(code)
    if _blank(scratch):
        return text, ""
    try:
        cell = decode_submission(scratch, max_bytes=MAX_SCRATCH_BYTES)
    except Unacceptable as error:
        raise Unacceptable(f"scratch cell: {error}") from None
    return text, cell


def _blank(value: str | bytes) -> bool:
    if isinstance(value, bytes):
        return len(value) <= MAX_SCRATCH_BYTES and not value.strip()
    return isinstance(value, str) and not value.strip()


# -- what the reference gave ----------------------------------------------------------------------
def _npy_text(array: np.ndarray) -> str:
    buffer = io.BytesIO()
    np.save(buffer, np.ascontiguousarray(array), allow_pickle=False)
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def _cached_expected(content_hash: str) -> dict[str, Any] | None:
    with _expected_lock:
        data = _expected_cache.get(content_hash)
        if data is not None:
            _expected_cache.move_to_end(content_hash)
        return data


def _decode_expected(question: CodeQuestion, expected: Any) -> dict[str, CaseResult] | None:
    """The reference's cases from ``expected_examples``' data; None when it does not fit this
    question (another version, or malformed: it may have come through someone's cache)."""
    if not isinstance(expected, dict) or expected.get("content_hash") != question.content_hash:
        return None
    examples = expected.get("examples")
    if not isinstance(examples, dict):
        return None
    cases: dict[str, CaseResult] = {}
    try:
        for example in question.examples:
            item = examples.get(example.name)
            if not isinstance(item, dict):
                return None
            arrays = {str(key): load_npy(base64.b64decode(value["npy"], validate=True), RUN_ARRAY_BYTES)
                      for key, value in item.get("arrays", {}).items()}
            meta = item.get("meta", {})
            if not isinstance(meta, dict):
                return None
            cases[example.name] = CaseResult(example.name, arrays=arrays, meta=meta)
    except (ProtocolError, KeyError, TypeError, ValueError, AttributeError):
        return None
    return cases


# -- the result -----------------------------------------------------------------------------------
def _empty(termination: str, message: dict[str, str] | None) -> dict[str, Any]:
    return {"termination": termination, "message": message, "output": "", "output_truncated": False,
            "error": None, "examples": [], "scratch": {"ran": False, "value": None, "error": None},
            "ms": 0.0}


def _rejected(reason: str) -> dict[str, Any]:
    return _empty(REJECTED, {"ko": f"실행하지 않았습니다: {reason}", "en": f"Not run: {reason}"})


def _finish(result: dict[str, Any], started: float) -> dict[str, Any]:
    result["ms"] = round((time.perf_counter() - started) * 1000, 3)
    return _fit(json_safe(result))


def _present(question: CodeQuestion, job: JobSpec, student: JobResult,
             references: dict[str, CaseResult]) -> dict[str, Any]:
    result = _empty(student.termination, _message(student.termination, job.limits, student.detail))
    result["output"], result["output_truncated"] = student.output, student.output_truncated
    if student.module_error is not None:
        result["error"] = _module_error(student.module_error)
        if student.termination == OK:
            result["message"] = _load_message(result["error"])
        result["examples"] = [_example(example, None, references.get(example.name))
                              for example in question.examples]
        return result
    result["examples"] = [
        _example(example, student.cases.get(example.name), references.get(example.name))
        for example in question.examples
    ]
    if any(case.name == SCRATCH_CASE for case in job.cases):
        result["scratch"] = _scratch(student.cases.get(SCRATCH_CASE))
    return result


def _message(termination: str, limits: Limits, detail: str) -> dict[str, str] | None:
    cpu, wall = f"{limits.cpu_seconds:g}", f"{limits.wall_seconds:g}"
    if termination == TIMEOUT:
        return {"ko": f"코드가 {cpu}초(CPU 시간, 전체 {wall}초) 넘게 실행되어 중단되었습니다. "
                      "끝나지 않는 반복문이 있나요?",
                "en": f"Your code ran longer than {cpu} s (CPU; {wall} s in all) and was stopped "
                      "— an endless loop?"}
    if termination == MEMORY:
        return {"ko": f"코드가 메모리를 {limits.memory_mb} MB 넘게 사용하여 중단되었습니다.",
                "en": f"Your code used more than {limits.memory_mb} MB of memory and was stopped."}
    if termination == OUTPUT:
        kb, mb = limits.output_bytes // 1024, limits.result_bytes // (1024 * 1024)
        return {"ko": f"코드가 너무 많이 출력했거나(한도 {kb} KB) 너무 큰 결과를 돌려주어(한도 {mb} MB) "
                      "중단되었습니다. 출력을 줄이거나 더 작은 입력으로 실행해 보세요.",
                "en": f"Your code printed too much (limit {kb} KB) or returned too much data "
                      f"(limit {mb} MB) and was stopped. Print less, or try a smaller input."}
    if termination == KILLED:
        return {"ko": "코드가 끝까지 실행되지 못했습니다. 프로그램이 스스로 종료했거나(os._exit 등), "
                      "시그널로 종료되었거나, 너무 많은 프로세스를 만들었습니다.",
                "en": "Your code stopped before finishing: it exited by itself (os._exit, ...), was "
                      "killed by a signal, or started too many processes."}
    if termination == PROTOCOL:
        if "byte cap" in detail:
            mb = limits.array_bytes // (1024 * 1024)
            return {"ko": f"코드가 실행 결과로 보여 줄 수 있는 것보다 큰 배열(한도 {mb} MB)을 돌려주었습니다. "
                          "더 작은 입력으로 실행해 보세요.",
                    "en": f"Your code returned an array larger than a Run can show (limit {mb} MB). "
                          "Try a smaller input."}
        return {"ko": "코드가 돌려준 결과를 읽을 수 없었습니다 (결과 채널에 다른 데이터를 썼나요?).",
                "en": "The results your code sent back could not be read (did it write to the "
                      "runner's result channel?)."}
    return None


def _load_message(error: dict[str, Any]) -> dict[str, str]:
    kind, line = error["type"], error["line"]
    if line:
        return {"ko": f"파일을 불러오지 못했습니다: {line}번째 줄에서 {kind} 가 발생했습니다.",
                "en": f"Your file could not be loaded: {kind} on line {line}."}
    return {"ko": f"파일을 불러오지 못했습니다: {kind} 가 발생했습니다.",
            "en": f"Your file could not be loaded: {kind}."}


def _error(raw: dict[str, Any], where: str, line: Any = None) -> dict[str, Any]:
    """ERROR from a job's (already budget-checked) error dict."""
    traceback = raw.get("traceback", [])
    return {
        "type": str(raw.get("type", "Error"))[:200],
        "message": str(raw.get("message", ""))[:4000],
        "line": _line(raw.get("line") if line is None else line),
        "where": where,
        "traceback": [str(text)[:MAX_LINE_CHARS] for text in traceback[-MAX_TRACEBACK_LINES:]],
    }


def _line(value: Any) -> int | None:
    if isinstance(value, str) and value.isdigit() and len(value) <= 8:
        value = int(value)
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else None


def _module_error(raw: dict[str, Any]) -> dict[str, Any]:
    error = _error(raw, "module")
    text = raw.get("text")
    if isinstance(text, str) and text.strip() and error["line"]:  # a syntax error: show the line
        indent = len(text) - len(text.lstrip())
        offset = raw.get("offset")
        column = offset - 1 - indent if isinstance(offset, int) else 0
        caret = " " * (4 + min(max(0, column), 400)) + "^"
        error["traceback"] = [f'  File "{runner.STUDENT_FILE}", line {error["line"]}\n'
                              f"    {text.strip()[:400]}\n{caret[:MAX_LINE_CHARS]}"]
    return error


def _example(example: ExampleSpec, student: CaseResult | None,
             reference: CaseResult | None) -> dict[str, Any]:
    """One example: the student's and the reference's values side by side; ``student`` is None
    when the job never reached it (a load error, a stop), ``reference`` when it is unavailable."""
    compared = example.compare
    keys = list(reference.arrays) if reference is not None else list(student.arrays if student else [])
    keys += [spec.params["key"] for spec in compared]
    keys = list(dict.fromkeys(keys))[:MAX_SHOWN_ARRAYS]
    labels = {spec.params["key"]: spec.params.get("label", spec.params["key"]) for spec in compared}
    ran = student is not None and student.error is None
    arrays = []
    verdicts: list[bool] = []
    for key in keys:
        match = None
        specs = [spec for spec in compared if spec.params["key"] == key]
        if ran and reference is not None and specs:
            assert student is not None
            try:
                outcomes = [COMPARES[spec.kind].compare(spec.params, student, reference).passed
                            for spec in specs]
            except LookupError:  # the reference has no such value: the question's bug, not shown
                outcomes = []
            if outcomes:
                match = all(outcomes)
                verdicts.append(match)
        arrays.append({
            "key": key, "label": labels.get(key, key),
            "student": _value_view(student, key) if ran else None,
            "expected": _value_view(reference, key),
            "match": match,
        })
    passed: bool | None = None
    if student is not None and student.error is not None:
        passed = False
    elif ran and reference is not None and verdicts:
        passed = all(verdicts)
    error = None if student is None or student.error is None else _error(student.error, "example")
    return {"name": example.name, "title": dict(example.title), "passed": passed, "error": error,
            "arrays": arrays}


def _value_view(case: CaseResult | None, key: str) -> dict[str, Any] | None:
    if case is None:
        return None
    if key in case.arrays:
        return array_view(case.arrays[key])
    if key in case.meta:  # a small JSON value (``equal``): shown like a 1-D array of its items
        value = case.meta[key]
        text = repr(value)
        return {"shape": [len(value)] if isinstance(value, list) else [], "dtype": "str",
                "text": text if len(text) <= MAX_TEXT_CHARS else text[:MAX_TEXT_CHARS] + "…",
                "size": len(value) if isinstance(value, list) else 1, "min": None, "max": None}
    return None


def _scratch(case: CaseResult | None) -> dict[str, Any]:
    """The scratch cell's outcome; not ``ran`` when the job stopped before the cell finished."""
    if case is None:
        return {"ran": False, "value": None, "error": None}
    if case.error is not None:  # the cell broke the probe itself (e.g. replaced numpy's functions)
        return {"ran": True, "value": None, "error": _error(case.error, "scratch", line=0)}
    meta = case.meta
    if isinstance(meta.get("error_type"), str):
        traceback = meta.get("error_traceback")
        raw = {"type": meta["error_type"], "message": meta.get("error_message") or "",
               "traceback": traceback if isinstance(traceback, list) else []}
        return {"ran": True, "value": None,
                "error": _error(raw, "scratch", line=meta.get("error_line") or 0)}
    if "value" in case.arrays:
        return {"ran": True, "value": array_view(case.arrays["value"]), "error": None}
    if isinstance(meta.get("value_repr"), str):
        return {"ran": True, "value": {"repr": meta["value_repr"][:MAX_REPR_CHARS + 1]}, "error": None}
    return {"ran": True, "value": None, "error": None}


def _array_text(array: np.ndarray) -> str:
    """numpy's own text, summarised beyond ``PRINT_THRESHOLD`` elements; bounded in work and length
    whatever the shape (a summary keeps 2 x edgeitems per axis, which many axes multiply)."""
    if array.ndim == 0 or array.size <= PRINT_THRESHOLD:
        printed = array.size
        edgeitems = PRINT_EDGEITEMS
    else:
        for edgeitems in (PRINT_EDGEITEMS, 1):
            printed = int(np.prod([min(n, 2 * edgeitems) for n in array.shape]))
            if printed <= MAX_PRINTED_ELEMENTS:
                break
    if printed > MAX_PRINTED_ELEMENTS:
        return f"({array.ndim} axes: too many to print)"
    with np.errstate(all="ignore"):
        text = np.array2string(array, threshold=PRINT_THRESHOLD, edgeitems=edgeitems,
                               precision=PRINT_PRECISION, max_line_width=100)
    return text if len(text) <= MAX_TEXT_CHARS else text[:MAX_TEXT_CHARS] + "…"


def _size(result: dict[str, Any]) -> int:
    return len(json.dumps(result, ensure_ascii=False, allow_nan=False))


def _fit(result: dict[str, Any]) -> dict[str, Any]:
    """Keep the whole result under ``MAX_RESULT_CHARS``: first cut the output, then the arrays'
    texts, then the tracebacks (what a person reads first stays)."""
    size = _size(result)
    if size <= MAX_RESULT_CHARS:
        return result
    output = result["output"]
    keep = max(0, len(output) - (size - MAX_RESULT_CHARS) - 1000)
    if keep < len(output):
        result["output"], result["output_truncated"] = output[:max(keep, 2000)], True
    views = [entry[side] for example in result["examples"] for entry in example["arrays"]
             for side in ("student", "expected") if entry[side] is not None]
    if isinstance(result["scratch"]["value"], dict) and "text" in result["scratch"]["value"]:
        views.append(result["scratch"]["value"])
    for view in sorted(views, key=lambda item: -len(item["text"])):
        if _size(result) <= MAX_RESULT_CHARS:
            break
        view["text"] = view["text"][:200] + ("…" if len(view["text"]) > 200 else "")
    errors = [result["error"], result["scratch"]["error"]] + [e["error"] for e in result["examples"]]
    for error in errors:
        if error is not None and _size(result) > MAX_RESULT_CHARS:
            error["traceback"] = error["traceback"][-3:]
            error["message"] = error["message"][:500]
    if _size(result) > MAX_RESULT_CHARS:  # nothing left to cut but the output
        result["output"], result["output_truncated"] = "", True
    return result

"""The child side of a job: runs inside the sandbox (or in-process for trusted benchmarks).

``run_job`` executes the module under test, then each case's probe, and streams results to
``result_fd`` as frames (see ``grader.protocol``). Everything the module can do to this process
(monkeypatching, printing, exiting) only affects data the parent validates and compares outside.
"""

from __future__ import annotations

import contextlib
import io
import linecache
import os
import sys
import time
import traceback
import types
from collections.abc import Callable
from typing import Any

import numpy as np

from grader import protocol
from grader.harness import tools
from grader.job import CaseSpec, JobSpec


def preload() -> None:
    """Import, once and before any job, everything a job may need (the zygote calls this)."""
    import collections  # noqa: F401
    import copy  # noqa: F401
    import functools  # noqa: F401
    import itertools  # noqa: F401
    import json  # noqa: F401
    import math  # noqa: F401
    import pickle  # noqa: F401
    import random  # noqa: F401
    import zipfile  # noqa: F401

    import numpy.lib.stride_tricks  # noqa: F401
    import numpy.linalg  # noqa: F401
    import numpy.random  # noqa: F401  (every probe draws its inputs with it)

    from grader.harness import substitute, tools  # noqa: F401  (probes import them)

    np.zeros((2, 2)) @ np.zeros((2, 2))  # warm BLAS


def install_textbook(modules: dict[str, types.CodeType]) -> None:
    """Make the offered ``common.*`` modules importable; ``layers_conv`` joins ``common.layers``."""
    if "common" in sys.modules:  # never in a sandboxed job: a zygote holds no textbook module
        # (scanning sys.modules there would touch every key: a copy-on-write fault per page)
        for name in [key for key in sys.modules if key == "common" or key.startswith("common.")]:
            del sys.modules[name]
    package = types.ModuleType("common")
    package.__path__ = []
    sys.modules["common"] = package
    for name in protocol.TEXTBOOK_ORDER:
        if name not in modules:
            continue
        target = "layers" if name == "layers_conv" else name
        module = sys.modules.get(f"common.{target}")
        if module is None:
            module = types.ModuleType(f"common.{target}")
            module.__file__ = f"common/{target}.py"
            sys.modules[f"common.{target}"] = module
            setattr(package, target, module)
        exec(modules[name], module.__dict__)


# In a sandboxed job: the gate (written once the open cases are done, to ask for the sealed ones)
# and the channel the sealed cases then arrive on. See grader/sandbox/README.md, "Hidden checks".
GATE_FD = 5
SEALED_FD = 6


def run_job(job: JobSpec, result_fd: int, textbook: dict[str, types.CodeType] | None = None,
            probes: types.CodeType | None = None,
            unseal: Callable[[], tuple[CaseSpec, ...]] | None = None) -> None:
    """Run one job and stream its results. Returns normally after the final frame.

    ``probes``: the probes already compiled (by the grader's parent); ``unseal``: how the job gets
    its sealed cases once the open ones are done (default: ``job.sealed``, for trusted runs).
    """
    send = _sender(result_fd)
    install_textbook(textbook or {})
    module = _load_module(job.code, job.filename, "submission")
    if isinstance(module, dict):
        send(protocol.header_frame({"type": "module_error", "error": module}))
        send(protocol.header_frame({"type": "done"}))
        return
    if probes is None:
        probes = compile(job.probes, protocol.PROBES_FILE, "exec", dont_inherit=True)
    probes_module = _load_probes(probes)
    for case in job.cases:
        for chunk in _run_case(case, module, probes_module, job.filename):
            send(chunk)
    sealed = unseal() if unseal is not None else job.sealed
    for case in sealed:
        for chunk in _run_case(case, module, probes_module, job.filename):
            send(chunk)
    send(protocol.header_frame({"type": "done"}))


def unseal_through_gate() -> tuple[CaseSpec, ...]:
    """Cut this process's output off for good, ask for the sealed cases, read them.

    The parent stops reading the output before it sends them, so whatever this process (or
    anything it started) learns from them can no longer be printed to the student.
    """
    for stream in (sys.stdout, sys.stderr):
        _flush_quietly(stream)
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    os.dup2(devnull, 2)
    os.close(devnull)
    os.write(GATE_FD, b"s")
    os.close(GATE_FD)
    chunks = []
    while chunk := os.read(SEALED_FD, 1 << 16):
        chunks.append(chunk)
    os.close(SEALED_FD)
    return protocol.decode_sealed(b"".join(chunks))


def main() -> None:
    """Entry point of a fresh interpreter: the job on stdin, results on fd 3."""
    data = sys.stdin.buffer.read()
    payload = protocol.decode_job(data)
    preload()
    run_job(payload.job, 3, payload.textbook, payload.probes,
            unseal_through_gate if payload.sealed else lambda: ())
    sys.stdout.flush()
    os._exit(0)


def _sender(fd: int):  # type: ignore[no-untyped-def]
    def send(data: bytes) -> None:
        view = memoryview(data)
        while view:
            written = os.write(fd, view)
            view = view[written:]

    return send


def _load_probes(code: types.CodeType) -> types.ModuleType:
    module = types.ModuleType("probes")
    module.__file__ = protocol.PROBES_FILE
    sys.modules["probes"] = module
    try:
        exec(code, module.__dict__)
    except BaseException as error:
        raise RuntimeError(f"probes failed to load: {_describe(error, protocol.PROBES_FILE)}") from None
    return module


def _load_module(source: str, filename: str, name: str) -> types.ModuleType | dict[str, Any]:
    try:
        code = compile(source, filename, "exec", dont_inherit=True)
    except SyntaxError as error:
        return {
            "type": type(error).__name__,
            "message": str(error.msg),
            "line": error.lineno or 0,
            "offset": error.offset or 0,
            "text": (error.text or "").rstrip("\n"),
            "traceback": [],
        }
    except (ValueError, MemoryError, RecursionError) as error:  # NUL bytes, absurd nesting
        return {"type": type(error).__name__, "message": str(error), "traceback": []}
    # The source exists only in memory: register it so tracebacks can quote the student's lines.
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    module = types.ModuleType(name)
    module.__file__ = filename
    sys.modules[name] = module
    try:
        exec(code, module.__dict__)
    except BaseException as error:  # SystemExit and KeyboardInterrupt included: report, not die
        return _describe(error, filename)
    return module


def _run_case(case: CaseSpec, module: types.ModuleType, probes: types.ModuleType, filename: str):  # type: ignore[no-untyped-def]
    started = time.perf_counter()
    try:
        probe = getattr(probes, case.probe)
        rng = np.random.default_rng(case.seed)
        with _silenced(case.quiet):  # deferred values run the student's code too
            arrays, meta = _split_values(probe(module, rng, **case.args), case.skip)
    except BaseException as error:
        ms = (time.perf_counter() - started) * 1000
        yield protocol.header_frame(
            {"type": "case", "name": case.name, "ms": ms, "error": _describe(error, filename)}
        )
        return
    ms = (time.perf_counter() - started) * 1000
    header = {"type": "case", "name": case.name, "ms": ms, "arrays": list(arrays), "meta": meta}
    yield protocol.header_frame(header)
    for array in arrays.values():
        yield protocol.array_frame(array)


@contextlib.contextmanager
def _silenced(quiet: bool):  # type: ignore[no-untyped-def]
    """While ``quiet``, discard prints, at the Python level and at fds 1 and 2 (os.write, C code)."""
    if not quiet:
        yield
        return
    for stream in (sys.stdout, sys.stderr):
        _flush_quietly(stream)
    saved = [os.dup(1), os.dup(2)]
    devnull = os.open(os.devnull, os.O_WRONLY)
    python_streams = sys.stdout, sys.stderr
    try:
        os.dup2(devnull, 1)
        os.dup2(devnull, 2)
        sys.stdout = sys.stderr = io.StringIO()
        yield
    finally:
        sys.stdout, sys.stderr = python_streams
        os.dup2(saved[0], 1)
        os.dup2(saved[1], 2)
        for fd in (*saved, devnull):
            os.close(fd)


def _flush_quietly(stream: Any) -> None:
    with contextlib.suppress(Exception):  # a student may have replaced or closed it
        stream.flush()


class UnusableValue(TypeError):
    """A probe produced something that is not numeric data (an object array, a dict, ...)."""


def _split_values(produced: Any, skip: tuple[str, ...] = ()) -> tuple[dict[str, np.ndarray], dict[str, Any]]:
    """The probe's values as arrays and small JSON values; deferred ones computed now, unless
    skipped (``tools.Deferred``)."""
    if not isinstance(produced, dict):
        raise UnusableValue("the probe did not return a dict")
    arrays: dict[str, np.ndarray] = {}
    meta: dict[str, Any] = {}
    for key, value in produced.items():
        if isinstance(value, tools.Deferred):
            if key in skip:
                continue
            value = value.compute()
        if _is_meta(value):
            meta[str(key)] = value
            continue
        try:
            array = np.asarray(value)
        except Exception as error:
            raise UnusableValue(f"{key}: cannot be turned into an array ({error})") from None
        if type(array) is not np.ndarray:
            array = np.array(array, subok=False)
        if array.dtype.hasobject or array.dtype.kind not in protocol.NUMERIC_KINDS:
            raise UnusableValue(
                f"{key}: expected a numeric array, got dtype {array.dtype} "
                f"(a {type(value).__name__}); return NumPy arrays of numbers"
            )
        arrays[str(key)] = array
    return arrays, meta


def _is_meta(value: Any) -> bool:
    if value is None or isinstance(value, (str, bool)):
        return True
    if isinstance(value, (list, tuple)) and len(value) <= protocol.MAX_META_ITEMS:
        return all(isinstance(item, (str, bool)) or item is None for item in value)
    return False


def _describe(error: BaseException, filename: str) -> dict[str, Any]:
    """An exception as data, with traceback lines from the student's own file only."""
    try:
        message = str(error)
    except BaseException:
        message = "<unprintable message>"
    lines: list[str] = []
    for frame_summary in traceback.extract_tb(error.__traceback__):
        if frame_summary.filename == filename:
            lines.append(
                f'  File "{filename}", line {frame_summary.lineno}, in {frame_summary.name}\n'
                f"    {(frame_summary.line or '').strip()}"
            )
    described: dict[str, Any] = {
        "type": type(error).__name__,
        "message": message[:4000],
        "traceback": lines[-20:],
    }
    if lines:
        described["line"] = traceback.extract_tb(error.__traceback__)[-1].lineno
        for frame_summary in reversed(traceback.extract_tb(error.__traceback__)):
            if frame_summary.filename == filename:
                described["line"] = frame_summary.lineno
                break
    return described

"""The wire format between the grader and a job's child process.

Parent -> child: the job, marshalled (``encode_job``): the module under test as source, the
question's probes and the offered textbook modules already compiled by the parent. A job's *sealed*
cases (hidden checks) travel separately (``encode_sealed``), and only once the job has asked for
them and its output has been cut off (see ``grader/sandbox/README.md``, "Hidden checks").
Child -> parent: a stream of frames on a dedicated result channel (never stdout). A frame is a
1-byte type, a 4-byte big-endian length and the payload: ``H`` a JSON header, ``A`` one ``.npy``
array belonging to the preceding case header. The parent trusts nothing it reads: sizes are capped,
``.npy`` headers are checked before loading, pickles and object arrays are refused; frames that
arrived after the sealed cases were sent may only be those cases' results.
"""

from __future__ import annotations

import io
import json
import marshal
import math
import os
import re
import struct
import types
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from grader.job import CaseResult, CaseSpec, JobSpec, Limits
from grader.sanitize import clean_text

HEADER = b"H"
ARRAY = b"A"
_FRAME = struct.Struct(">cI")
MAX_HEADER_BYTES = 64 * 1024  # one JSON header frame; the harness writes a few KiB at most
NUMERIC_KINDS = "biufc"  # bool, signed, unsigned, float, complex

TEXTBOOK_DIR = Path(__file__).resolve().parent / "textbook" / "common"
# Import order matters: later modules import earlier ones.
TEXTBOOK_ORDER = ("functions", "util", "gradient", "layers", "layers_conv")
PROBES_FILE = "probes.py"
# Filled only in the grader's own process: a job's view holds no textbook file, and the zygote
# never holds a textbook module (a job must see only the modules its question offers).
_textbook_code: dict[tuple[str, str], bytes] = {}
# The probes of the questions this process grades, compiled once per source (grader's side only).
_probes_code: dict[str, bytes] = {}
PROBES_CODE_CACHE = 256


_textbook_sources: dict[str, tuple[tuple[int, int], str]] = {}


def textbook_source(name: str) -> str:
    """The module's source, read again only when its file changed (a stat per call, not a read:
    every job and every reference key asks). The same string object each time, so the compiled
    cache's lookup by source hashes it once."""
    path = TEXTBOOK_DIR / f"{name}.py"
    status = os.stat(path)
    stamp = (status.st_mtime_ns, status.st_size)
    cached = _textbook_sources.get(name)
    if cached is not None and cached[0] == stamp:
        return cached[1]
    source = path.read_text(encoding="utf-8")
    _textbook_sources[name] = (stamp, source)
    return source


def textbook_code(names: tuple[str, ...] | list[str]) -> dict[str, bytes]:
    """The offered ``common.*`` modules, compiled here once per source and marshalled: the job
    only loads them (no compile per job) and never sees a module its question does not offer."""
    offered = {}
    for name in TEXTBOOK_ORDER:
        if name in names:
            source = textbook_source(name)
            blob = _textbook_code.get((name, source))
            if blob is None:
                code = compile(source, f"common/{name}.py", "exec", dont_inherit=True)
                blob = _textbook_code[(name, source)] = marshal.dumps(code)
            offered[name] = blob
    return offered


def probes_code(source: str) -> bytes:
    """A question's probes compiled here once and marshalled: a job only loads them."""
    blob = _probes_code.get(source)
    if blob is None:
        if len(_probes_code) >= PROBES_CODE_CACHE:
            _probes_code.clear()
        blob = _probes_code[source] = marshal.dumps(
            compile(source, PROBES_FILE, "exec", dont_inherit=True))
    return blob


def encode_job(job: JobSpec, textbook: dict[str, bytes] | None = None) -> bytes:
    """Serialise a job without its sealed cases (only their number), with its compiled probes and
    the compiled ``common.*`` modules it may import (default: the ones ``job.textbook`` offers).
    marshal, not JSON: the payload only ever goes from the grader to a job, never back."""
    if textbook is None:
        textbook = textbook_code(job.textbook)
    return marshal.dumps({
        "code": job.code,
        "filename": job.filename,
        "probes": job.probes,
        "probes_code": probes_code(job.probes),
        "cases": [_case_tuple(case) for case in job.cases],
        "sealed": len(job.sealed),
        "textbook": textbook,
        "limits": asdict(job.limits),
    })


@dataclass
class JobPayload:
    """What a job's child process receives: the job (its sealed cases not yet), compiled code."""

    job: JobSpec
    textbook: dict[str, types.CodeType]
    probes: types.CodeType
    sealed: int  # how many sealed cases the job will ask for once its open cases are done


def decode_job(data: bytes) -> JobPayload:
    """The child's side of ``encode_job``."""
    # marshal is safe here: the payload comes from the grader's parent, never from a job
    document = marshal.loads(data)
    job = JobSpec(
        code=document["code"],
        filename=document["filename"],
        probes=document["probes"],
        cases=tuple(_case_spec(case) for case in document["cases"]),
        textbook=tuple(document["textbook"]),
        limits=Limits(**document["limits"]),
    )
    modules = {name: marshal.loads(blob) for name, blob in document["textbook"].items()}
    return JobPayload(job, modules, marshal.loads(document["probes_code"]), document["sealed"])


def encode_sealed(job: JobSpec) -> bytes:
    return marshal.dumps([_case_tuple(case) for case in job.sealed])


def decode_sealed(data: bytes) -> tuple[CaseSpec, ...]:
    return tuple(_case_spec(case) for case in marshal.loads(data))


def _case_tuple(case: CaseSpec) -> tuple:
    return (case.name, case.probe, case.args, case.seed, case.quiet, case.skip)


def _case_spec(fields: tuple) -> CaseSpec:
    name, probe, args, seed, quiet, skip = fields
    return CaseSpec(name, probe, args, seed, quiet, tuple(skip))


def frame(kind: bytes, payload: bytes) -> bytes:
    return _FRAME.pack(kind, len(payload)) + payload


def header_frame(header: dict[str, Any]) -> bytes:
    return frame(HEADER, json.dumps(header, allow_nan=False).encode("utf-8"))


def array_frame(array: np.ndarray) -> bytes:
    """One array as an ``.npy`` blob (version 1.0, C order), written here rather than by np.save:
    the same header form (what ``load_npy`` accepts) at a fraction of the cost, since a job sends
    dozens of arrays. A dtype np.save would describe differently (records, objects) goes to np.save
    itself, and the parent refuses it."""
    array = np.ascontiguousarray(array)
    descr = array.dtype.str
    if descr not in _NPY_DESCRS:
        buffer = io.BytesIO()
        np.save(buffer, array, allow_pickle=False)
        return frame(ARRAY, buffer.getvalue())
    header = f"{{'descr': '{descr}', 'fortran_order': False, 'shape': {array.shape!r}, }}"
    padding = -(len(_NPY_MAGIC) + 4 + len(header) + 1) % 64  # the data starts 64-byte aligned
    header = (header + " " * padding + "\n").encode("latin-1")
    return frame(ARRAY, _NPY_MAGIC + b"\x01\x00" + len(header).to_bytes(2, "little") + header
                 + array.tobytes())


class ProtocolError(Exception):
    """The result channel carried something malformed: the job's data is not trusted.

    Its text becomes ``JobResult.detail``: it describes the problem and never quotes the job's data
    (a name, a number, an exception message), which could carry what the job saw in hidden checks.
    """


@dataclass
class DecodedResults:
    cases: dict[str, CaseResult] = field(default_factory=dict)
    module_error: dict[str, Any] | None = None
    done: bool = False
    problem: str | None = None  # set when decoding stopped at malformed data


# Budgets for what one stream may hold. The frame sequence itself is bounded by the protocol (each
# expected case once, <= MAX_CASE_ARRAYS arrays each), so these keep every step small.
MAX_NPY_HEADER_BYTES = 4096  # np.save writes ~128 bytes (a few hundred for many dimensions)
MAX_NPY_DIMS = 64  # NumPy's own limit
MAX_CASES = 1024  # only matters when the caller does not say which cases to expect
MAX_CASE_ARRAYS = 64
MAX_NAME_CHARS = 200
MAX_META_KEYS = 256
MAX_META_ITEMS = 256  # the harness sends lists of at most this many items
MAX_META_CHARS = 4096
MAX_MESSAGE_CHARS = 4000
MAX_LINE_CHARS = 500
MAX_TRACEBACK_LINES = 40
MAX_MS = 1e7  # far beyond any wall-clock limit
MAX_LINE_NUMBER = 10**7

_NPY_MAGIC = b"\x93NUMPY"
# Only the descriptors np.save writes for plain numeric arrays: every width NumPy has, both byte
# orders ("|" for one-byte types). Anything else (text, records, objects, datetimes) is refused.
_NPY_DESCRS = frozenset(
    descr
    for dtype in map(np.dtype, "?" + np.typecodes["AllInteger"] + np.typecodes["AllFloat"])
    for descr in (dtype.newbyteorder("<").str, dtype.newbyteorder(">").str)
)
_NPY_DIM = r"(?:0|[1-9][0-9]{0,11})"
# Exactly the header np.save writes: the only accepted form. NumPy's own header parser runs
# ast.literal_eval on it, which costs a compile() per array and lets a crafted header burn CPU
# and memory, so it is never called on job data.
_NPY_HEADER = re.compile(
    r"\{'descr': '([<>|][A-Za-z][0-9]{0,2})', 'fortran_order': (True|False), "
    rf"'shape': \((|{_NPY_DIM},|{_NPY_DIM}(?:, {_NPY_DIM}){{1,{MAX_NPY_DIMS - 1}}})\), \}} *\n"
)


def _npy_header(blob: bytes | memoryview) -> tuple[tuple[int, ...], bool, np.dtype, int]:
    """(shape, fortran order, dtype, data offset) of an ``.npy`` blob, from np.save's exact form."""
    if bytes(blob[:6]) != _NPY_MAGIC or bytes(blob[6:8]) not in (b"\x01\x00", b"\x02\x00"):
        raise ProtocolError("bad .npy header: not an .npy blob of version 1 or 2")
    start = 10 if blob[6] == 1 else 12
    length = int.from_bytes(blob[8:start], "little")
    if length > MAX_NPY_HEADER_BYTES:  # checked before the header is even sliced
        raise ProtocolError("bad .npy header: header too long")
    if start + length > len(blob):
        raise ProtocolError("bad .npy header: truncated")
    match = _NPY_HEADER.fullmatch(bytes(blob[start:start + length]).decode("latin-1"))
    if match is None:
        raise ProtocolError("bad .npy header: not the form np.save writes for a numeric array")
    descr, fortran, dims = match.groups()
    if descr not in _NPY_DESCRS:
        raise ProtocolError("refused array dtype: not a plain numeric type")
    shape = tuple(int(n) for n in dims.split(",") if n)
    return shape, fortran == "True", np.dtype(descr), start + length


def load_npy(blob: bytes | memoryview, max_bytes: int) -> np.ndarray:
    """Load one ``.npy`` blob after checking its header: numeric dtype, sane shape, exact size."""
    shape, fortran, dtype, offset = _npy_header(blob)
    count = 1
    for n in shape:
        count *= n
    if count * dtype.itemsize > max_bytes:
        raise ProtocolError("array over the per-array byte cap")
    if len(blob) - offset != count * dtype.itemsize:
        raise ProtocolError("array data does not match its header")
    if count == 0:
        return np.empty(shape, dtype=dtype, order="F" if fortran else "C")
    # Read the data straight from the blob, then copy into a plain, owned, writeable ndarray.
    flat = np.frombuffer(blob, dtype=dtype, count=count, offset=offset)
    return flat.reshape(shape, order="F" if fortran else "C").copy(order="K")


@dataclass
class _Pending:
    """A case header whose arrays are still arriving, in the order its ``arrays`` list names them."""

    case: CaseResult
    keys: list[str]
    next: int = 0


@dataclass(frozen=True)
class Sealing:
    """Where the stream's sealed part begins: the bytes read before the sealed cases were sent
    (``at``) may hold only the open cases; the rest only the sealed ones (``cases``) and "done"."""

    at: int
    cases: tuple[str, ...]


def decode_results(
    data: bytes | bytearray | memoryview, limits: Limits,
    expected_cases: tuple[str, ...] | None = None, sealing: Sealing | None = None,
) -> DecodedResults:
    """Parse the result stream. Never raises: stops at the first malformed frame and says why in
    ``problem``, keeping the cases completed before it. Bounded work whatever the stream holds."""
    result = DecodedResults()
    pending: _Pending | None = None
    try:
        if len(data) > limits.result_bytes:
            raise ProtocolError("result data over the result byte cap")
        pending = _decode_frames(memoryview(data), limits, expected_cases, result, sealing)
    except ProtocolError as error:
        result.problem = str(error)
    except Exception as error:  # whatever the data provoked (MemoryError included) is a verdict
        # The type only: an exception's text may quote the job's data.
        result.problem = f"result data could not be decoded ({type(error).__name__})"
    if pending is not None and result.problem is None:
        result.problem = "a case ended before its arrays"
    if result.problem is not None or not result.done:
        # The harness sends a module error and "done" back to back: anything else around it is
        # forged, and a module error's message is shown to the student.
        result.module_error = None
    return result


def _decode_frames(
    view: memoryview, limits: Limits, expected: tuple[str, ...] | None, result: DecodedResults,
    sealing: Sealing | None = None,
) -> _Pending | None:
    """Read frames into ``result``; returns the case still waiting for arrays, if any."""
    position = 0
    pending: _Pending | None = None
    sealed_part = False
    while position < len(view):
        if result.done:
            raise ProtocolError("data after the final frame")
        if len(view) - position < _FRAME.size:
            raise ProtocolError("truncated frame")
        kind, length = _FRAME.unpack_from(view, position)
        if sealing is not None and not sealed_part and position >= sealing.at:
            # written once the job could know its sealed cases: only their results count
            if pending is not None:
                raise ProtocolError("a case's arrays came after the sealed cases were sent")
            sealed_part, expected = True, sealing.cases
        # a module error is shown: believed only as the very first frame, before any sealed case
        first = position == 0 and not sealed_part
        position += _FRAME.size
        if length > len(view) - position:
            raise ProtocolError("truncated frame payload")
        if sealing is not None and position - _FRAME.size < sealing.at < position + length:
            raise ProtocolError("a frame spans the moment the sealed cases were sent")
        payload = view[position:position + length]  # a view: array data is copied only once
        position += length
        if kind == ARRAY:
            if pending is None:
                raise ProtocolError("array frame without a case header")
            pending.case.arrays[pending.keys[pending.next]] = load_npy(payload, limits.array_bytes)
            pending.next += 1
            if pending.next == len(pending.keys):
                result.cases[pending.case.name] = pending.case
                pending = None
            continue
        if kind != HEADER:
            raise ProtocolError("unknown frame type")
        if pending is not None:
            raise ProtocolError("a case is missing arrays")
        if length > MAX_HEADER_BYTES:
            raise ProtocolError("header frame too large")
        pending = _apply_header(result, _parse_header(bytes(payload)), expected, first)
    return pending


def _refuse_constant(name: str) -> float:
    raise ValueError("NaN and Infinity are not JSON")


def _parse_header(payload: bytes) -> dict[str, Any]:
    try:
        header = json.loads(payload.decode("utf-8"), parse_constant=_refuse_constant)
    except (UnicodeError, ValueError, RecursionError, MemoryError, OverflowError):
        # The type only: the decoder's message quotes the offending text.
        raise ProtocolError("header is not JSON") from None
    if not isinstance(header, dict) or not isinstance(header.get("type"), str):
        raise ProtocolError("header is not an object with a type")
    return header


def _apply_header(
    result: DecodedResults, header: dict[str, Any], expected: tuple[str, ...] | None,
    first: bool,
) -> _Pending | None:
    kind = header["type"]
    if kind == "done":
        result.done = True
        return None
    if result.module_error is not None:
        raise ProtocolError("frames after a module error")
    if kind == "module_error":
        # Shown to the student: only believed before any check ran, so that it cannot carry what
        # the code gathered during hidden checks.
        if not first:
            raise ProtocolError("module error after other frames")
        result.module_error = _error_dict(header.get("error"))
        return None
    if kind != "case":
        raise ProtocolError("unknown header type")
    name = header.get("name")
    if not isinstance(name, str) or (expected is not None and name not in expected):
        raise ProtocolError("unexpected case name")
    if expected is None:
        if len(name) > MAX_NAME_CHARS:
            raise ProtocolError("case name too long")
        if len(result.cases) >= MAX_CASES:
            raise ProtocolError("too many cases")
        name = clean_text(name)
    if name in result.cases:
        raise ProtocolError("a case reported twice")
    keys = _array_names(header.get("arrays", []))
    error = header.get("error")
    case = CaseResult(name=name, meta=_meta(header.get("meta", {})),
                      error=None if error is None else _error_dict(error), ms=_ms(header.get("ms")))
    if not keys:
        result.cases[name] = case
        return None
    return _Pending(case, keys)


def _array_names(keys: Any) -> list[str]:
    if not isinstance(keys, list) or len(keys) > MAX_CASE_ARRAYS:
        raise ProtocolError("case arrays must be a short list of names")
    if not all(isinstance(key, str) and len(key) <= MAX_NAME_CHARS for key in keys):
        raise ProtocolError("case arrays must be a short list of names")
    names = [clean_text(key) for key in keys]
    if len(set(names)) != len(names):
        raise ProtocolError("case array names repeat")
    return names


def _meta(meta: Any) -> dict[str, Any]:
    """The harness's small JSON values: text, booleans, null, or short lists of those. Compared
    against the reference, so an over-long value is refused, not cut (a cut could make two differ-
    ent values equal)."""
    if not isinstance(meta, dict) or len(meta) > MAX_META_KEYS:
        raise ProtocolError("case meta malformed")
    clean: dict[str, Any] = {}
    for key, value in meta.items():
        if len(key) > MAX_NAME_CHARS:
            raise ProtocolError("case meta malformed")
        if isinstance(value, list):
            if len(value) > MAX_META_ITEMS:
                raise ProtocolError("case meta list too long")
            clean[clean_text(key)] = [_meta_scalar(item) for item in value]
        else:
            clean[clean_text(key)] = _meta_scalar(value)
    return clean


def _meta_scalar(value: Any) -> str | bool | None:
    if value is None or isinstance(value, bool):
        return value
    if not isinstance(value, str):
        raise ProtocolError("case meta values must be text, booleans, null or lists of those")
    if len(value) > MAX_META_CHARS:
        raise ProtocolError("case meta text too long")
    return clean_text(value)


def _ms(value: Any) -> float:
    """A duration for display: anything but a plain finite number in range counts as 0."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return 0.0
    if isinstance(value, int) and not 0 <= value <= MAX_MS:  # before float(): 400 digits overflow
        return 0.0
    ms = float(value)
    return ms if math.isfinite(ms) and 0.0 <= ms <= MAX_MS else 0.0


def _text(value: Any, default: str, limit: int) -> str:
    """Text the student will read: cut to ``limit`` first (cheap), then made valid UTF-8."""
    return clean_text(value[:limit]) if isinstance(value, str) else default


def _error_dict(error: Any) -> dict[str, Any]:
    if not isinstance(error, dict):
        raise ProtocolError("error must be an object")
    traceback = error.get("traceback", [])
    if not isinstance(traceback, list) or not all(isinstance(line, str) for line in traceback):
        raise ProtocolError("error traceback must be a list of strings")
    clean: dict[str, Any] = {
        "type": _text(error.get("type"), "Error", MAX_NAME_CHARS),
        "message": _text(error.get("message"), "", MAX_MESSAGE_CHARS),
        "traceback": [_text(line, "", MAX_LINE_CHARS) for line in traceback[:MAX_TRACEBACK_LINES]],
    }
    for key in ("line", "offset"):
        number = error.get(key)
        if isinstance(number, int) and not isinstance(number, bool):
            clean[key] = max(0, min(MAX_LINE_NUMBER, number))
    if isinstance(error.get("text"), str):
        clean["text"] = _text(error["text"], "", MAX_LINE_CHARS)
    return clean

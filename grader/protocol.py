"""The wire format between the grader and a job's child process.

Parent -> child: the job, as one JSON document (the offered textbook modules compiled; see
``encode_job``).
Child -> parent: a stream of frames on a dedicated result channel (never stdout). A frame is a
1-byte type, a 4-byte big-endian length and the payload: ``H`` a JSON header, ``A`` one ``.npy``
array belonging to the preceding case header. The parent trusts nothing it reads: sizes are capped,
``.npy`` headers are checked before loading, pickles and object arrays are refused.
"""

from __future__ import annotations

import base64
import io
import json
import marshal
import math
import re
import struct
import types
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from grader.job import CaseResult, CaseSpec, JobSpec, Limits

HEADER = b"H"
ARRAY = b"A"
_FRAME = struct.Struct(">cI")
MAX_HEADER_BYTES = 64 * 1024  # one JSON header frame; the harness writes a few KiB at most
NUMERIC_KINDS = "biufc"  # bool, signed, unsigned, float, complex

TEXTBOOK_DIR = Path(__file__).resolve().parent / "textbook" / "common"
# Import order matters: later modules import earlier ones.
TEXTBOOK_ORDER = ("functions", "util", "gradient", "layers", "layers_conv")
# Filled only in the grader's own process: a job's view holds no textbook file, and the zygote
# never holds a textbook module (a job must see only the modules its question offers).
_textbook_code: dict[tuple[str, str], bytes] = {}


def textbook_source(name: str) -> str:
    return (TEXTBOOK_DIR / f"{name}.py").read_text(encoding="utf-8")


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


def encode_job(job: JobSpec, textbook: dict[str, bytes] | None = None) -> bytes:
    """Serialise a job with the compiled ``common.*`` modules it may import (default: the ones
    ``job.textbook`` offers)."""
    if textbook is None:
        textbook = textbook_code(job.textbook)
    document = {
        "code": job.code,
        "filename": job.filename,
        "probes": job.probes,
        "cases": [asdict(case) for case in job.cases],
        "textbook": list(textbook),
        "textbook_code": {name: base64.b64encode(blob).decode("ascii") for name, blob in textbook.items()},
        "limits": asdict(job.limits),
    }
    return json.dumps(document).encode("utf-8")


def decode_job(data: bytes) -> tuple[JobSpec, dict[str, types.CodeType]]:
    """The child's side of ``encode_job``: the job and the textbook modules it carries."""
    document = json.loads(data.decode("utf-8"))
    job = JobSpec(
        code=document["code"],
        filename=document["filename"],
        probes=document["probes"],
        cases=tuple(CaseSpec(**case) for case in document["cases"]),
        textbook=tuple(document["textbook"]),
        limits=Limits(**document["limits"]),
    )
    # marshal is safe here: the payload comes from the grader's parent, never from a job
    modules = {name: marshal.loads(base64.b64decode(blob))
               for name, blob in document["textbook_code"].items()}
    return job, modules


def frame(kind: bytes, payload: bytes) -> bytes:
    return _FRAME.pack(kind, len(payload)) + payload


def header_frame(header: dict[str, Any]) -> bytes:
    return frame(HEADER, json.dumps(header, allow_nan=False).encode("utf-8"))


def array_frame(array: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    np.save(buffer, np.ascontiguousarray(array), allow_pickle=False)
    return frame(ARRAY, buffer.getvalue())


class ProtocolError(Exception):
    """The result channel carried something malformed: the job's data is not trusted."""


@dataclass
class DecodedResults:
    cases: dict[str, CaseResult] = field(default_factory=dict)
    module_error: dict[str, Any] | None = None
    done: bool = False
    problem: str | None = None  # set when decoding stopped at malformed data


_NPY_MAGIC = b"\x93NUMPY"
# The header np.save writes for a plain numeric array. Matching it directly avoids numpy's
# ast.literal_eval (a compile() per array, ~30 per grading); anything else takes numpy's parser.
_NPY_FAST_HEADER = re.compile(
    r"\{'descr': '([<>|][biufc][0-9]{1,2})', 'fortran_order': (True|False), "
    r"'shape': \(((?:[0-9]{1,12}, ?)*(?:[0-9]{1,12})?)\), \} *\n"
)


def _npy_header(blob: bytes) -> tuple[tuple[int, ...], bool, np.dtype, int]:
    """(shape, fortran order, dtype, data offset) of an ``.npy`` blob."""
    if blob[:6] == _NPY_MAGIC and blob[6:8] in (b"\x01\x00", b"\x02\x00"):
        size_bytes = 2 if blob[6] == 1 else 4
        start = 8 + size_bytes
        length = int.from_bytes(blob[8:start], "little")
        match = _NPY_FAST_HEADER.fullmatch(blob[start:start + length].decode("latin-1"))
        if match:
            descr, fortran, dims = match.groups()
            shape = tuple(int(n) for n in dims.replace(" ", "").split(",") if n)
            return shape, fortran == "True", np.dtype(descr), start + length
    stream = io.BytesIO(blob)
    try:
        version = np.lib.format.read_magic(stream)
        if version == (1, 0):
            shape, fortran, dtype = np.lib.format.read_array_header_1_0(stream)
        elif version == (2, 0):
            shape, fortran, dtype = np.lib.format.read_array_header_2_0(stream)
        else:
            raise ProtocolError(f"unsupported .npy version {version}")
    except ProtocolError:
        raise
    except Exception as error:  # numpy raises ValueError/TypeError on garbage headers
        raise ProtocolError(f"bad .npy header: {error}") from None
    return shape, fortran, dtype, stream.tell()


def load_npy(blob: bytes, max_bytes: int) -> np.ndarray:
    """Load one ``.npy`` blob after checking its header: numeric dtype, sane shape, exact size."""
    shape, fortran, dtype, offset = _npy_header(blob)
    if dtype.hasobject or dtype.kind not in NUMERIC_KINDS or dtype.fields is not None:
        raise ProtocolError(f"refused array dtype {dtype}")
    if len(shape) > 16 or any(not isinstance(n, int) or n < 0 for n in shape):
        raise ProtocolError(f"refused array shape {shape}")
    count = 1
    for n in shape:
        count *= n
    nbytes = count * dtype.itemsize
    if nbytes > max_bytes:
        raise ProtocolError(f"array of {nbytes} bytes is over the {max_bytes}-byte cap")
    if len(blob) - offset != nbytes:
        raise ProtocolError("array data does not match its header")
    # Read the data straight from the blob, then copy into a plain, owned, writeable ndarray.
    flat = np.frombuffer(blob, dtype=dtype, count=count, offset=offset)
    return flat.reshape(shape, order="F" if fortran else "C").copy(order="K")


def decode_results(
    data: bytes, limits: Limits, expected_cases: tuple[str, ...] | None = None
) -> DecodedResults:
    """Parse the result stream. Stops at the first malformed frame and says why in ``problem``."""
    result = DecodedResults()
    view = memoryview(data)
    position = 0
    pending: CaseResult | None = None
    pending_keys: list[str] = []
    try:
        if len(data) > limits.result_bytes:
            raise ProtocolError(f"result data over the {limits.result_bytes}-byte cap")
        while position < len(view):
            if result.done:
                raise ProtocolError("data after the final frame")
            if len(view) - position < _FRAME.size:
                raise ProtocolError("truncated frame")
            kind, length = _FRAME.unpack_from(view, position)
            position += _FRAME.size
            if length > len(view) - position:
                raise ProtocolError("truncated frame payload")
            payload = bytes(view[position : position + length])
            position += length
            if kind == ARRAY:
                if pending is None or not pending_keys:
                    raise ProtocolError("array frame without a case header")
                pending.arrays[pending_keys.pop(0)] = load_npy(payload, limits.array_bytes)
                if not pending_keys:
                    result.cases[pending.name] = pending
                    pending = None
                continue
            if kind != HEADER:
                raise ProtocolError(f"unknown frame type {kind!r}")
            if pending is not None:
                raise ProtocolError(f"case {pending.name!r} is missing arrays")
            if length > MAX_HEADER_BYTES:
                raise ProtocolError("header frame too large")
            pending, pending_keys = _apply_header(result, _parse_header(payload), expected_cases)
    except ProtocolError as error:
        result.problem = str(error)
    if pending is not None and result.problem is None:
        result.problem = f"case {pending.name!r} ended before its arrays"
    return result


def _parse_header(payload: bytes) -> dict[str, Any]:
    try:
        header = json.loads(payload.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as error:
        raise ProtocolError(f"header is not JSON: {error}") from None
    if not isinstance(header, dict) or not isinstance(header.get("type"), str):
        raise ProtocolError("header is not an object with a type")
    return header


def _apply_header(
    result: DecodedResults, header: dict[str, Any], expected: tuple[str, ...] | None
) -> tuple[CaseResult | None, list[str]]:
    kind = header["type"]
    if kind == "done":
        result.done = True
        return None, []
    if kind == "module_error":
        result.module_error = _error_dict(header.get("error"))
        return None, []
    if kind != "case":
        raise ProtocolError(f"unknown header type {kind!r}")
    name = header.get("name")
    if not isinstance(name, str) or (expected is not None and name not in expected):
        raise ProtocolError(f"unexpected case name {name!r}")
    if name in result.cases:
        raise ProtocolError(f"case {name!r} reported twice")
    keys = header.get("arrays", [])
    meta = header.get("meta", {})
    if not isinstance(keys, list) or not all(isinstance(k, str) for k in keys):
        raise ProtocolError("case arrays must be a list of names")
    if len(set(keys)) != len(keys) or not isinstance(meta, dict):
        raise ProtocolError("case arrays/meta malformed")
    ms = header.get("ms", 0.0)
    case = CaseResult(
        name=name,
        meta=meta,
        error=_error_dict(header["error"]) if header.get("error") is not None else None,
        ms=float(ms) if isinstance(ms, (int, float)) else 0.0,
    )
    if not keys:
        result.cases[name] = case
        return None, []
    return case, list(keys)


def _error_dict(error: Any) -> dict[str, Any]:
    if not isinstance(error, dict):
        raise ProtocolError("error must be an object")
    traceback = error.get("traceback", [])
    if not isinstance(traceback, list) or not all(isinstance(line, str) for line in traceback):
        raise ProtocolError("error traceback must be a list of strings")
    clean: dict[str, Any] = {
        "type": str(error.get("type", "Error"))[:200],
        "message": str(error.get("message", ""))[:4000],
        "traceback": [line[:500] for line in traceback[:40]],
    }
    for key in ("line", "offset"):
        if isinstance(error.get(key), int):
            clean[key] = error[key]
    if isinstance(error.get("text"), str):
        clean["text"] = error["text"][:500]
    return clean

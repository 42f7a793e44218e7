"""The parent never trusts the result channel: lying or oversized data is refused, not loaded."""

import io
import json
import math
import pickle
import time
import tracemalloc

import numpy as np
import pytest

from grader import protocol
from grader.job import Limits

LIMITS = Limits()


def case(name, arrays=(), meta=None):
    frames = protocol.header_frame({"type": "case", "name": name, "arrays": [k for k, _ in arrays],
                                    "meta": meta or {}})
    return frames + b"".join(protocol.array_frame(a) for _, a in arrays)


DONE = protocol.header_frame({"type": "done"})


def test_a_well_formed_stream_round_trips():
    data = case("c1", [("out", np.arange(6.0).reshape(2, 3))], {"keys": ["a"]}) + DONE
    decoded = protocol.decode_results(data, LIMITS, ("c1",))
    assert decoded.done and decoded.problem is None
    assert decoded.cases["c1"].arrays["out"].shape == (2, 3)
    assert decoded.cases["c1"].meta == {"keys": ["a"]}


def test_object_arrays_are_refused_before_loading():
    buffer = io.BytesIO()
    np.save(buffer, np.array([object()], dtype=object), allow_pickle=True)
    data = protocol.header_frame({"type": "case", "name": "c1", "arrays": ["out"]})
    data += protocol.frame(protocol.ARRAY, buffer.getvalue()) + DONE
    decoded = protocol.decode_results(data, LIMITS, ("c1",))
    assert "refused array dtype" in decoded.problem
    assert "c1" not in decoded.cases


def test_a_raw_pickle_is_not_an_array():
    data = protocol.header_frame({"type": "case", "name": "c1", "arrays": ["out"]})
    data += protocol.frame(protocol.ARRAY, pickle.dumps(np.zeros(3))) + DONE
    assert "bad .npy header" in protocol.decode_results(data, LIMITS, ("c1",)).problem


def test_an_array_header_that_lies_about_its_size_is_refused():
    blob = protocol.array_frame(np.zeros(10))[5:]
    data = protocol.header_frame({"type": "case", "name": "c1", "arrays": ["out"]})
    data += protocol.frame(protocol.ARRAY, blob[:-8]) + DONE
    assert "does not match" in protocol.decode_results(data, LIMITS, ("c1",)).problem


def test_huge_arrays_are_refused_by_their_header():
    small = Limits(array_bytes=1024)
    data = case("c1", [("out", np.zeros(1000))]) + DONE
    assert "cap" in protocol.decode_results(data, small, ("c1",)).problem


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        (b"Hxx", "truncated frame"),
        (protocol.frame(b"Z", b"{}"), "unknown frame type"),
        (protocol.frame(b"H", b"not json"), "not JSON"),
        (protocol.header_frame({"type": "case", "name": "intruder"}), "unexpected case name"),
        (case("c1") + case("c1"), "reported twice"),
        (DONE + DONE, "after the final frame"),
        (protocol.header_frame({"type": "case", "name": "c1", "arrays": ["a"]}), "before its arrays"),
    ],
)
def test_malformed_streams_name_the_problem(data, problem):
    decoded = protocol.decode_results(data, LIMITS, ("c1",))
    assert problem in decoded.problem


def test_results_over_the_total_cap_are_refused():
    data = case("c1", [("out", np.zeros(100))]) + DONE
    assert "cap" in protocol.decode_results(data, Limits(result_bytes=64), ("c1",)).problem


def test_jobs_round_trip_with_only_the_textbook_modules_they_offer(tmp_path, monkeypatch):
    from grader.job import CaseSpec, JobSpec

    monkeypatch.setattr(protocol, "textbook_source", lambda name: f"# {name}")
    job = JobSpec(code="x = 1", filename="submission.py", probes="", textbook=("util", "layers"),
                  cases=(CaseSpec(name="c", probe="p", args={"n": 2}, seed=7),))
    payload = protocol.decode_job(protocol.encode_job(job))
    assert payload.job == job
    assert set(payload.textbook) == {"util", "layers"}
    assert payload.sealed == 0


def test_sealed_cases_travel_apart_from_the_job(monkeypatch):
    from grader.job import CaseSpec, JobSpec

    monkeypatch.setattr(protocol, "textbook_source", lambda name: f"# {name}")
    hidden = (CaseSpec(name="secret-check", probe="p", args={"n": 31337}, seed=424242, quiet=True),)
    job = JobSpec(code="x = 1", filename="submission.py", probes="def p(sub, rng):\n    return {}\n",
                  cases=(CaseSpec(name="c", probe="p", args={"n": 2}, seed=7),), sealed=hidden)
    data = protocol.encode_job(job)
    for secret in (b"secret-check", b"31337", b"424242"):
        assert secret not in data
    payload = protocol.decode_job(data)
    assert payload.sealed == 1 and payload.job.sealed == ()
    assert payload.probes.co_filename == "probes.py"  # compiled by the grader, not the job
    assert protocol.decode_sealed(protocol.encode_sealed(job)) == hidden


def sealed_stream(before, after):
    """The bytes read before the sealed cases were sent, then the rest, and where they meet."""
    return before + after, protocol.Sealing(at=len(before), cases=("h1",))


def test_a_sealed_stream_keeps_open_cases_before_and_sealed_cases_after():
    data, sealing = sealed_stream(case("c1", [("out", np.ones(2))]), case("h1", [("out", np.zeros(2))]) + DONE)
    decoded = protocol.decode_results(data, LIMITS, ("c1",), sealing)
    assert decoded.problem is None and decoded.done
    assert set(decoded.cases) == {"c1", "h1"}


@pytest.mark.parametrize("before, after, problem", [
    # an open case reported once the job could know its sealed cases: it could carry them
    (b"", case("c1") + DONE, "unexpected case name"),
    (case("c1"), case("c1") + DONE, "unexpected case name"),
    # a sealed case's name before they were sent is a guess, not a result
    (case("h1"), DONE, "unexpected case name"),
    # a module error after the gate would be shown to the student
    (b"", protocol.header_frame({"type": "module_error", "error": {"type": "X", "message": "m"}}) + DONE,
     "module error"),
])
def test_a_sealed_stream_refuses_frames_on_the_wrong_side(before, after, problem):
    data, sealing = sealed_stream(before, after)
    assert problem in protocol.decode_results(data, LIMITS, ("c1",), sealing).problem


def test_a_frame_or_a_case_spanning_the_moment_the_sealed_cases_were_sent_is_refused():
    whole = case("c1", [("out", np.ones(3))])
    for cut in (3, len(whole) - 5):  # inside the header frame, inside the array frame
        data, sealing = sealed_stream(whole[:cut], whole[cut:] + DONE)
        assert "sent" in protocol.decode_results(data, LIMITS, ("c1",), sealing).problem
    header_only = protocol.header_frame({"type": "case", "name": "c1", "arrays": ["out"], "meta": {}})
    assert whole.startswith(header_only)  # the case's header before, its array after
    data, sealing = sealed_stream(header_only, whole[len(header_only):] + DONE)
    assert "sent" in protocol.decode_results(data, LIMITS, ("c1",), sealing).problem


# --- Whatever the job writes, decoding ends in a verdict, in bounded CPU and memory ----------

CASES = ("c1", "c2", "c3")


def npy(array, fortran=False):
    """An .npy blob exactly as np.save writes it (Fortran order kept when asked)."""
    buffer = io.BytesIO()
    np.save(buffer, array.copy(order="F") if fortran else array, allow_pickle=False)
    return buffer.getvalue()


def npy_with_header(text, version=1, data=b""):
    header = text.encode("latin-1")
    size = len(header).to_bytes(2 if version == 1 else 4, "little")
    return b"\x93NUMPY" + bytes([version, 0]) + size + header + data


def header(**fields):
    return protocol.frame(protocol.HEADER, json.dumps(fields).encode())


def raw_header(text):
    return protocol.frame(protocol.HEADER, text.encode("utf-8", "surrogatepass"))


def array_frames(blobs):
    return b"".join(protocol.frame(protocol.ARRAY, blob) for blob in blobs)


def decode_bounded(data, limits=LIMITS, expected=CASES, cpu_seconds=2.0, peak_mb=400):
    """Decode twice: once timed (process CPU), once under tracemalloc (peak memory)."""
    started = time.process_time()
    decoded = protocol.decode_results(data, limits, expected)
    cpu = time.process_time() - started
    assert cpu < cpu_seconds, f"decoding took {cpu:.2f} s of CPU"
    tracemalloc.start()
    try:
        protocol.decode_results(data, limits, expected)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < peak_mb * 2**20, f"decoding peaked at {peak / 2**20:.0f} MB"
    return decoded


NON_STANDARD_NPY_HEADERS = [
    "{'descr': '<f8', 'fortran_order': False, 'shape': (2,)}",  # no trailing ", }"
    "{'descr':'<f8','fortran_order':False,'shape':(2,),}",
    "{'shape': (2,), 'fortran_order': False, 'descr': '<f8', }",
    "{'descr': '<f8', 'fortran_order': False, 'shape': (2), }",  # (2) is not a tuple
    "{'descr': '<f8', 'fortran_order': False, 'shape': (02,), }",
    "{'descr': '<f8', 'fortran_order': False, 'shape': (-2,), }",
    "{'descr': '<f8', 'fortran_order': False, 'shape': (2.0,), }",
    "{'descr': '<f8', 'fortran_order': 0, 'shape': (2,), }",
    "{'descr': '<f8', 'fortran_order': False, 'shape': (2,), 'extra': 1, }",
    "{'descr': [('a', '<f8')], 'fortran_order': False, 'shape': (2,), }",
    "{'descr': '<f8', 'fortran_order': False, 'shape': " + "(" * 400 + ")" * 400 + ", }",
    "{'descr': '<f8', 'fortran_order': False, 'shape': (" + "1, " * 70 + "), }",
    "{'descr': '<f8', 'fortran_order': False, 'shape': (1" + "0" * 20 + ",), }",
    "{'descr': '<f8', 'fortran_order': False, 'shape': (2,), }\x00",
    "{'descr': '<f8', 'fortran_order': False, 'shape': (2,), }\n\n",
    "[" * 2000 + "]" * 2000,
    "__import__('os').system('echo payload executed')",
]
REFUSED_DESCRS = ["|O", "<U4", "|S4", "|V8", "<M8", "<m8", "<f3", "<i16", "<f8[2]", "=f8", "<F8"]


@pytest.mark.parametrize("text", NON_STANDARD_NPY_HEADERS)
def test_only_the_header_np_save_writes_is_accepted(text):
    with pytest.raises(protocol.ProtocolError, match="bad .npy header"):
        protocol.load_npy(npy_with_header(text + "\n", data=b"\0" * 16), LIMITS.array_bytes)


@pytest.mark.parametrize("descr", REFUSED_DESCRS)
def test_non_numeric_descriptors_are_refused(descr):
    blob = npy_with_header(f"{{'descr': '{descr}', 'fortran_order': False, 'shape': (2,), }}\n",
                           data=b"\0" * 64)
    with pytest.raises(protocol.ProtocolError, match="bad .npy header|refused array dtype"):
        protocol.load_npy(blob, LIMITS.array_bytes)


def test_numpys_header_parser_is_never_called(monkeypatch):
    def forbidden(*args, **kwargs):
        raise AssertionError("numpy's header parser ran on job data")

    for name in ("read_array_header_1_0", "read_array_header_2_0", "read_magic"):
        monkeypatch.setattr(np.lib.format, name, forbidden)
    monkeypatch.setattr("ast.literal_eval", forbidden)
    assert protocol.load_npy(npy(np.arange(3.0)), LIMITS.array_bytes).tolist() == [0, 1, 2]
    for text in NON_STANDARD_NPY_HEADERS:
        with pytest.raises(protocol.ProtocolError):
            protocol.load_npy(npy_with_header(text + "\n"), LIMITS.array_bytes)


NUMERIC_DTYPES = [np.bool_, np.int8, np.int16, np.int32, np.int64, np.uint8, np.uint16, np.uint32,
                  np.uint64, np.float16, np.float32, np.float64, np.longdouble, np.complex64,
                  np.complex128, np.clongdouble, ">f8", ">i4", ">c16"]
SHAPES = [(), (1,), (5,), (0,), (0, 5), (2, 3), (2, 1, 3, 1, 2), (1,) * 20 + (3,)]


@pytest.mark.parametrize("dtype", NUMERIC_DTYPES, ids=str)
@pytest.mark.parametrize("shape", SHAPES, ids=str)
def test_every_numeric_array_the_harness_can_send_round_trips(dtype, shape):
    array = (np.arange(int(np.prod(shape))) % 2).reshape(shape).astype(dtype)
    for fortran in (False, True):
        loaded = protocol.load_npy(npy(array, fortran), LIMITS.array_bytes)
        assert loaded.dtype == array.dtype and loaded.shape == array.shape
        assert np.array_equal(loaded, array)
        assert loaded.flags.writeable and loaded.flags.owndata


def test_a_fortran_ordered_array_keeps_its_values():
    array = np.arange(24.0).reshape(2, 3, 4)
    blob = npy(array, fortran=True)
    assert b"'fortran_order': True" in blob
    assert np.array_equal(protocol.load_npy(blob, LIMITS.array_bytes), array)


def test_a_thousand_crafted_npy_headers_cost_little():
    """Headers numpy's parser would accept (at ~25 ms of literal_eval each) are refused at once."""
    pad = [", ".join(["1.5"] * n) for n in (1600, 700)]  # ~9 KB and ~3.5 KB of literal
    crafted = [npy_with_header(
        "{'descr': '<f8', 'fortran_order': False, 'shape': (2,), 'pad': [" + pad[i % 2] + "]}"
        + " " * (i % 50) + "\n", data=b"\0" * 16) for i in range(1000)]
    started = time.process_time()
    for blob in crafted:
        with pytest.raises(protocol.ProtocolError):
            protocol.load_npy(blob, LIMITS.array_bytes)
    assert time.process_time() - started < 1.0
    data = header(type="case", name="c1", arrays=[f"a{i}" for i in range(64)])
    data += array_frames(crafted) + DONE
    decoded = decode_bounded(data)
    assert "bad .npy header" in decoded.problem and decoded.cases == {}


@pytest.mark.parametrize("version", [1, 2])
def test_a_62_mb_npy_header_is_refused_by_its_length(version):
    if version == 1:  # a 2-byte length cannot say 62 MB: say 65535 and send the rest anyway
        blob = b"\x93NUMPY\x01\x00" + (65535).to_bytes(2, "little") + b"{" + b" " * (62 * 2**20)
    else:
        blob = b"\x93NUMPY\x02\x00" + (62 * 2**20).to_bytes(4, "little") + b"{" + b"(" * (62 * 2**20)
    data = header(type="case", name="c1", arrays=["out"]) + protocol.frame(protocol.ARRAY, blob)
    decoded = decode_bounded(data + DONE)
    assert decoded.problem == "bad .npy header: header too long"


def test_version_3_npy_and_truncated_headers_are_refused():
    v3 = npy(np.zeros(2)).replace(b"\x93NUMPY\x01\x00", b"\x93NUMPY\x03\x00", 1)
    for blob in (v3, b"\x93NUMPY\x01\x00\xff", npy(np.zeros(2))[:40], b"", b"\x93NUMPY"):
        with pytest.raises(protocol.ProtocolError, match="bad .npy header"):
            protocol.load_npy(blob, LIMITS.array_bytes)


def test_a_shape_whose_product_is_astronomical_is_refused_without_allocating():
    text = "{'descr': '<f8', 'fortran_order': False, 'shape': (" + ", ".join(
        ["999999999999"] * 60) + "), }\n"
    with pytest.raises(protocol.ProtocolError, match="cap"):
        protocol.load_npy(npy_with_header(text), LIMITS.array_bytes)


SECRET = "SECRET-7f3a"
HOSTILE_HEADERS = {
    "deep nesting": raw_header('{"type": "case", "name": "c1", "meta": {"a": ' + "[" * 60000 + "]" * 60000 + "}}"),
    "deep nesting inside meta": raw_header('{"type": "case", "name": "c1", "meta": {"a": ' + "[" * 900 + "]" * 900 + "}}"),
    "top-level nesting": raw_header("[" * 65000),
    "NaN token": raw_header('{"type": "case", "name": "c1", "ms": NaN}'),
    "Infinity token": raw_header('{"type": "case", "name": "c1", "ms": -Infinity}'),
    "5000-digit int": raw_header('{"type": "case", "name": "c1", "ms": ' + "9" * 5000 + "}"),
    "not UTF-8": protocol.frame(protocol.HEADER, b'{"type": "case", "name": "\xff\xfe"}'),
    "lone surrogate as UTF-8 bytes": protocol.frame(protocol.HEADER, b'{"type": "c\xed\xa0\x80"}'),
    "header over the cap": header(type="case", name="c1", meta={"a": "x" * 70000}),
    "not an object": raw_header('["type", "case"]'),
    "type not text": header(type=["case"], name="c1"),
    "unknown header type": header(type=SECRET),
    "unexpected case name": header(type="case", name=SECRET),
    "arrays not a list": header(type="case", name="c1", arrays="out"),
    "65 array names": header(type="case", name="c1", arrays=[f"a{i}" for i in range(65)]),
    "16000 array names": header(type="case", name="c1", arrays=[str(i) for i in range(12000)]),
    "repeated array names": header(type="case", name="c1", arrays=["a", "a"]),
    "array name too long": header(type="case", name="c1", arrays=["a" * 201]),
    "meta number": header(type="case", name="c1", meta={"n": 3}),
    "meta nested list": header(type="case", name="c1", meta={"n": [["a"]]}),
    "meta dict": header(type="case", name="c1", meta={"n": {"a": "b"}}),
    "meta list of 257": header(type="case", name="c1", meta={"n": ["a"] * 257}),
    "meta text too long": header(type="case", name="c1", meta={"n": "a" * 5000}),
    "meta not an object": header(type="case", name="c1", meta=["a"]),
    "error not an object": header(type="case", name="c1", error="boom"),
    "traceback not a list": header(type="case", name="c1", error={"traceback": "x"}),
    "late module error": header(type="case", name="c1") + header(type="module_error", error={"message": SECRET}),
    "case after module error": header(type="module_error", error={"message": SECRET}) + header(type="case", name="c1"),
    "two module errors": header(type="module_error", error={"message": SECRET}) * 2,
    "unknown frame type": protocol.frame(b"Z", SECRET.encode()),
    "NUL frame type": protocol.frame(b"\x00", b""),
    "duplicate case": header(type="case", name="c1") + header(type="case", name="c1"),
    "array without case": protocol.frame(protocol.ARRAY, npy(np.zeros(2))),
    "case header before its arrays": header(type="case", name="c1", arrays=["a"]) + header(type="case", name="c2"),
    "data after done": DONE + header(type="case", name="c1"),
    "truncated length": b"H\x00\x00",
    "length beyond the data": b"H\xff\xff\xff\xff{}",
}


@pytest.mark.parametrize("data", HOSTILE_HEADERS.values(), ids=HOSTILE_HEADERS.keys())
def test_hostile_streams_end_with_a_problem_in_bounded_time(data):
    decoded = decode_bounded(data + DONE)
    assert decoded.problem
    assert SECRET not in decoded.problem  # the job's own text is never echoed
    assert decoded.module_error is None
    assert "c1" not in decoded.cases or decoded.cases["c1"].arrays == {}


def test_a_module_error_alone_is_believed_and_cleaned():
    error = {"type": "ValueError\ud800", "message": "bad\x00 \ud800 thing " + "x" * 9000,
             "line": 10**400, "offset": -(10**400), "traceback": ["  line\ud83d"] * 100,
             "text": "\x00" * 900}
    decoded = decode_bounded(header(type="module_error", error=error) + DONE)
    assert decoded.problem is None
    got = decoded.module_error
    assert got["type"] == "ValueError\ufffd"
    assert got["message"].startswith("bad\ufffd \ufffd thing") and len(got["message"]) == 4000
    assert got["line"] == protocol.MAX_LINE_NUMBER and got["offset"] == 0
    assert len(got["traceback"]) == 40 and got["traceback"][0] == "  line\ufffd"
    assert got["text"] == "\ufffd" * 500
    json.dumps(got, allow_nan=False).encode("utf-8")  # strict: no lone surrogate left


@pytest.mark.parametrize("tail", [b"", header(type="case", name="c1")])
def test_a_module_error_without_its_done_frame_is_not_believed(tail):
    data = header(type="module_error", error={"message": SECRET}) + tail
    assert protocol.decode_results(data, LIMITS, CASES).module_error is None


@pytest.mark.parametrize(
    ("ms", "expected"),
    [(12.5, 12.5), (3, 3.0), (10**400, 0.0), (-(10**400), 0.0), (1e308 * 10, 0.0), (-1.0, 0.0),
     (1e300, 0.0), (True, 0.0), ("12", 0.0), (None, 0.0), ([1], 0.0)],
)
def test_case_durations_are_finite_numbers_in_range(ms, expected):
    text = json.dumps({"type": "case", "name": "c1", "ms": ms})  # 1e309 is written "Infinity"
    text = text.replace("Infinity", "1e999")
    decoded = decode_bounded(raw_header(text) + DONE)
    assert decoded.problem is None
    assert decoded.cases["c1"].ms == expected and math.isfinite(decoded.cases["c1"].ms)


def test_case_errors_and_meta_are_cleaned():
    error = {"type": "E", "message": "m\ud800\x00", "line": True, "traceback": []}
    meta = {"names\ud800": ["a\x00", None, True, "\udcff"], "flag": False, "empty": None}
    decoded = decode_bounded(header(type="case", name="c1", error=error, meta=meta) + DONE)
    case = decoded.cases["c1"]
    assert case.error == {"type": "E", "message": "m\ufffd\ufffd", "traceback": []}
    assert case.meta == {"names\ufffd": ["a\ufffd", None, True, "\ufffd"], "flag": False,
                         "empty": None}


def test_unexpected_names_are_not_quoted_even_without_expected_cases():
    decoded = protocol.decode_results(header(type="case", name=5) + DONE, LIMITS, None)
    assert decoded.problem == "unexpected case name"
    many = b"".join(header(type="case", name=f"n{i}") for i in range(protocol.MAX_CASES + 1))
    decoded = decode_bounded(many + DONE, expected=None)
    assert decoded.problem == "too many cases" and len(decoded.cases) == protocol.MAX_CASES


def test_a_full_result_budget_of_arrays_decodes_in_bounded_time():
    """64 MB of real arrays: four of 16 MB - each copied once, nothing quadratic."""
    arrays = [np.full(2 * 2**20, float(i)) for i in range(3)]
    data = header(type="case", name="c1", arrays=["a", "b", "c"]) + array_frames(npy(a) for a in arrays)
    data += header(type="case", name="c2", arrays=["d"]) + array_frames([npy(np.zeros(2**21 - 100))])
    data += DONE
    assert len(data) <= LIMITS.result_bytes
    decoded = decode_bounded(data)
    assert decoded.problem is None and decoded.cases["c1"].arrays["c"][0] == 2.0


def test_the_most_frames_a_stream_can_hold_decode_in_bounded_time():
    """Without expected names: MAX_CASES cases of MAX_CASE_ARRAYS empty arrays each."""
    names = [f"a{i}" for i in range(protocol.MAX_CASE_ARRAYS)]
    one_case = array_frames([npy(np.zeros(0))] * len(names))
    data = b"".join(header(type="case", name=f"c{i}", arrays=names) + one_case
                    for i in range(protocol.MAX_CASES)) + DONE
    decoded = decode_bounded(data, expected=None, cpu_seconds=3.0)
    assert decoded.problem is None and len(decoded.cases) == protocol.MAX_CASES


def test_any_exception_while_decoding_becomes_a_problem(monkeypatch):
    def explode(blob, max_bytes):
        raise MemoryError(SECRET)

    monkeypatch.setattr(protocol, "load_npy", explode)
    data = case("c1", [("out", np.zeros(3))]) + DONE
    decoded = protocol.decode_results(data, LIMITS, CASES)
    assert decoded.problem == "result data could not be decoded (MemoryError)"


def test_a_textbook_module_is_read_once_and_again_when_its_file_changes(tmp_path, monkeypatch):
    monkeypatch.setattr(protocol, "TEXTBOOK_DIR", tmp_path)
    monkeypatch.setattr(protocol, "_textbook_sources", {})
    path = tmp_path / "util.py"
    path.write_text("A = 1\n")
    first = protocol.textbook_source("util")
    assert protocol.textbook_source("util") is first  # not read again: the same string
    path.write_text("A = 22\n")
    assert protocol.textbook_source("util") == "A = 22\n"

"""The parent never trusts the result channel: lying or oversized data is refused, not loaded."""

import io
import pickle

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
    decoded, sources = protocol.decode_job(protocol.encode_job(job))
    assert decoded == job
    assert set(sources) == {"util", "layers"}

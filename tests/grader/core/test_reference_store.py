"""Reference results shared between grader processes (grader/reference_store.py): a hit saves the
reference run, and nothing a store returns can change a grade."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from grader import runner
from grader.api import grade_code
from grader.errors import GraderUnavailable
from grader.reference_store import (
    SharedReferences,
    decode_reference,
    encode_reference,
    reference_key,
)

WRONG = 'NAMES = ["a"]\ndef scale(x, k):\n    return x + k\n'
GOOD = 'NAMES = ["a", "b"]\ndef scale(x, k):\n    return k * x\n'


class DictStore:
    def __init__(self) -> None:
        self.data: dict[str, bytes] = {}
        self.ttls: dict[str, int] = {}
        self.gets = 0

    def get(self, key: str) -> bytes | None:
        self.gets += 1
        return self.data.get(key)

    def set(self, key: str, value: bytes, ttl: int) -> None:
        self.data[key] = value
        self.ttls[key] = ttl


class DownStore:
    def get(self, key: str) -> bytes | None:
        raise ConnectionError("store down")

    def set(self, key: str, value: bytes, ttl: int) -> None:
        raise ConnectionError("store down")


class CountingExecutor:
    """Counts the reference jobs it runs (by filename)."""

    def __init__(self, inner) -> None:  # type: ignore[no-untyped-def]
        self.inner = inner
        self.references = 0

    def run(self, job):  # type: ignore[no-untyped-def]
        if job.filename == runner.REFERENCE_FILE:
            self.references += 1
        return self.inner.run(job)


def _verdict(result) -> dict:  # type: ignore[no-untyped-def]
    """Everything a grade says, without the durations (which differ run to run)."""
    data = result.to_dict()
    data.pop("timings", None)
    for check in data["checks"]:
        check.get("details", {}).pop("ms", None)
    return data


@pytest.fixture(autouse=True)
def _no_process_cache(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test starts as a fresh worker process: only the shared store can hold references."""
    monkeypatch.setattr(runner, "_reference_cache", type(runner._reference_cache)())
    monkeypatch.setattr(runner, "_reference_cache_bytes", 0)


def _forget_process_cache() -> None:
    runner._reference_cache.clear()
    runner._reference_cache_bytes = 0


def _shared(store=None, **kwargs) -> SharedReferences:  # type: ignore[no-untyped-def]
    return SharedReferences(store=store or DictStore(), secret=b"k" * 32, **kwargs)


def _key(question, seed: int) -> str:  # type: ignore[no-untyped-def]
    return reference_key(question.content_hash, question.textbook, seed)


@pytest.mark.parametrize("code", [GOOD, WRONG])
def test_a_grade_with_a_shared_reference_equals_one_without(mini_question, inprocess, code):
    plain = grade_code(mini_question, code, seed=11, executor=inprocess)
    _forget_process_cache()
    shared = _shared()
    counting = CountingExecutor(inprocess)
    first = grade_code(mini_question, code, seed=11, executor=counting, references=shared)
    _forget_process_cache()  # another worker process
    second = grade_code(mini_question, code, seed=11, executor=counting, references=shared)
    assert counting.references == 1  # the second grading found it in the store
    for result in (first, second):
        assert _verdict(result) == _verdict(plain)


def test_a_miss_runs_the_reference_and_shares_it(mini_question, inprocess):
    store = DictStore()
    grade_code(mini_question, GOOD, seed=5, executor=inprocess, references=_shared(store, ttl=123))
    assert list(store.ttls.values()) == [123]
    assert _key(mini_question, 5) in store.data


def test_reference_prepare_fills_the_store_once(mini_question, inprocess):
    shared = _shared()
    counting = CountingExecutor(inprocess)
    assert runner.reference_prepare(mini_question, 21, executor=counting, references=shared) is True
    assert runner.reference_prepare(mini_question, 21, executor=counting, references=shared) is False
    _forget_process_cache()
    grade_code(mini_question, GOOD, seed=21, executor=counting, references=shared)
    assert counting.references == 1


class ExistsStore(DictStore):
    def exists(self, key: str) -> bool:
        return key in self.data


def test_holds_asks_the_store_without_reading_the_entry(mini_question, inprocess):
    store = ExistsStore()
    shared = _shared(store)
    key = _key(mini_question, 4)
    assert shared.holds(key) is False
    grade_code(mini_question, GOOD, seed=4, executor=inprocess, references=shared)
    store.gets = 0
    assert shared.holds(key) is True and store.gets == 0  # exists(), not get()
    assert runner.references_missing(mini_question, [4, 5, 4], references=shared) == [5]
    assert store.gets == 0
    plain = DictStore()  # a store without exists(): get() answers
    plain.data[key] = b"anything"
    assert _shared(plain).holds(key) is True and plain.gets == 1
    assert _shared(DownStore()).holds(key) is False  # unreachable: nothing held, never raises


def test_the_key_names_content_textbook_and_seed(mini_question):
    key = _key(mini_question, 3)
    assert mini_question.content_hash in key and key.endswith(":3")
    assert _key(replace(mini_question, content_hash="other"), 3) != key
    assert _key(replace(mini_question, textbook=("util",)), 3) != key
    assert _key(mini_question, 4) != key


def test_an_entry_of_another_content_hash_is_never_used(mini_question, inprocess):
    """An edited question (new content hash) must not be graded against the old reference."""
    store = DictStore()
    shared = _shared(store)
    edited = replace(mini_question, content_hash="edited-question")
    grade_code(mini_question, GOOD, seed=8, executor=inprocess, references=shared)
    _forget_process_cache()
    counting = CountingExecutor(inprocess)
    grade_code(edited, GOOD, seed=8, executor=counting, references=shared)
    assert counting.references == 1


def _poison(store: DictStore, key: str, value: bytes) -> None:
    store.data[key] = value


def _forged_reference(mini_question, seed: int) -> bytes:  # type: ignore[no-untyped-def]
    """The reference result with every array replaced by what WRONG computes: a forged answer key."""
    from grader.harness.inprocess import InProcessExecutor

    job = runner.reference_job(mini_question, mini_question.case_specs(seed))
    forged = InProcessExecutor().run(replace(job, code=WRONG))
    return encode_reference(forged)


@pytest.mark.parametrize("damage", ["truncated", "flipped", "garbage", "unsealed_forgery",
                                    "other_key", "empty"])
def test_a_damaged_or_forged_entry_is_recomputed_and_cannot_change_the_grade(
        mini_question, inprocess, damage):
    seed = 13
    store = DictStore()
    shared = _shared(store)
    key = _key(mini_question, seed)
    plain = grade_code(mini_question, WRONG, seed=seed, executor=inprocess)
    _forget_process_cache()
    grade_code(mini_question, GOOD, seed=seed, executor=inprocess, references=shared)  # fills the store
    _forget_process_cache()
    sealed = store.data[key]
    if damage == "truncated":
        value = sealed[:-7]
    elif damage == "flipped":
        value = sealed[:-1] + bytes([sealed[-1] ^ 1])
    elif damage == "garbage":
        value = b"\x80\x04not a reference"
    elif damage == "unsealed_forgery":  # someone who can write the store but lacks the secret
        value = b"\0" * 32 + _forged_reference(mini_question, seed)
    elif damage == "other_key":  # a genuine sealed entry of another seed, copied over
        grade_code(mini_question, GOOD, seed=seed + 1, executor=inprocess, references=shared)
        _forget_process_cache()
        value = store.data[_key(mini_question, seed + 1)]
    else:
        value = b""
    _poison(store, key, value)
    counting = CountingExecutor(inprocess)
    result = grade_code(mini_question, WRONG, seed=seed, executor=counting, references=shared)
    assert counting.references == 1  # refused, recomputed
    assert _verdict(result) == _verdict(plain)
    job = runner.reference_job(mini_question, mini_question.case_specs(seed))
    assert store.data[key] != value and shared.get(key, job) is not None  # replaced by a good one


def test_the_same_secret_is_needed_to_read_an_entry(mini_question, inprocess):
    store = DictStore()
    grade_code(mini_question, GOOD, seed=2, executor=inprocess, references=_shared(store))
    _forget_process_cache()
    other = SharedReferences(store=store, secret=b"x" * 32)
    job = runner.reference_job(mini_question, mini_question.case_specs(2))
    assert other.get(_key(mini_question, 2), job) is None


def test_an_entry_over_the_size_cap_is_not_stored(mini_question, inprocess):
    store = DictStore()
    grade_code(mini_question, GOOD, seed=4, executor=inprocess, references=_shared(store, max_bytes=64))
    assert store.data == {}


def test_an_unreachable_store_only_costs_a_reference_run(mini_question, inprocess):
    plain = grade_code(mini_question, GOOD, seed=6, executor=inprocess)
    _forget_process_cache()
    result = grade_code(mini_question, GOOD, seed=6, executor=inprocess, references=_shared(DownStore()))
    assert _verdict(result) == _verdict(plain)


def test_encode_decode_round_trip_keeps_arrays_and_meta(mini_question, inprocess):
    job = runner.reference_job(mini_question, mini_question.case_specs(9))
    reference = inprocess.run(job)
    decoded = decode_reference(encode_reference(reference), job)
    assert decoded is not None and set(decoded.cases) == set(reference.cases)
    for name, case in reference.cases.items():
        assert decoded.cases[name].meta == case.meta
        for key, array in case.arrays.items():
            np.testing.assert_array_equal(decoded.cases[name].arrays[key], array)
            exact32 = array.dtype == np.float64 and np.array_equal(array.astype(np.float32), array)
            assert decoded.cases[name].arrays[key].dtype == (np.float32 if exact32 else array.dtype)
    # a result missing a case of the job is not a reference of this job
    fewer = replace(job, cases=job.cases[:1])
    assert decode_reference(encode_reference(reference), fewer) is None


def test_float64_arrays_that_float32_holds_exactly_are_stored_in_half_the_bytes(mini_question, inprocess):
    job = runner.reference_job(mini_question, mini_question.case_specs(9))
    reference = inprocess.run(job)
    name, key = next((name, key) for name, case in reference.cases.items() for key in case.arrays)
    values = {
        "exact": np.arange(-64, 64, dtype=np.float64) / 8,  # multiples of 1/8: exact in float32
        "tenths": np.arange(128, dtype=np.float64) / 10,  # 0.1 is not
        "nan": np.full(128, np.nan),
        "huge": np.full(128, 1e300),  # beyond float32's range
        "ints": np.arange(128),
    }
    sizes = {}
    for label, value in values.items():
        reference.cases[name].arrays[key] = value
        data = encode_reference(reference)
        sizes[label] = len(data)
        stored = decode_reference(data, job).cases[name].arrays[key]  # type: ignore[union-attr]
        np.testing.assert_array_equal(stored, value)  # the same numbers (NaN where NaN)
        assert stored.dtype == (np.float32 if label == "exact" else value.dtype), label
    assert sizes["tenths"] - sizes["exact"] == 128 * 4  # half of the array's 1 KB


def test_many_seeds_are_prepared_in_one_job_and_grade_as_if_run_alone(mini_question, inprocess):
    shared = _shared()
    counting = CountingExecutor(inprocess)
    seeds = [31, 32, 33, 31]
    assert runner.references_prepare(mini_question, seeds, executor=counting, references=shared) == 3
    assert counting.references == 1  # one sandbox job for the three seeds
    assert runner.references_prepare(mini_question, seeds, executor=counting, references=shared) == 0
    for seed in (31, 32, 33):
        _forget_process_cache()
        batched = grade_code(mini_question, GOOD, seed=seed, executor=counting, references=shared)
        _forget_process_cache()
        alone = grade_code(mini_question, GOOD, seed=seed, executor=inprocess)
        assert _verdict(batched) == _verdict(alone)
        _forget_process_cache()
        wrong = GOOD.replace("k * x", "k * x + 1")
        assert _verdict(grade_code(mini_question, wrong, seed=seed, executor=counting, references=shared)) == \
            _verdict(grade_code(mini_question, wrong, seed=seed, executor=inprocess))
    assert counting.references == 1  # every grading found its seed's entry


def test_a_batch_whose_reference_fails_stores_nothing(mini_question, inprocess):
    store = DictStore()
    broken = replace(mini_question, reference="raise RuntimeError('broken reference')\n")
    with pytest.raises(GraderUnavailable):
        runner.references_prepare(broken, [1, 2], executor=inprocess, references=_shared(store))
    assert store.data == {}

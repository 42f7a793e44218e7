"""Reference results shared between grader processes and machines (a key-value store, e.g. Redis).

A code question's reference result depends only on the question's content and the seed, so every
worker that grades attempt *n* of a student needs the same arrays. This module turns one reference
``JobResult`` into compact bytes (the result channel's own frames: a JSON header per case, its arrays
as ``.npy``, float64 ones as float32 when that changes no value) sealed with an HMAC, and back. The
grader never imports a store client: the caller hands ``runner.grade`` a ``SharedReferences`` built
on anything with ``get(key)`` / ``set(key, value, ttl)`` (the platform's is
``core/reference_cache.py``, a small Redis client).

What an attacker can and cannot do with it (the grade must stay honest):

* **Only the grader's parent writes an entry, and only after running the question's reference in the
  sandbox** (``runner._run_reference``): the student's job never sees the store (no network in the
  sandbox, no descriptor, no secret), and its output is never stored. A student account therefore
  cannot put a value under any key.
* **The key names the exact computation**: the question's content hash (reference, probes, checks),
  the offered textbook modules' sources, the NumPy version and the seed. An edited question or
  textbook gets new keys; an old entry is never read for it. Seeds come from the server secret
  (``assessments.seeds``), so a student cannot even name the key of another student's next attempt,
  and learning whether one is cached (timing) says nothing about its arrays.
* **Every value is sealed**: HMAC-SHA256 over the key and the bytes, with a secret only the
  grader's processes hold. A value copied under another key, truncated, bit-flipped or written by
  something that can reach the store but does not hold the secret fails the check and counts as a
  miss: the reference runs again and its result replaces the entry. Sealed values are parsed with
  the same budgets as a job's untrusted output (``protocol.decode_results``: numeric ``.npy`` only,
  no pickles, byte caps), and must carry exactly the cases the question expects.
* **The store can only make grading slower, never different**: a miss, an unreachable store or a
  refused entry runs the reference as before (tests compare a grade with and without the store).
  A student who submits a lot fills the store with their own attempts' references (one per
  attempt, at the submit rate limit), bounded by the per-entry size cap, the TTL and the store's
  total budget (``core.reference_cache.RedisBytes``: oldest entries deleted first), so the worst
  they can do is push other students' precomputed references out: those gradings run the
  reference themselves, as without the store.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import logging
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from grader import protocol
from grader.job import OK, JobResult, JobSpec

logger = logging.getLogger(__name__)
FORMAT = b"dlgrade-ref-1\n"
MAC_BYTES = 32


class KeyValueStore(Protocol):
    """What a shared store must offer; any failure may raise, it is treated as a miss."""

    def get(self, key: str) -> bytes | None: ...

    def set(self, key: str, value: bytes, ttl: int) -> None: ...

    # optional: ``exists(key) -> bool``, a cheaper ``get(key) is not None`` (SharedReferences.holds)


def reference_key(question_hash: str, textbook: tuple[str, ...], seed: int) -> str:
    """The store key of one reference computation (see the module docstring)."""
    return f"ref:{question_hash}:{_textbook_digest(tuple(protocol.textbook_code(textbook).items()))}:{int(seed)}"


@functools.lru_cache(maxsize=64)
def _textbook_digest(modules: tuple[tuple[str, bytes], ...]) -> str:
    """The compiled modules and NumPy's version, hashed once per set of blobs (every grading asks,
    for its own key and its student's window of next attempts)."""
    digest = hashlib.sha256()
    for name, blob in modules:
        digest.update(name.encode() + b"\0" + hashlib.sha256(blob).digest())
    digest.update(np.__version__.encode())
    return digest.hexdigest()[:16]


def encode_reference(reference: JobResult) -> bytes:
    """A successful reference result as result-channel frames (``protocol.decode_results`` reads it)."""
    frames = [FORMAT]
    for case in reference.cases.values():
        frames.append(protocol.header_frame({"type": "case", "name": case.name, "ms": case.ms,
                                             "arrays": list(case.arrays), "meta": case.meta}))
        frames.extend(protocol.array_frame(_compact(array)) for array in case.arrays.values())
    frames.append(protocol.header_frame({"type": "done"}))
    return b"".join(frames)


def _compact(array: np.ndarray) -> np.ndarray:
    """float64 values that float32 holds exactly travel and are stored as float32: the same numbers
    in half the bytes (ch07's inputs are multiples of 1/8, so its convolution and pooling results
    are: a ``convolution`` entry 242 -> 124 KB). The checks compare in float64 whatever they read."""
    if array.dtype == np.float64 and array.size:
        with np.errstate(over="ignore", invalid="ignore"):  # out of float32's range: inf, kept float64
            narrow = array.astype(np.float32)
        if np.array_equal(narrow, array):  # NaN never equals itself: such arrays stay float64
            return narrow
    return array


def decode_reference(data: bytes, job: JobSpec) -> JobResult | None:
    """The reference result, or None when ``data`` is not a complete result of exactly ``job``'s cases."""
    if not data.startswith(FORMAT):
        return None
    expected = tuple(case.name for case in job.cases)
    decoded = protocol.decode_results(memoryview(data)[len(FORMAT):], job.limits, expected)
    if decoded.problem is not None or not decoded.done or decoded.module_error is not None:
        return None
    if set(decoded.cases) != set(expected) or any(c.error is not None for c in decoded.cases.values()):
        return None
    return JobResult(termination=OK, cases={name: decoded.cases[name] for name in expected})


@dataclass
class SharedReferences:
    """Sealed reference results in a shared store. Never raises: a store problem is a miss."""

    store: KeyValueStore
    secret: bytes
    ttl: int = 24 * 3600
    max_bytes: int = 4 * 1024 * 1024  # per entry; bigger results stay in the process cache only

    def _seal(self, key: str, payload: bytes) -> bytes:
        return hmac.new(self.secret, key.encode() + b"\0" + payload, hashlib.sha256).digest() + payload

    def _open(self, key: str, value: bytes) -> bytes | None:
        mac, payload = value[:MAC_BYTES], value[MAC_BYTES:]
        expected = hmac.new(self.secret, key.encode() + b"\0" + payload, hashlib.sha256).digest()
        return payload if len(mac) == MAC_BYTES and hmac.compare_digest(mac, expected) else None

    def get(self, key: str, job: JobSpec) -> JobResult | None:
        try:
            value = self.store.get(key)
        except Exception as error:  # an unreachable store only costs a reference run
            logger.warning("reference store unavailable (%s): running the reference", type(error).__name__)
            return None
        if value is None:
            return None
        payload = self._open(key, bytes(value))
        reference = None if payload is None else decode_reference(payload, job)
        if reference is None:
            logger.warning("refused reference store entry %s (seal or content); recomputing", key)
        return reference

    def holds(self, key: str) -> bool:
        """Whether the store has an entry under ``key``, without reading it (a store's ``exists``,
        else its ``get``): to decide whether to prepare a reference. An entry that turns out to be
        refused is only a miss for the grading that reads it, which then runs the reference and
        replaces the entry. False when the store is unreachable."""
        try:
            exists = getattr(self.store, "exists", None)
            return bool(exists(key)) if exists is not None else self.store.get(key) is not None
        except Exception:
            return False

    def put(self, key: str, reference: JobResult) -> bool:
        payload = encode_reference(reference)
        if len(payload) + MAC_BYTES > self.max_bytes:
            return False
        try:
            self.store.set(key, self._seal(key, payload), self.ttl)
        except Exception as error:
            logger.warning("reference store unavailable (%s): result not shared", type(error).__name__)
            return False
        return True

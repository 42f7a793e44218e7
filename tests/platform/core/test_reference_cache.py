"""The workers' reference store in a real Redis (core/reference_cache.py): raw bytes round trip,
a total byte budget that deletes the oldest entries, and an unreachable Redis that is only a miss."""

from __future__ import annotations

import pytest
from core.reference_cache import RedisBytes

from grader.api import grade_code, load_question
from grader.harness.inprocess import InProcessExecutor
from grader.reference_store import SharedReferences
from tests.stack import RedisServer, free_port

MINI = "tests/grader/core/fixtures/mini"


@pytest.fixture(scope="module")
def redis_port(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    server = RedisServer(tmp_path_factory.mktemp("refcache-redis"))
    server.start()
    yield server.port
    server.stop()


def _store(settings, port: int, budget: int, prefix: str) -> RedisBytes:  # type: ignore[no-untyped-def]
    settings.REDIS_URL = f"redis://127.0.0.1:{port}/0"  # the shared client (core.redis_client)
    return RedisBytes(prefix, budget)


def test_bytes_round_trip_with_a_ttl(redis_port, settings):
    store = _store(settings, redis_port, 10_000, "t1:")
    store.set("a", b"\x00\x01raw", ttl=60)
    assert store.get("a") == b"\x00\x01raw"
    assert 0 < store.client.ttl("t1:a") <= 60
    assert store.get("missing") is None
    assert store.exists("a") and not store.exists("missing")


def test_the_total_budget_deletes_the_oldest_entries(redis_port, settings):
    store = _store(settings, redis_port, 1000, "t2:")
    for index in range(10):
        store.set(f"k{index}", bytes(300), ttl=60)
    kept = [index for index in range(10) if store.get(f"k{index}") is not None]
    assert kept == [7, 8, 9]  # 3 x 300 bytes fit in 1,000
    assert int(store.client.get("t2:refindex:bytes")) == 900
    store.set("k9", bytes(100), ttl=60)  # rewriting a key counts its new size only
    assert int(store.client.get("t2:refindex:bytes")) == 700


def test_a_grade_through_redis_equals_one_without(redis_port, monkeypatch, settings):
    from grader import runner

    monkeypatch.setattr(runner, "_reference_cache", type(runner._reference_cache)())
    monkeypatch.setattr(runner, "_reference_cache_bytes", 0)

    question = load_question(MINI, "scale")
    executor = InProcessExecutor()
    shared = SharedReferences(store=_store(settings, redis_port, 10**7, "t3:"), secret=b"s" * 32)
    code = 'NAMES = ["a"]\ndef scale(x, k):\n    return x + k\n'
    plain = grade_code(question, code, seed=77, executor=executor).to_dict()
    def forget() -> None:  # another worker process: only Redis holds it
        runner._reference_cache.clear()
        runner._reference_cache_bytes = 0

    forget()
    grade_code(question, code, seed=77, executor=executor, references=shared)
    forget()
    cached = grade_code(question, code, seed=77, executor=executor, references=shared)
    assert cached.timings["reference_ms"] == 0
    cached_dict = cached.to_dict()
    for data in (plain, cached_dict):
        data.pop("timings")
        for check in data["checks"]:
            check.get("details", {}).pop("ms", None)
    assert cached_dict == plain


def test_an_unreachable_redis_is_a_miss(settings):
    shared = SharedReferences(store=_store(settings, free_port(), 1000, "t4:"), secret=b"s" * 32)
    question = load_question(MINI, "scale")
    result = grade_code(question, 'NAMES = ["a", "b"]\ndef scale(x, k):\n    return x * k\n', seed=3,
                        executor=InProcessExecutor(), references=shared)
    assert result.status == "passed"

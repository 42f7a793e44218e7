"""The site's one Redis client (core/redis_client.py): shared, built from ``settings.REDIS_URL``
with short timeouts, following a changed URL, working again at the first command after an outage;
and the modules that talk to Redis directly (health, reference store, fingerprints) go through it."""

from __future__ import annotations

import pytest
import redis
from core.redis_client import TIMEOUT_SECONDS, redis_client

from tests.stack import RedisServer


@pytest.fixture
def two_redis(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    servers = [RedisServer(tmp_path_factory.mktemp(f"shared-redis-{index}")) for index in range(2)]
    for server in servers:
        server.start()
    yield servers
    for server in servers:
        server.stop()


def _timeouts(client: redis.Redis) -> tuple[float, float]:
    kwargs = client.connection_pool.connection_kwargs
    return kwargs["socket_connect_timeout"], kwargs["socket_timeout"]


def test_one_client_per_process_built_from_the_settings(settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/3"  # nothing listens: building it connects nowhere
    client = redis_client()
    assert redis_client() is client
    kwargs = client.connection_pool.connection_kwargs
    assert (kwargs["host"], kwargs["port"], kwargs["db"]) == ("127.0.0.1", 1, 3)
    assert _timeouts(client) == (TIMEOUT_SECONDS, TIMEOUT_SECONDS)
    health = redis_client(timeout=1.0)  # the health check's own timeout, shared as well
    assert health is not client and redis_client(timeout=1.0) is health
    assert _timeouts(health) == (1.0, 1.0)


def test_the_client_follows_a_changed_url(settings, two_redis):
    first, second = two_redis
    settings.REDIS_URL = first.url
    redis_client().set("dlgrade:test:where", b"first")
    settings.REDIS_URL = second.url
    assert redis_client().get("dlgrade:test:where") is None
    redis_client().set("dlgrade:test:where", b"second")
    settings.REDIS_URL = first.url
    assert redis_client().get("dlgrade:test:where") == b"first"


def test_the_client_works_again_at_the_first_command_after_an_outage(settings, two_redis):
    server = two_redis[0]
    settings.REDIS_URL = server.url
    client = redis_client()
    client.set("dlgrade:test:outage", b"before")  # a pooled connection, which the restart breaks
    server.stop()
    with pytest.raises(redis.ConnectionError):
        redis_client().get("dlgrade:test:outage")
    server.start()
    assert redis_client() is client
    assert client.set("dlgrade:test:outage", b"after") is True  # no failed command first
    assert client.get("dlgrade:test:outage") == b"after"


def test_the_modules_use_the_shared_client(settings, two_redis, monkeypatch):
    """Each of them follows a changed REDIS_URL (none keeps a client of its own), and each stays
    best effort when Redis is down."""
    from config.health import WorkerHeartbeat, health_redis, workers_alive
    from core import reference_cache
    from submissions import tasks
    from submissions.services import fingerprints

    first, second = two_redis
    monkeypatch.setattr(tasks.fingerprint_submissions, "apply_async", lambda *args, **kwargs: None)
    settings.GRADER_REFERENCE_CACHE = "redis"
    reference_cache.shared_references_reset(None)
    try:
        settings.REDIS_URL = first.url
        store = reference_cache.shared_references()
        assert store is not None
        beat = WorkerHeartbeat(name="w-shared@host", slots=1, interval=10)
        for server in (first, second):
            settings.REDIS_URL = server.url
            direct = redis.Redis.from_url(server.url)
            store.store.set("k", b"value", ttl=60)
            assert direct.get("dlgrade:k") == b"value"
            fingerprints.fingerprints_request(submission_id=7)
            assert direct.smembers(fingerprints.PENDING_KEY) == {b"7"}
            assert fingerprints.fingerprints_pending_take() == [7]
            beat.beat()
            assert workers_alive() == {"w-shared@host"}
            assert health_redis() == {"ok": True, "queued_tasks": 0}
            direct.close()
        second.stop()  # down: each degrades as before, nothing raises
        assert health_redis() == {"ok": False, "error": "ConnectionError"}
        assert workers_alive() is None
        with pytest.raises(redis.ConnectionError):
            store.store.get("k")
        assert fingerprints.fingerprints_pending_take() == []
        beat.beat()
        second.start()
        assert health_redis() == {"ok": True, "queued_tasks": 0}  # at the first check after it
    finally:
        reference_cache.shared_references_reset(None)

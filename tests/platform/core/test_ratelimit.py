"""``core.ratelimit``: a sliding 60-second window per user and bucket, counted in the cache; a
refused request takes its count back; a cache outage lets requests through."""

from __future__ import annotations

import pytest
from core import ratelimit


class Clock:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    fake = Clock(1_700_000_000.0)
    monkeypatch.setattr(ratelimit, "clock", fake)
    return fake


def admitted(n: int, **kwargs: object) -> list[bool]:
    return [not ratelimit.rate_limit_exceeded(**kwargs) for _ in range(n)]  # type: ignore[arg-type]


def test_the_limit_holds_inside_the_window_and_reopens_after_it(clock):  # type: ignore[no-untyped-def]
    assert admitted(4, user_id=1, bucket="t", limit=3) == [True, True, True, False]
    clock.now += 30
    assert admitted(1, user_id=1, bucket="t", limit=3) == [False]
    clock.now += 31.5  # every admitted request is now more than 61 s old
    assert admitted(3, user_id=1, bucket="t", limit=3) == [True, True, True]


def test_users_and_buckets_are_counted_apart(clock):  # type: ignore[no-untyped-def]
    assert admitted(2, user_id=1, bucket="a", limit=2) == [True, True]
    assert admitted(1, user_id=1, bucket="a", limit=2) == [False]
    assert admitted(2, user_id=2, bucket="a", limit=2) == [True, True]
    assert admitted(2, user_id=1, bucket="b", limit=2) == [True, True]


def test_refused_requests_do_not_keep_the_window_closed(clock):  # type: ignore[no-untyped-def]
    assert admitted(2, user_id=1, bucket="t", limit=2) == [True, True]
    clock.now += 59
    assert admitted(50, user_id=1, bucket="t", limit=2) == [False] * 50  # hammering...
    clock.now += 2.5
    assert admitted(2, user_id=1, bucket="t", limit=2) == [True, True]  # ...counted nothing


def test_the_default_limit_is_the_submit_setting(clock, settings):  # type: ignore[no-untyped-def]
    settings.SUBMIT_RATE_PER_MINUTE = 2
    assert admitted(3, user_id=1) == [True, True, False]


def test_a_cache_outage_lets_requests_through(clock, monkeypatch):  # type: ignore[no-untyped-def]
    def down(*_args: object, **_kwargs: object) -> None:
        raise ConnectionError("redis is down")

    monkeypatch.setattr(ratelimit.cache, "add", down)
    assert admitted(10, user_id=1, bucket="t", limit=1) == [True] * 10


def test_every_app_uses_the_one_limiter():  # type: ignore[no-untyped-def]
    import authoring.views
    import courses.views
    import submissions.services.quiz

    for module in (authoring.views, courses.views, submissions.services.quiz):
        assert module.rate_limit_exceeded is ratelimit.rate_limit_exceeded, module

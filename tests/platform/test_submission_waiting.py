"""The status reply says when to ask again (``submissions.waiting``): soon when the submission is
next in line or being graded, later behind a long queue, from what the live workers sustain (their
heartbeats' seconds per grading). A deadline rush then costs fewer polls, and the student sees how
many submissions are ahead of theirs."""

from __future__ import annotations

import itertools
import shutil
import time

import pytest
from config import health
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import override
from submissions.models import Submission
from submissions.waiting import (
    POLL_DEFAULT_MS,
    POLL_MAX_MS,
    POLL_MIN_MS,
    Wait,
    submission_wait,
    wait_message,
)

from tests.platform.conftest import CORRECT_SCALE, make_user


@pytest.fixture
def private_redis(tmp_path, settings, monkeypatch):  # type: ignore[no-untyped-def]
    from tests.stack import RedisServer

    if shutil.which("redis-server") is None:
        pytest.skip("redis-server is not installed")
    server = RedisServer(tmp_path / "redis")
    server.start()
    settings.REDIS_URL = server.url
    monkeypatch.setattr(health, "_capacity", (float("-inf"), None))  # nothing read yet
    yield server
    server.stop()


def beat(name: str, *, slots: int, seconds: list[float], sandbox: str = "ok") -> health.WorkerHeartbeat:
    pace = health.GradingPace()
    for value in seconds:
        pace.record(value)
    heartbeat = health.WorkerHeartbeat(name=name, slots=slots, interval=10)
    heartbeat.sandbox = sandbox
    original, health.grading_pace = health.grading_pace, pace
    try:
        heartbeat.beat()
    finally:
        health.grading_pace = original
    return heartbeat


def queued(question, users, count: int) -> list[Submission]:  # type: ignore[no-untyped-def]
    rows = []
    for index in range(count):
        rows.append(Submission.objects.create(
            user=users[index % len(users)], question=question, version=question.current_version,
            idempotency_key=f"k{index}", code=CORRECT_SCALE, seed=index, attempt=index + 1,
            enqueued_at=timezone.now()))
    return rows


def test_the_pace_is_a_moving_average_of_recent_gradings():
    pace = health.GradingPace()
    assert pace.seconds is None
    pace.record(1.0)
    assert pace.seconds == 1.0
    pace.record(2.0)
    assert pace.seconds == pytest.approx(1.2)
    for _ in range(40):
        pace.record(0.1)  # the load changed: the average follows within a few dozen gradings
    assert pace.seconds == pytest.approx(0.1, abs=0.01)


def test_a_new_pace_is_published_at_once_and_then_only_when_it_moved():
    pace = health.GradingPace()
    published: list[float | None] = []
    pace.publish = lambda: published.append(pace.seconds)
    pace.record(0.1)  # first known: news
    pace.record(0.11)
    pace.record(0.1)
    assert published == [0.1]
    for _ in range(12):
        pace.record(0.5)  # the load changed: published each time it moved by a quarter
    assert 2 < len(published) < 8 and published[-1] > 0.4
    assert all(later > 1.25 * earlier for earlier, later in itertools.pairwise(published))


def test_a_workers_heartbeat_publishes_its_pace(db, private_redis, monkeypatch):
    import json

    import redis

    pace = health.GradingPace()
    monkeypatch.setattr(health, "grading_pace", pace)
    heartbeat = health.WorkerHeartbeat(name="w-pace@host", slots=2, interval=60)
    heartbeat.sandbox = "ok"
    heartbeat.start()
    try:
        stored = redis.Redis.from_url(private_redis.url)
        assert json.loads(stored.get(heartbeat.key))["seconds_per_grading"] is None
        pace.record(0.25)  # no waiting for the next regular beat (a minute away)
        assert json.loads(stored.get(heartbeat.key))["seconds_per_grading"] == 0.25
        assert health.grading_capacity() == pytest.approx(8.0)
    finally:
        heartbeat.stop()
    assert pace.publish is None


def test_capacity_adds_each_workers_slots_over_its_pace_and_skips_the_unknown(db, private_redis):
    assert health.grading_capacity() is None  # no worker yet
    health._capacity = (float("-inf"), None)
    beat("w1@host", slots=1, seconds=[0.05])  # 20 per second
    beat("w2@host", slots=2, seconds=[0.1])  # 20 per second
    beat("w3@host", slots=4, seconds=[])  # has not graded yet: says nothing
    beat("w4@host", slots=4, seconds=[0.01], sandbox="unavailable: no namespaces")  # cannot grade
    assert health.grading_capacity() == pytest.approx(40.0)
    beat("w5@host", slots=1, seconds=[0.01])
    assert health.grading_capacity() == pytest.approx(40.0)  # read at most every CAPACITY_TTL_SECONDS
    health._capacity = (time.monotonic() - health.CAPACITY_TTL_SECONDS - 0.1, 40.0)
    assert health.grading_capacity() == pytest.approx(140.0)


def test_capacity_is_unknown_without_redis(db, settings, monkeypatch):
    settings.REDIS_URL = "redis://127.0.0.1:9/0"  # nothing listens there
    monkeypatch.setattr(health, "_capacity", (float("-inf"), None))
    assert health.grading_capacity() is None


def test_a_queued_submission_is_told_its_place_and_when_to_ask_again(code_question, student, monkeypatch):
    others = [make_user(f"other{index}") for index in range(3)]
    rows = queued(code_question, [*others, student], 41)
    Submission.objects.filter(pk=rows[3].pk).update(status=Submission.Status.RUNNING)  # not waiting any more
    mine = rows[-1]
    monkeypatch.setattr("submissions.waiting.grading_capacity", lambda: 10.0)
    wait = submission_wait(mine)
    assert wait.ahead == 39  # the 40 before it, less the one being graded
    assert wait.eta_ms == 4000  # (39 + its own) / 10 per second
    assert wait.poll_after_ms == 2000  # halfway: a late poll costs the student, an early one a request
    first = submission_wait(rows[0])
    assert (first.ahead, first.eta_ms, first.poll_after_ms) == (0, 100, POLL_MIN_MS)
    monkeypatch.setattr("submissions.waiting.grading_capacity", lambda: 1.0)
    assert submission_wait(mine).poll_after_ms == POLL_MAX_MS  # a long queue: still news every 4 s
    monkeypatch.setattr("submissions.waiting.grading_capacity", lambda: None)
    unknown = submission_wait(mine)
    assert (unknown.ahead, unknown.eta_ms, unknown.poll_after_ms) == (39, None, POLL_DEFAULT_MS)


def test_running_and_unsent_submissions(code_question, student, monkeypatch):
    monkeypatch.setattr("submissions.waiting.grading_capacity", lambda: 10.0)
    row = queued(code_question, [student], 1)[0]
    row.status = Submission.Status.RUNNING
    assert submission_wait(row) == Wait(ahead=None, eta_ms=None, poll_after_ms=POLL_MIN_MS)
    row.status, row.enqueued_at = Submission.Status.QUEUED, None  # the broker was down: the sweeper sends it
    assert submission_wait(row) == Wait(ahead=None, eta_ms=None, poll_after_ms=POLL_MAX_MS)


def test_the_message_in_both_languages():
    with override("en"):
        assert wait_message(Wait(ahead=12, eta_ms=3400, poll_after_ms=2720)) == \
            "12 submissions ahead of yours; graded in about 3 s."
        assert wait_message(Wait(ahead=1, eta_ms=200, poll_after_ms=250)) == \
            "1 submission ahead of yours; graded in about 1 s."
        assert wait_message(Wait(ahead=0, eta_ms=100, poll_after_ms=250)) == ""  # next in line: nothing to say
        assert wait_message(Wait(ahead=5, eta_ms=None, poll_after_ms=500)) == ""  # nothing known
    with override("ko"):
        assert wait_message(Wait(ahead=12, eta_ms=3400, poll_after_ms=2720)) == \
            "앞에 제출 12개가 기다리고 있습니다. 약 3초 후에 채점됩니다."


def test_the_status_endpoint_carries_the_wait(code_question, student, monkeypatch):
    monkeypatch.setattr("submissions.waiting.grading_capacity", lambda: 4.0)
    rows = queued(code_question, [student], 9)
    client = Client()
    client.force_login(student)
    reply = client.get(reverse("submissions:status", args=[rows[-1].pk]), HTTP_ACCEPT_LANGUAGE="en").json()
    assert reply["status"] == "queued"
    assert (reply["ahead"], reply["eta_ms"], reply["poll_after_ms"]) == (8, 2250, 1125)
    assert reply["message"] == "8 submissions ahead of yours; graded in about 2 s."
    Submission.objects.filter(pk=rows[-1].pk).update(status=Submission.Status.GRADED, score=1.0)
    final = client.get(reverse("submissions:status", args=[rows[-1].pk])).json()
    assert "poll_after_ms" not in final and "ahead" not in final  # nothing more to wait for


def test_a_grading_worker_records_its_pace(code_question, student, inprocess, monkeypatch):
    from submissions import tasks

    pace = health.GradingPace()
    monkeypatch.setattr(tasks, "grading_pace", pace)
    row = queued(code_question, [student], 1)[0]
    tasks.grade_submission.apply(args=[row.pk])
    assert Submission.objects.get(pk=row.pk).status == Submission.Status.GRADED
    assert pace.seconds is not None and pace.seconds > 0
    recorded = pace.seconds
    pace.record = lambda seconds: pytest.fail("recorded a grading that did not happen")
    tasks.grade_submission.apply(args=[row.pk])  # graded already: not claimed, nothing done here
    assert pace.seconds == recorded

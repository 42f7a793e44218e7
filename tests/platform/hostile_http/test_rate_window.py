"""The per-minute submit limit against a student timing bursts around a minute boundary, over HTTP
with a controllable clock: no 60-second interval admits more than the limit (a counter per
calendar minute admitted a full burst at :59 and another at :01)."""

from __future__ import annotations

import uuid

import pytest
from core import ratelimit
from django.urls import reverse
from submissions.models import QuizAnswer, Submission

from tests.platform.conftest import CORRECT_SCALE
from tests.platform.hostile_http.helpers import client_for, post_json

LIMIT = 3
MINUTE = 60 * 28_000_000  # a whole minute, as epoch seconds


class Clock:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch, settings) -> Clock:  # type: ignore[no-untyped-def]
    settings.SUBMIT_RATE_PER_MINUTE = LIMIT
    fake = Clock(MINUTE + 59.5)
    monkeypatch.setattr(ratelimit, "clock", fake)
    return fake


def submit(client, question):  # type: ignore[no-untyped-def]
    return post_json(client, reverse("submissions:submit", args=[question.pk]),
                     {"code": CORRECT_SCALE, "idempotency_key": str(uuid.uuid4())})


def test_a_burst_on_each_side_of_a_minute_boundary_is_cut_to_the_limit(student, code_question, clock):
    client = client_for(student)
    assert [submit(client, code_question).status_code for _ in range(LIMIT)] == [202] * LIMIT
    clock.now = MINUTE + 60 + 1.0  # a new calendar minute, 1.5 s later
    second_burst = [submit(client, code_question).status_code for _ in range(LIMIT)]
    assert second_burst == [429] * LIMIT
    assert Submission.objects.filter(user=student).count() == LIMIT


def test_the_window_slides_open_sixty_seconds_after_each_admission(student, code_question, clock):
    client = client_for(student)
    times = [MINUTE + 10.0, MINUTE + 30.0, MINUTE + 50.0]
    for moment in times:
        clock.now = moment
        assert submit(client, code_question).status_code == 202
    clock.now = MINUTE + 69.9  # 59.9 s after the first: still inside its minute
    assert submit(client, code_question).status_code == 429
    clock.now = MINUTE + 71.0  # the first has left the window: exactly one place again
    assert submit(client, code_question).status_code == 202
    assert submit(client, code_question).status_code == 429


def test_refused_requests_do_not_keep_the_window_shut(student, code_question, clock):
    client = client_for(student)
    clock.now = MINUTE + 5.0
    for _ in range(LIMIT):
        assert submit(client, code_question).status_code == 202
    for offset in range(0, 60, 5):  # hammering through the whole minute
        clock.now = MINUTE + 6.0 + offset
        assert submit(client, code_question).status_code == 429
    clock.now = MINUTE + 66.0
    assert submit(client, code_question).status_code == 202


def test_quiz_answers_get_the_same_sliding_window(student, quiz_question, clock):
    quiz_question.assignment.max_attempts = 0  # the rate limit, not the attempt limit, is under test
    quiz_question.assignment.save()
    client = client_for(student)
    url = reverse("assessments:question", args=[quiz_question.pk])
    assert [client.post(url, {"choice": "wrong"}).status_code for _ in range(LIMIT)] == [302] * LIMIT
    clock.now = MINUTE + 61.0
    assert client.post(url, {"choice": "right"}).status_code == 429
    assert QuizAnswer.objects.filter(user=student).count() == LIMIT


def test_a_cache_outage_still_lets_work_in(student, code_question, clock, monkeypatch):
    from django.core.cache import cache

    def broken(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise ConnectionError("redis down")

    monkeypatch.setattr(cache, "incr", broken)
    client = client_for(student)
    assert [submit(client, code_question).status_code for _ in range(LIMIT + 2)] == [202] * (LIMIT + 2)


def test_no_sixty_second_interval_ever_admits_more_than_the_limit(clock):
    """Randomised timings straight at the limiter: every admission is checked against all the
    admissions of the 60 seconds before it."""
    import random

    rng = random.Random(7)
    admitted: list[float] = []
    clock.now = float(MINUTE)
    for _ in range(400):
        clock.now += rng.choice([0.0, 0.01, 0.4, 0.99, 1.0, 2.5, 7.0, 19.9])
        if not ratelimit.rate_limit_exceeded(user_id=1, bucket="property", limit=LIMIT):
            admitted.append(clock.now)
            assert sum(1 for moment in admitted if moment > clock.now - 60) <= LIMIT
    assert len(admitted) > 3 * LIMIT  # the limiter did let work through as the window slid

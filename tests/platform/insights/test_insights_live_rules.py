"""The "struggling" rules of the live lab view, on one student's tries at one question."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import translation
from insights.live import Try, struggle_reasons


@pytest.fixture(autouse=True)
def _english():  # type: ignore[no-untyped-def]
    with translation.override("en"):  # the reasons are translated; these tests read the English
        yield


NOW = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)


def ago(minutes: float) -> datetime:
    return NOW - timedelta(minutes=minutes)


def failing(minutes: float, score: float = 0.0) -> Try:
    return Try(at=ago(minutes), status="failed", score=score, full_marks=False)


def test_three_failing_submissions_within_twenty_minutes_are_flagged():
    reasons = struggle_reasons([failing(12), failing(7), failing(2)], now=NOW)
    assert any("3 failing submissions in 20 minutes" in reason for reason in reasons)


def test_two_recent_failures_or_an_old_third_one_are_not_a_burst():
    assert not any("failing submissions" in r for r in struggle_reasons([failing(6), failing(2)], now=NOW))
    assert not any("failing submissions" in r
                   for r in struggle_reasons([failing(25), failing(6), failing(2)], now=NOW))


def test_no_better_score_for_fifteen_minutes_after_failing_is_flagged():
    tries = [failing(40, score=2.0), failing(18, score=3.0), failing(5, score=3.0)]  # last gain 18 min ago
    reasons = struggle_reasons(tries, now=NOW)
    assert reasons == ["no progress for 18 minutes after failing"]


def test_a_recent_improvement_is_progress():
    assert struggle_reasons([failing(40, score=2.0), failing(5, score=4.0)], now=NOW) == []


def test_full_marks_clear_every_flag():
    tries = [failing(12), failing(8), failing(4), Try(at=ago(1), status="passed", score=10.0, full_marks=True)]
    assert struggle_reasons(tries, now=NOW) == []


def test_submissions_still_being_graded_are_not_failures():
    tries = [failing(10, score=1.0), Try(at=ago(3), status="queued", score=None, full_marks=False),
             Try(at=ago(2), status="running", score=None, full_marks=False)]
    assert struggle_reasons(tries, now=NOW) == []

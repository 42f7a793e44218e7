"""The numbers on the per-question dashboard, on plain data."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from insights.stats import (
    attempts_until_full,
    check_failure_rates,
    count_distribution,
    histogram,
    message_normalise,
    time_to_first_pass,
)
from submissions.attempts import GRADED, SUBMISSION, ScoredAttempt

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


def graded(*, user_id: int, at: datetime, full_marks: bool, counts: bool = True) -> ScoredAttempt:
    """A graded attempt with only what the statistics read made up."""
    return ScoredAttempt(
        id=0, model=SUBMISSION, user_id=user_id, question_id=1, at=at, attempt=1,
        score=1.0 if full_marks else 0.0, max_score=1.0, full_marks=full_marks, counts=counts,
        late_days=0, status=GRADED,
    )


def test_attempts_until_full_counts_attempts_up_to_the_first_full_marks():
    attempts = [
        graded(user_id=1, at=at(0), full_marks=False),
        graded(user_id=1, at=at(5), full_marks=False),
        graded(user_id=1, at=at(9), full_marks=True),
        graded(user_id=1, at=at(12), full_marks=False),  # after passing: irrelevant
        graded(user_id=2, at=at(1), full_marks=True),
        graded(user_id=3, at=at(2), full_marks=False),
    ]
    assert attempts_until_full(attempts) == {1: 3, 2: 1, 3: None}


def test_attempts_until_full_does_not_charge_uncounted_attempts_and_sorts_by_time():
    attempts = [
        graded(user_id=1, at=at(10), full_marks=True),
        graded(user_id=1, at=at(0), full_marks=False, counts=False),  # rejected upload
        graded(user_id=1, at=at(5), full_marks=False),
    ]
    assert attempts_until_full(attempts) == {1: 2}


def test_time_to_first_pass_runs_from_the_first_attempt():
    attempts = [
        graded(user_id=1, at=at(0), full_marks=False),
        graded(user_id=1, at=at(25), full_marks=True),
        graded(user_id=1, at=at(40), full_marks=True),
        graded(user_id=2, at=at(3), full_marks=False),
    ]
    assert time_to_first_pass(attempts) == {1: timedelta(minutes=25)}


def test_time_to_first_pass_starts_at_an_earlier_draft_but_not_a_later_one():
    attempts = [graded(user_id=1, at=at(30), full_marks=True), graded(user_id=2, at=at(30), full_marks=True)]
    started = {1: at(10), 2: at(45)}  # user 2 kept editing after passing: their draft is newer
    assert time_to_first_pass(attempts, started=started) == {1: timedelta(minutes=20), 2: timedelta(0)}


def test_histogram_puts_full_marks_in_the_last_bin_and_zero_in_the_first():
    bins = histogram([0.0, 0.0, 2.5, 9.99, 10.0, 10.0], low=0.0, high=10.0, bins=10)
    assert [b.count for b in bins] == [2, 0, 1, 0, 0, 0, 0, 0, 0, 3]
    assert (bins[0].low, bins[-1].high) == (0.0, 10.0)


def test_count_distribution_caps_the_long_tail():
    assert count_distribution([1, 1, 2, 5, 12, 30], cap=5) == [("1", 2), ("2", 1), ("3", 0), ("4", 0), ("5+", 3)]


@pytest.mark.parametrize(("message", "key"), [
    ("forward output: 12 of 40 values differ; max abs error 0.31, max rel error 1.2e-05; first mismatch "
     "at index (0, 1, 2, 3): expected -1.5, got 2",
     "forward output: # of # values differ; max abs error #, max rel error #; first mismatch "
     "at index (#, #, #, #): expected #, got #"),
    ("out: expected shape (2, 4, 3, 3), got (2, 4, 2, 2) — check the output-size formula",
     "out: expected shape (#, #, #, #), got (#, #, #, #) — check the output-size formula"),
    ("ValueError: cannot reshape array of size 36 into shape (2,3)\nTraceback line 17\nline 23",
     "ValueError: cannot reshape array of size # into shape (#,#)"),
    ("im2col gave nan where 3.5e+00 was expected", "im2col gave # where # was expected"),
])
def test_message_normalise_groups_messages_that_differ_only_in_numbers(message, key):
    assert message_normalise(message) == key


def _result(*checks):  # type: ignore[no-untyped-def]
    return {"checks": [{"name": n, "passed": p, "message": m, "hidden": h} for n, p, m, h in checks]}


def test_check_failure_rates_sorts_worst_first_and_groups_messages():
    results = [
        _result(("forward", True, "ok", False), ("backward, stride 2", False, "dx: 3 of 9 values differ", False),
                ("hidden grad", False, "dW: expected shape (2, 3), got (3, 2)", True)),
        _result(("forward", True, "ok", False), ("backward, stride 2", False, "dx: 5 of 9 values differ", False),
                ("hidden grad", True, "ok", True)),
        _result(("forward", False, "TypeError: bad\nTraceback ...", False),
                ("backward, stride 2", False, "not run: your file could not be loaded", False),
                ("hidden grad", False, "not run: your file could not be loaded", True)),
    ]
    rows = check_failure_rates(results)
    assert [(r.name, r.failed, r.total, r.percent) for r in rows] == [
        ("backward, stride 2", 3, 3, 100), ("hidden grad", 2, 3, 67), ("forward", 1, 3, 33),
    ]
    backward = rows[0]
    assert [(m.message, m.count) for m in backward.messages] == [
        ("dx: # of # values differ", 2), ("not run: your file could not be loaded", 1),
    ]
    assert backward.messages[0].example == "dx: 3 of 9 values differ"  # a real one, to read
    assert rows[1].hidden is True
    assert rows[2].messages[0].message == "TypeError: bad"


def test_check_failure_rates_keeps_the_question_order_on_ties_and_handles_no_checks():
    rows = check_failure_rates([_result(("b", False, "x", False), ("a", False, "y", False)), {"checks": []}, {}])
    assert [r.name for r in rows] == ["b", "a"]
    assert check_failure_rates([]) == []

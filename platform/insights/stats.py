"""Statistics behind the instructor dashboards, on plain data (no ORM): selectors read attempts
(``submissions.attempts.ScoredAttempt``) and grader results, these functions do the counting.
Kept pure so each number on the dashboard has a unit test of its own."""

from __future__ import annotations

import re
import statistics
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from submissions.attempts import ScoredAttempt

# Grader verdicts where the student's code ran and every check was evaluated.
RAN_VERDICTS = ("passed", "partial", "failed")


@dataclass(frozen=True)
class Bin:
    low: float
    high: float
    count: int

    @property
    def label(self) -> str:
        return f"{self.low:g}–{self.high:g}"


@dataclass
class MessageCount:
    message: str  # the normalised message (numbers replaced by "#")
    count: int
    example: str  # one real message of the group, as the grader wrote it


@dataclass
class CheckFailure:
    name: str
    hidden: bool
    failed: int
    total: int
    messages: list[MessageCount] = field(default_factory=list)

    @property
    def rate(self) -> float:
        return self.failed / self.total if self.total else 0.0

    @property
    def percent(self) -> int:
        return round(self.rate * 100)


def median(values: Iterable[float]) -> float | None:
    items = list(values)
    return statistics.median(items) if items else None


def histogram(values: Sequence[float], *, low: float, high: float, bins: int = 10) -> list[Bin]:
    """Equal-width bins over [low, high]; the last bin is closed so full marks land in it."""
    width = (high - low) / bins if high > low else 1.0
    counts = [0] * bins
    for value in values:
        index = int((value - low) / width) if width else 0
        counts[min(max(index, 0), bins - 1)] += 1
    return [Bin(low=round(low + i * width, 6), high=round(low + (i + 1) * width, 6), count=count)
            for i, count in enumerate(counts)]


def count_distribution(values: Iterable[int], *, cap: int = 10) -> list[tuple[str, int]]:
    """Counts of 1, 2, ..., cap-1 and "cap+": a long tail would squash the chart otherwise."""
    counter = Counter(min(value, cap) for value in values)
    return [(f"{n}+" if n == cap else str(n), counter.get(n, 0)) for n in range(1, cap + 1)]


def attempts_until_full(attempts: Iterable[ScoredAttempt]) -> dict[int, int | None]:
    """Per student: how many counted attempts it took to get full marks, None if never.

    Attempts that did not count (rejected code) are not charged to the student."""
    result: dict[int, int | None] = {}
    used: dict[int, int] = defaultdict(int)
    for attempt in sorted(attempts, key=lambda a: a.at):
        if result.get(attempt.user_id) is not None:
            continue  # already at full marks: later attempts do not change the answer
        if attempt.counts:
            used[attempt.user_id] += 1
        result[attempt.user_id] = used[attempt.user_id] if attempt.full_marks else None
    return result


def time_to_first_pass(
    attempts: Iterable[ScoredAttempt], *, started: Mapping[int, datetime] | None = None
) -> dict[int, timedelta]:
    """Per student who reached full marks: time from starting to the first full-marks attempt.

    Starting is the first attempt, or earlier when ``started`` (e.g. a draft's save time) says
    the student was already typing before submitting."""
    first_seen: dict[int, datetime] = {}
    passed_at: dict[int, datetime] = {}
    for attempt in sorted(attempts, key=lambda a: a.at):
        first_seen.setdefault(attempt.user_id, attempt.at)
        if attempt.full_marks:
            passed_at.setdefault(attempt.user_id, attempt.at)
    durations = {}
    for user_id, passed in passed_at.items():
        start = first_seen[user_id]
        if started and user_id in started and started[user_id] < start:
            start = started[user_id]
        durations[user_id] = passed - start
    return durations


_NUMBER = re.compile(r"(?<![\w.])[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?(?![\w.])|\b(?:nan|inf)\b")


def message_normalise(message: str) -> str:
    """The grouping key of a failure message: its first line with every number replaced by "#",
    so "3 of 40 values differ" and "7 of 40 values differ" count as the same mistake. Tracebacks
    (later lines) differ by line number and file, never by mistake."""
    first_line = message.strip().splitlines()[0] if message.strip() else ""
    return _NUMBER.sub("#", first_line).strip()


def check_failure_rates(results: Iterable[Mapping[str, Any]], *, top_messages: int = 3) -> list[CheckFailure]:
    """Per check, over one grader result per student (their latest): how many failed it and the
    commonest messages, worst check first. Checks keep the order of the question on ties."""
    by_name: dict[str, CheckFailure] = {}
    groups: dict[str, Counter[str]] = defaultdict(Counter)
    examples: dict[tuple[str, str], str] = {}
    for result in results:
        for check in result.get("checks") or []:
            name = str(check.get("name", "?"))
            row = by_name.setdefault(name, CheckFailure(name=name, hidden=bool(check.get("hidden")),
                                                        failed=0, total=0))
            row.total += 1
            if not check.get("passed"):
                row.failed += 1
                message = str(check.get("message", "")).strip()
                key = message_normalise(message)
                groups[name][key] += 1
                examples.setdefault((name, key), message.splitlines()[0] if message else "")
    order = {name: i for i, name in enumerate(by_name)}
    rows = sorted(by_name.values(), key=lambda row: (-row.rate, order[row.name]))
    for row in rows:
        row.messages = [MessageCount(message=key, count=count, example=examples[(row.name, key)])
                        for key, count in groups[row.name].most_common(top_messages)]
    return rows


def verdict_counts(verdicts: Iterable[str]) -> list[tuple[str, int]]:
    """How the latest submissions ended (passed, partial, syntax_error, timeout, ...), commonest first."""
    return Counter(v or "unknown" for v in verdicts).most_common()

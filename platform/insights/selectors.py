"""Reads for the instructor dashboards: rows from submissions/quiz answers turned into the plain
data ``insights.stats`` counts. Only students count (staff trying a question would skew every
number), and every lookup is scoped to a course the caller already checked staff access to."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from assessments.models import Assignment, Question
from courses.models import Course
from courses.selectors import course_student_ids
from django.http import Http404
from pools.selectors import pool_users_of
from submissions.attempts import GRADED, ScoredAttempt, best_of, scored_attempts
from submissions.models import Draft, QuizAnswer, Submission

from insights import stats
from insights.stats import Bin, CheckFailure

SCORE_BINS = 10


def question_get_in_course(*, course: Course, question_id: int) -> Question:
    """A question of this course (404 for another course's id: ids are never a way across)."""
    question = (
        Question.objects.select_related("assignment", "current_version")
        .filter(id=question_id, assignment__course=course).first()
    )
    if question is None:
        raise Http404
    return question


def assignment_get_in_course(*, course: Course, assignment_id: int) -> Assignment:
    assignment = Assignment.objects.filter(id=assignment_id, course=course).first()
    if assignment is None:
        raise Http404
    return assignment


def attempts_in(*, question_ids: list[int], users: set[int]) -> list[ScoredAttempt]:
    """The attempts the dashboards count, oldest first: graded ones and answers waiting for staff
    grading (the student tried; no full marks yet). Code still queued or on a worker, and code
    that could not be graded, are not attempts yet."""
    return [
        attempt for attempt in scored_attempts(question_ids=question_ids, user_ids=users, graded_only=False)
        if attempt.status == GRADED or attempt.awaiting_staff
    ]


def question_attempts(*, question: Question, users: set[int]) -> list[ScoredAttempt]:
    """Every attempt of these students at this question that the dashboards count, oldest first."""
    return attempts_in(question_ids=[question.pk], users=users)


def latest_graded_results(*, question: Question, users: set[int]) -> list[dict[str, Any]]:
    """Each student's latest graded code result (rejected uploads were never graded: skipped)."""
    latest: dict[int, int] = {}
    rows = (
        Submission.objects.filter(question=question, user_id__in=users, status=Submission.Status.GRADED)
        .exclude(verdict="rejected").order_by("created_at", "id").values_list("user_id", "id")
    )
    for user_id, submission_id in rows:
        latest[user_id] = submission_id
    rows_with_results = Submission.objects.filter(id__in=latest.values()).values_list("verdict", "results")
    # The row's verdict wins over the JSON's status: it is what the student was told.
    return [{**(result or {}), "status": verdict or (result or {}).get("status", "")}
            for verdict, result in rows_with_results]


@dataclass
class QuestionDashboard:
    question: Question
    enrolled: int
    attempted: int
    full_marks: int
    score_bins: list[Bin]
    mean_best: float | None  # in question points
    attempts_to_full: list[tuple[str, int]]
    attempts_to_full_median: float | None
    never_full: int
    pass_time_buckets: list[tuple[str, int]]
    pass_time_median: timedelta | None
    check_failures: list[CheckFailure] = field(default_factory=list)
    latest_graded: int = 0  # students behind the failure rates
    verdicts: list[tuple[str, int]] = field(default_factory=list)
    misconceptions: list[tuple[str, int]] = field(default_factory=list)


# (upper bound, label): how long from starting to full marks. Labels are short: they sit under bars.
PASS_TIME_BUCKETS: list[tuple[timedelta | None, str]] = [
    (timedelta(minutes=5), "<5m"), (timedelta(minutes=15), "5–15m"), (timedelta(minutes=30), "15–30m"),
    (timedelta(hours=1), "30–60m"), (timedelta(hours=3), "1–3h"), (timedelta(days=1), "3h–1d"),
    (None, ">1d"),
]


def duration_buckets(durations: list[timedelta]) -> list[tuple[str, int]]:
    counts = [0] * len(PASS_TIME_BUCKETS)
    for duration in durations:
        for index, (bound, _label) in enumerate(PASS_TIME_BUCKETS):
            if bound is None or duration < bound:
                counts[index] += 1
                break
    return [(label, count) for (_bound, label), count in zip(PASS_TIME_BUCKETS, counts, strict=True)]


def question_dashboard(*, question: Question) -> QuestionDashboard:
    # A pooled question: only the students it was drawn for (``pools``) are its class.
    users = pool_users_of(question=question, user_ids=course_student_ids(course=question.assignment.course_id))
    attempts = question_attempts(question=question, users=users)
    best = {user_id: score for (user_id, _question_id), score in best_of(attempts).items()}
    until_full = stats.attempts_until_full(attempts)
    reached = [n for n in until_full.values() if n is not None]
    drafts: dict[int, datetime] = {}
    if question.is_code:
        drafts = dict(Draft.objects.filter(question=question, user_id__in=users).values_list("user_id", "saved_at"))
    pass_times = list(stats.time_to_first_pass(attempts, started=drafts).values())
    pass_median = stats.median(d.total_seconds() for d in pass_times)
    dashboard = QuestionDashboard(
        question=question,
        enrolled=len(users),
        attempted=len({a.user_id for a in attempts}),
        full_marks=len(reached),
        score_bins=stats.histogram(list(best.values()), low=0.0, high=question.points or 1.0, bins=SCORE_BINS),
        mean_best=sum(best.values()) / len(best) if best else None,
        attempts_to_full=stats.count_distribution(reached),
        attempts_to_full_median=stats.median(reached),
        never_full=sum(1 for n in until_full.values() if n is None),
        pass_time_buckets=duration_buckets(pass_times),
        pass_time_median=timedelta(seconds=pass_median) if pass_median is not None else None,
    )
    if question.is_code:
        results = latest_graded_results(question=question, users=users)
        dashboard.check_failures = stats.check_failure_rates(results)
        dashboard.latest_graded = len(results)
        dashboard.verdicts = stats.verdict_counts(r["status"] for r in results)
    else:
        dashboard.misconceptions = quiz_misconceptions(question=question, users=users)
    return dashboard


def quiz_misconceptions(*, question: Question, users: set[int], limit: int = 5) -> list[tuple[str, int]]:
    """The misconceptions named by each student's latest answer: the quiz twin of failing checks."""
    latest: dict[int, str] = {}
    for user_id, misconception in (
        QuizAnswer.objects.filter(question=question, user_id__in=users)
        .order_by("created_at", "id").values_list("user_id", "misconception")
    ):
        latest[user_id] = misconception
    counts: dict[str, int] = defaultdict(int)
    for misconception in latest.values():
        if misconception:
            counts[misconception] += 1
    return sorted(counts.items(), key=lambda item: -item[1])[:limit]


@dataclass
class QuestionSummary:
    question: Question
    attempted: int
    full_marks: int
    mean_fraction: float | None  # mean best score / points, over students who tried
    bins: list[int]  # best scores in SCORE_BINS bins, for a sparkline


def assignment_overview(*, assignment: Assignment) -> tuple[int, list[QuestionSummary]]:
    """Per active question of the assignment: attempted, full marks, mean best score. Two
    queries for the whole assignment, whatever its number of questions."""
    users = set(course_student_ids(course=assignment.course_id))
    questions = list(Question.objects.filter(assignment=assignment, active=True).order_by("position", "id"))
    best: dict[int, dict[int, float]] = defaultdict(dict)
    tried: dict[int, set[int]] = defaultdict(set)
    full: dict[int, set[int]] = defaultdict(set)
    attempts = attempts_in(question_ids=[q.pk for q in questions], users=users)
    for attempt in attempts:
        tried[attempt.question_id].add(attempt.user_id)
        if attempt.full_marks:
            full[attempt.question_id].add(attempt.user_id)
    for (user_id, question_id), score in best_of(attempts).items():
        best[question_id][user_id] = score
    summaries = []
    for question in questions:
        scores = list(best[question.pk].values())
        points = question.points or 1.0
        summaries.append(QuestionSummary(
            question=question,
            attempted=len(tried[question.pk]),
            full_marks=len(full[question.pk]),
            mean_fraction=(sum(scores) / len(scores) / points) if scores else None,
            bins=[b.count for b in stats.histogram(scores, low=0.0, high=points, bins=SCORE_BINS)],
        ))
    return len(users), summaries

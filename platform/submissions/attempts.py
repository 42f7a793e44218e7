"""THE way to read a student's attempts, whatever the question's kind.

A code question's attempts are ``Submission`` rows (graded by workers), every other kind's are
``QuizAnswer`` rows (graded on the spot, or by staff). Readers outside this app do not query
either model for scores, attempt counts or "has tried": they ask here and get ``ScoredAttempt``s,
which mean the same for both kinds. Every function reads both models with a constant number of
queries (one ``values_list`` per model), whatever the number of students or questions. Totals
that need no attempt objects (the gradebook: best score, waiting for staff, has tried) ask
``best_scores_and_waiting``: the same rules (``best_of``, ``latest_of``) computed in SQL.

What stays kind-specific is read where it is needed: a code result's checks and verdict, a quiz
answer's misconception, the code draft, the rows themselves for a page that shows them."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from django.db.models import Aggregate, Count, Exists, Max, OuterRef, Q

from submissions.models import QuizAnswer, Submission

SUBMISSION = Submission._meta.model_name  # "submission"
QUIZ_ANSWER = QuizAnswer._meta.model_name  # "quizanswer"

# The status of an attempt, the same for both kinds.
PENDING = "pending"  # code queued or on a worker; an answer waiting for staff grading
GRADED = "graded"  # has its score (a rejected upload is graded too: verdict "rejected", no attempt used)
ERROR = "error"  # code that could not be graded (no attempt used); answers never end here

Status = Literal["pending", "graded", "error"]
Order = Literal["oldest", "newest"]

FULL_FRACTION = 1 - 1e-9  # a quiz answer's fraction at or above this is full marks


@dataclass(frozen=True)
class ScoredAttempt:
    """One code submission or quiz answer, as every consumer of scores and attempts sees it."""

    id: int  # the row's id in its own table (``model`` says which)
    model: str  # SUBMISSION or QUIZ_ANSWER
    user_id: int
    question_id: int
    at: datetime  # when it was submitted
    attempt: int  # its attempt number
    score: float | None  # question points after late penalty; None while pending (or error)
    max_score: float
    full_marks: bool  # all points before any late penalty: the student got it right
    counts: bool  # counted against the attempt limit (rejected or failed code is not)
    late_days: int
    status: Status
    manual: bool = False  # scored by staff (manual grading), not by the kind or a worker

    @property
    def awaiting_staff(self) -> bool:
        """Pending on manual grading (not on a worker)."""
        return self.status == PENDING and self.manual


_SUBMISSION_STATUS: dict[str, Status] = {
    Submission.Status.QUEUED: PENDING, Submission.Status.RUNNING: PENDING,
    Submission.Status.GRADED: GRADED, Submission.Status.ERROR: ERROR,
}


def scored_attempts(
    *, question_ids: Iterable[int], user_ids: Iterable[int] | None = None, graded_only: bool = True,
    order: Order = "oldest",
) -> list[ScoredAttempt]:
    """Every attempt of these users (all users when None) at these questions, in submission order
    (``"oldest"`` first or ``"newest"`` first). ``graded_only``: only attempts with status
    ``GRADED``. Two queries, whatever the number of users and questions."""
    question_ids = list(question_ids)
    users = None if user_ids is None else list(user_ids)
    if not question_ids or users == []:
        return []
    submissions = Submission.objects.filter(question_id__in=question_ids)
    answers = QuizAnswer.objects.filter(question_id__in=question_ids)
    if users is not None:
        submissions = submissions.filter(user_id__in=users)
        answers = answers.filter(user_id__in=users)
    if graded_only:
        submissions = submissions.filter(status=Submission.Status.GRADED)
        answers = answers.filter(Q(needs_manual=False) | Q(score__isnull=False))
    attempts = [
        ScoredAttempt(
            id=pk, model=SUBMISSION, user_id=user_id, question_id=question_id, at=at, attempt=number,
            score=score, max_score=max_score, full_marks=verdict == "passed", counts=counts,
            late_days=late_days, status=_SUBMISSION_STATUS.get(status, PENDING),
        )
        for pk, user_id, question_id, at, number, score, max_score, verdict, counts, late_days, status
        in submissions.values_list(
            "id", "user_id", "question_id", "created_at", "attempt", "score", "max_score", "verdict",
            "counts_as_attempt", "late_days", "status",
        )
    ]
    attempts.extend(
        ScoredAttempt(
            id=pk, model=QUIZ_ANSWER, user_id=user_id, question_id=question_id, at=at, attempt=number,
            score=score, max_score=max_score, full_marks=bool(correct or fraction >= FULL_FRACTION),
            counts=counts, late_days=late_days,
            status=PENDING if needs_manual and score is None else GRADED, manual=needs_manual,
        )
        for pk, user_id, question_id, at, number, score, max_score, correct, fraction, counts, late_days,
        needs_manual in answers.values_list(
            "id", "user_id", "question_id", "created_at", "attempt", "score", "max_score", "correct",
            "fraction", "counts_as_attempt", "late_days", "needs_manual",
        )
    )
    # Each question has one kind, so ties between the two tables only ever span questions.
    attempts.sort(key=lambda a: (a.at, a.model, a.id), reverse=order == "newest")
    return attempts


def best_of(attempts: Iterable[ScoredAttempt]) -> dict[tuple[int, int], float]:
    """The grading rule every total uses (gradebook, dashboards, LTI passback): a student's score
    on a question is their best scored attempt (late penalty already applied). Attempts without
    a score (pending, error) do not take part. ``{(user_id, question_id): best score}``."""
    best: dict[tuple[int, int], float] = {}
    for attempt in attempts:
        if attempt.score is None:
            continue
        key = (attempt.user_id, attempt.question_id)
        if key not in best or attempt.score > best[key]:
            best[key] = attempt.score
    return best


def latest_of(attempts: Iterable[ScoredAttempt]) -> dict[tuple[int, int], ScoredAttempt]:
    """Each student's newest attempt per question: ``{(user_id, question_id): attempt}``."""
    latest: dict[tuple[int, int], ScoredAttempt] = {}
    for attempt in attempts:
        key = (attempt.user_id, attempt.question_id)
        if key not in latest or (attempt.at, attempt.id) > (latest[key].at, latest[key].id):
            latest[key] = attempt
    return latest


def best_scores(
    *, question_ids: Iterable[int], user_ids: Iterable[int] | None = None
) -> dict[tuple[int, int], float]:
    """``{(user_id, question_id): best score}`` over code submissions and quiz answers: the rule of
    ``best_of``, computed in the database (``best_scores_and_waiting``). Two queries."""
    return best_scores_and_waiting(question_ids=question_ids, user_ids=user_ids, waiting=False).best


Key = tuple[int, int]  # (user_id, question_id)


@dataclass(frozen=True)
class BestAndWaiting:
    """Per student and question, what totals need and nothing per attempt (``best_scores_and_waiting``)."""

    best: dict[Key, float]  # ``best_of``: the best score of any attempt with one (late penalty applied)
    waiting: set[Key]  # the newest attempt awaits staff (``latest_of(...)[key].awaiting_staff``)
    attempted: set[Key]  # any attempt, of any status (empty unless asked for)


def best_scores_and_waiting(
    *, question_ids: Iterable[int], user_ids: Iterable[int] | None = None, waiting: bool = True,
    attempted: bool = False,
) -> BestAndWaiting:
    """The same answers as ``best_of``, ``latest_of(...)[key].awaiting_staff`` and "has any attempt"
    over ``scored_attempts(question_ids=, user_ids=, graded_only=False)``, without building one
    object per attempt: one aggregate per model and (student, question), ``MAX(score)`` (SQL skips
    the rows without a score, as ``best_of`` does: pending, error, awaiting staff) and, for the quiz
    answers, whether one awaiting staff is the newest attempt (``latest_of``'s order: ``(at, id)``,
    over both models). ``waiting=False``: ``waiting`` stays empty; ``attempted=True``: the pairs
    whose attempts have no score at all are read too. Two queries, whatever the number of users,
    questions and attempts."""
    question_ids = list(question_ids)
    users = None if user_ids is None else list(user_ids)
    if not question_ids or users == []:
        return BestAndWaiting(best={}, waiting=set(), attempted=set())
    best: dict[Key, float] = {}
    waits: set[Key] = set()
    tried: set[Key] = set()
    for model in (Submission, QuizAnswer):
        rows = model.objects.filter(question_id__in=question_ids)
        if users is not None:
            rows = rows.filter(user_id__in=users)
        aggregates: dict[str, Aggregate] = {"best": Max("score")}
        relevant = Q(score__isnull=False)
        if model is QuizAnswer and waiting:
            aggregates["waiting"] = Count("id", filter=_AWAITING_STAFF & ~_newer(QuizAnswer) & ~_newer(Submission))
            relevant |= _AWAITING_STAFF
        if not attempted:  # only the rows that can matter
            rows = rows.filter(relevant)
        # ``order_by()``: the model's default ordering must not join the GROUP BY.
        groups = rows.order_by().values("user_id", "question_id").annotate(**aggregates)
        for row in groups.values_list("user_id", "question_id", *aggregates):
            key, score = (row[0], row[1]), row[2]
            if attempted:
                tried.add(key)
            if score is not None and (key not in best or score > best[key]):
                best[key] = score
            if len(row) > 3 and row[3]:
                waits.add(key)
    return BestAndWaiting(best=best, waiting=waits, attempted=tried)


# An answer awaiting staff grading (``ScoredAttempt.awaiting_staff``); code is never graded by staff.
_AWAITING_STAFF = Q(needs_manual=True, score__isnull=True)


def _newer(model: type[Submission] | type[QuizAnswer]) -> Exists:
    """An attempt of ``model`` by the same user at the same question, newer than the outer row by
    ``(at, id)``: the order of ``latest_of``. Each question has one kind, so a newer code
    submission only exists for a question whose kind changed."""
    at = OuterRef("created_at")
    return Exists(
        model.objects.filter(user_id=OuterRef("user_id"), question_id=OuterRef("question_id"))
        .filter(Q(created_at__gt=at) | Q(created_at=at, id__gt=OuterRef("id")))
    )


def attempted_question_ids(*, user_id: int, question_ids: Iterable[int]) -> set[int]:
    """The questions this user has submitted anything to (any status: queued, error, awaiting staff)."""
    question_ids = list(question_ids)
    if not question_ids:
        return set()
    attempted: set[int] = set()
    for model in (Submission, QuizAnswer):
        attempted.update(
            model.objects.filter(user_id=user_id, question_id__in=question_ids).values_list("question_id", flat=True)
        )
    return attempted

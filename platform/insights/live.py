"""The live lab view: who is working on what right now, and who needs a visit.

"Right now" is activity (a draft saved, a submission or a quiz answer) in the last ``minutes``.
The struggling rules are pure functions on one student's submissions to one question, so each
rule has a test; ``live_board`` gathers rows for them with a fixed number of queries."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from assessments.models import Assignment, Question
from courses.models import Course
from courses.selectors import course_students
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from submissions.models import Draft, QuizAnswer, Submission

BURST_FAILURES = 3  # this many failing submissions ...
BURST_WINDOW = timedelta(minutes=20)  # ... within this long: trial and error, not progress
STUCK_AFTER = timedelta(minutes=15)  # failing, and the best score has not moved for this long


@dataclass(frozen=True)
class Try:
    """One submission or quiz answer of a student to a question, as the rules see it."""

    at: datetime
    status: str  # queued / running / a grader verdict / "error" / "answered"
    score: float | None
    full_marks: bool

    @property
    def failing(self) -> bool:
        """Finished and short of full marks (still being graded counts as neither)."""
        return not self.full_marks and self.status not in ("queued", "running")


def struggle_reasons(tries: Sequence[Try], *, now: datetime) -> list[str]:
    """Why a student looks stuck on a question (empty when they do not), from their tries in
    time order. Once they have full marks nothing is flagged: they got there."""
    if not tries or any(t.full_marks for t in tries):
        return []
    reasons = []
    recent_failures = sum(1 for t in tries if t.failing and now - t.at <= BURST_WINDOW)
    if recent_failures >= BURST_FAILURES:
        reasons.append(ngettext(
            "%(count)d failing submission in %(minutes)d minutes",
            "%(count)d failing submissions in %(minutes)d minutes", recent_failures,
        ) % {"count": recent_failures, "minutes": int(BURST_WINDOW.total_seconds() // 60)})
    last_progress = _last_improvement(tries)
    if any(t.failing for t in tries) and last_progress is not None and now - last_progress >= STUCK_AFTER:
        minutes = int((now - last_progress).total_seconds() // 60)
        reasons.append(_("no progress for %(minutes)d minutes after failing") % {"minutes": minutes})
    return reasons


def _last_improvement(tries: Sequence[Try]) -> datetime | None:
    """When the best score last went up (the first graded try counts as going up)."""
    best: float | None = None
    when: datetime | None = None
    for t in tries:
        if t.status in ("queued", "running"):
            continue
        score = t.score or 0.0
        if best is None or score > best + 1e-9:
            best, when = score, t.at
    return when


@dataclass
class Cell:
    """One student's state on one question."""

    status: str = ""  # the latest try's status, "" when untouched
    score: float | None = None  # the latest graded score
    best: float | None = None
    tries: int = 0
    full_marks: bool = False
    reasons: list[str] = field(default_factory=list)
    draft_at: datetime | None = None
    question: Question | None = None


@dataclass
class StudentRow:
    user_id: int
    username: str
    name: str
    last_active: datetime
    current_question: Question | None
    cells: dict[int, Cell]  # by question id
    reasons: list[tuple[Question, str]] = field(default_factory=list)

    @property
    def cells_in_order(self) -> list[Cell]:
        return list(self.cells.values())  # filled in column order

    @property
    def struggling(self) -> bool:
        return bool(self.reasons)


@dataclass
class LiveBoard:
    course: Course
    assignment: Assignment | None
    minutes: int
    now: datetime
    questions: list[Question]
    students: list[StudentRow]
    enrolled: int

    @property
    def struggling(self) -> int:
        return sum(1 for row in self.students if row.struggling)


def live_board(*, course: Course, now: datetime, minutes: int = 30, assignment: Assignment | None = None) -> LiveBoard:
    """Students active in the last ``minutes``, struggling first. Columns: every question of
    ``assignment``, or without one, the questions anybody worked on in the window (a semester's
    worth of old questions would bury the ones on the screen right now)."""
    since = now - timedelta(minutes=minutes)
    students = {
        e.user_id: e.user for e in course_students(course=course)
    }
    scope = Question.objects.filter(assignment__course=course, active=True)
    if assignment is not None:
        scope = scope.filter(assignment=assignment)
    activity, drafts, attempted = _recent_activity(
        users=set(students), question_ids=set(scope.values_list("id", flat=True)), since=since)
    if assignment is None:
        scope = scope.filter(id__in={question_id for _at, question_id in activity.values()} |
                             {question_id for (user_id, question_id) in drafts if user_id in activity} |
                             attempted)
    columns = list(scope.select_related("assignment").order_by("assignment__position", "assignment_id", "position", "id"))
    tries = _tries(users=set(activity), question_ids={question.pk for question in columns})
    rows = []
    for user_id, (last_active, current) in activity.items():
        user = students[user_id]
        row = StudentRow(user_id=user_id, username=user.get_username(),
                         name=user.get_full_name() or user.get_username(), last_active=last_active,
                         current_question=next((q for q in columns if q.pk == current), None), cells={})
        for question in columns:
            user_tries = tries.get((user_id, question.pk), [])
            cell = _cell(user_tries)
            cell.draft_at = drafts.get((user_id, question.pk))
            cell.question = question
            # Only what they are on now: an old failure on last week's question is no reason to walk over.
            touches = [t.at for t in user_tries[-1:]] + ([cell.draft_at] if cell.draft_at else [])
            if touches and max(touches) >= since:
                cell.reasons = struggle_reasons(user_tries, now=now)
            row.cells[question.pk] = cell
            row.reasons.extend((question, reason) for reason in cell.reasons)
        rows.append(row)
    # Who needs a visit first, then the most recently active.
    rows.sort(key=lambda row: (not row.struggling, -row.last_active.timestamp(), row.username))
    return LiveBoard(course=course, assignment=assignment, minutes=minutes, now=now, questions=columns,
                     students=rows, enrolled=len(students))


def _recent_activity(
    *, users: set[int], question_ids: set[int], since: datetime
) -> tuple[dict[int, tuple[datetime, int]], dict[tuple[int, int], datetime], set[int]]:
    """Per active student, their latest activity (time, question); recent drafts by (student,
    question); and the questions anybody submitted to or answered in the window."""
    latest: dict[int, tuple[datetime, int]] = {}
    drafts = {
        (user_id, question_id): saved_at
        for user_id, question_id, saved_at in Draft.objects.filter(
            question_id__in=question_ids, user_id__in=users, saved_at__gte=since
        ).values_list("user_id", "question_id", "saved_at")
    }
    events = [(user_id, at, question_id) for (user_id, question_id), at in drafts.items()]
    attempts: list[tuple[int, datetime, int]] = []
    for model in (Submission, QuizAnswer):
        attempts.extend(model.objects.filter(question_id__in=question_ids, user_id__in=users, created_at__gte=since)
                        .values_list("user_id", "created_at", "question_id"))
    for user_id, at, question_id in events + attempts:
        if user_id not in latest or at > latest[user_id][0]:
            latest[user_id] = (at, question_id)
    return latest, drafts, {question_id for _user, _at, question_id in attempts}


def _tries(*, users: set[int], question_ids: set[int]) -> dict[tuple[int, int], list[Try]]:
    tries: dict[tuple[int, int], list[Try]] = defaultdict(list)
    if not users:
        return tries
    for user_id, question_id, at, status, verdict, score in (
        Submission.objects.filter(user_id__in=users, question_id__in=question_ids)
        .order_by("created_at", "id")
        .values_list("user_id", "question_id", "created_at", "status", "verdict", "score")
    ):
        shown = verdict if status == Submission.Status.GRADED and verdict else status
        tries[(user_id, question_id)].append(Try(at=at, status=shown, score=score, full_marks=verdict == "passed"))
    for user_id, question_id, at, score, correct, fraction in (
        QuizAnswer.objects.filter(user_id__in=users, question_id__in=question_ids)
        .order_by("created_at", "id")
        .values_list("user_id", "question_id", "created_at", "score", "correct", "fraction")
    ):
        full = bool(correct or fraction >= 1 - 1e-9)
        tries[(user_id, question_id)].append(
            Try(at=at, status="correct" if full else "wrong", score=score, full_marks=full))
    return tries


def _cell(tries: list[Try]) -> Cell:
    if not tries:
        return Cell()
    graded = [t.score for t in tries if t.score is not None]
    latest = tries[-1]
    return Cell(
        status=latest.status, score=latest.score, best=max(graded) if graded else None, tries=len(tries),
        full_marks=any(t.full_marks for t in tries),
    )

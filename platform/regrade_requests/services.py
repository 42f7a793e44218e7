"""Regrade requests: what a student may ask about, asking, and answering (with an optional score
change that goes through the student's score policy and the score audit log)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from announcements.notify import notify_regrade_answered
from assessments.models import Assignment, Question
from core.errors import UserError
from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from grading.rubric import rubric_items
from scoring.models import ScoreChange
from scoring.policy import policy_for
from scoring.services import score_change_record
from scoring.visibility import feedback_visible
from submissions.feedback import result_visible, reveals_feedback, reveals_hidden
from submissions.models import QuizAnswer, Submission
from submissions.selectors import submission_latest_final

from regrade_requests.models import RegradeRequest, RegradeWindow

MIN_REASON = 10
MAX_REASON = 2000
WHOLE = "__whole__"  # the item "the whole attempt"


class RegradeRefused(UserError):
    """A request or an answer that cannot be taken as sent; the message says why."""


@dataclass(frozen=True)
class Askable:
    """A student's latest graded attempt of a question and the items they may ask about."""

    attempt: Submission | QuizAnswer
    items: list[tuple[str, str]]  # (stored item, label shown): only what the student can see


def window_closes_at(assignment: Assignment) -> datetime | None:
    window = RegradeWindow.objects.filter(assignment=assignment).first()
    return window.closes_at if window else None


def window_set(*, assignment: Assignment, closes_at: datetime | None) -> None:
    """Open requests until ``closes_at``; None stops them."""
    if closes_at is None:
        RegradeWindow.objects.filter(assignment=assignment).delete()
    else:
        RegradeWindow.objects.update_or_create(assignment=assignment, defaults={"closes_at": closes_at})


def askable(*, user: AbstractBaseUser, question: Question) -> Askable | None:
    """The attempt a request would be about (the newest graded one whose feedback the student may
    see) and its items, or None."""
    if question.is_code:
        submission = submission_latest_final(user=user, question=question)
        if submission is None or submission.status != Submission.Status.GRADED or not submission.results:
            return None
        if not reveals_feedback(submission, viewer_is_staff=False):
            return None
        # The checks as the student sees them: a hidden check stays "hidden check N".
        shown = result_visible(submission.results, reveal_hidden=reveals_hidden(submission, viewer_is_staff=False))
        items = [(WHOLE, _("The whole submission"))]
        items += [(check["name"], check["name"]) for check in shown["checks"]]
        return Askable(attempt=submission, items=items)
    answer = (QuizAnswer.objects.filter(user=user, question=question).select_related("version")
              .order_by("-created_at", "-id").first())
    if answer is None or answer.score is None:
        return None
    if not feedback_visible(assignment=question.assignment, user_id=user.pk, viewer_is_staff=False):
        return None
    items = [(WHOLE, _("The whole answer"))]
    items += [(f"rubric:{item.index}", item.display_text) for item in rubric_items(answer.version)]
    return Askable(attempt=answer, items=items)


def item_label(request: RegradeRequest) -> str:
    if request.item == WHOLE:
        return _("The whole submission") if request.submission_id else _("The whole answer")
    if request.item.startswith("rubric:") and request.quiz_answer_id:
        labels = {f"rubric:{i.index}": i.display_text for i in rubric_items(request.quiz_answer.version)}
        return labels.get(request.item, request.item)
    return request.item


def regrade_request_create(
    *, user: AbstractBaseUser, question: Question, item: str, reason: str, now: datetime | None = None,
) -> RegradeRequest:
    now = now or timezone.now()
    closes_at = window_closes_at(question.assignment)
    if closes_at is None or closes_at <= now:
        raise RegradeRefused(_("Regrade requests are not open for this assignment."))
    found = askable(user=user, question=question)
    if found is None:
        raise RegradeRefused(_("There is no graded attempt of yours to ask about."))
    if item not in {key for key, _label in found.items}:
        raise RegradeRefused(_("Choose one of the items of your graded attempt."))
    reason = reason.strip()
    if not MIN_REASON <= len(reason) <= MAX_REASON:
        raise RegradeRefused(_("Say in %(low)d to %(high)d characters why it should be looked at again.")
                             % {"low": MIN_REASON, "high": MAX_REASON})
    attempt = found.attempt
    try:
        with transaction.atomic():
            return RegradeRequest.objects.create(
                student=user, question=question, item=item, reason=reason, old_score=attempt.score,
                submission=attempt if isinstance(attempt, Submission) else None,
                quiz_answer=attempt if isinstance(attempt, QuizAnswer) else None,
            )
    except IntegrityError:
        raise RegradeRefused(_("You already asked about this item of this attempt.")) from None


def regrade_request_answer(
    *, request_id: int, actor: AbstractBaseUser, response: str, points: float | None,
) -> RegradeRequest:
    """Answer an open request. ``points`` (before late credit, 0..the question's points) changes the
    attempt's score through the student's own policy, audited; None keeps it."""
    response = response.strip()
    if not response:
        raise RegradeRefused(_("Write an answer for the student."))
    with transaction.atomic():
        request = (RegradeRequest.objects.select_for_update(of=("self",))
                   .select_related("question__assignment", "submission", "quiz_answer").get(pk=request_id))
        if not request.is_open:
            raise RegradeRefused(_("This request was already answered."))
        question = request.question
        attempt = request.attempt
        model = type(attempt)
        attempt = model.objects.select_for_update().get(pk=attempt.pk)
        old = attempt.score
        new = old
        if points is not None:
            if not 0 <= points <= question.points:
                raise RegradeRefused(_("The points must be between 0 and %(points)g.") % {"points": question.points})
            policy = policy_for(user_id=request.student_id, assignment=question.assignment)
            new = policy.score_from_points(points, attempt.created_at)
        if new != old:
            attempt.score = new
            fields = ["score"]
            if isinstance(attempt, QuizAnswer):
                attempt.fraction = points / question.points if question.points else 0.0
                attempt.correct = question.points > 0 and points >= question.points
                fields += ["fraction", "correct"]
            attempt.save(update_fields=fields)
            score_change_record(
                student_id=request.student_id, question_id=question.pk, old_score=old, new_score=new,
                source=ScoreChange.Source.MANUAL, actor=actor,
                submission_id=attempt.pk if isinstance(attempt, Submission) else None,
                quiz_answer_id=attempt.pk if isinstance(attempt, QuizAnswer) else None,
                reason=f"regrade request #{request.pk}: {response}",
            )
        request.status = RegradeRequest.Status.CHANGED if new != old else RegradeRequest.Status.KEPT
        request.response = response[:MAX_REASON]
        request.new_score = new
        request.answered_by = actor
        request.answered_at = timezone.now()
        request.save(update_fields=["status", "response", "new_score", "answered_by", "answered_at"])
        notify_regrade_answered(student_id=request.student_id, question_id=question.pk, request_id=request.pk,
                                accepted=new != old, response=request.response, new_score=new)
    return request

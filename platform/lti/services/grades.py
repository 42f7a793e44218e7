"""Grade passback (LTI Assignment and Grade Services).

A score change marks one ``LtiGradeSync`` row pending per line item the student's assignment
score goes to; a task then computes the score *at send time* and POSTs it, so retries and
out-of-order tasks can only ever send the latest score. The rows are jobs of ``core.jobs``
(``lti.jobs.GRADE_PASSBACKS``): claimed, retried with backoff and swept like every job."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime

import requests
from assessments.models import Assignment, Question
from core.jobs import job_claim, job_enqueue_on_commit, job_finish, job_retry_later
from courses.models import Enrollment
from django.db.models import F
from django.utils import timezone
from pools.selectors import pool_layout
from pylti1p3.assignments_grades import AssignmentsGradesService
from pylti1p3.exception import LtiException, LtiServiceException
from pylti1p3.grade import Grade
from pylti1p3.service_connector import ServiceConnector
from scoring.visibility import feedback_visible
from submissions.attempts import best_of, scored_attempts

from lti import claims as c
from lti.http import OutboundRefused, platform_http_session
from lti.jobs import GRADE_PASSBACKS
from lti.models import LtiGradeSync, LtiMembership, LtiResourceLink
from lti.tool_conf import registration_to_pylti

logger = logging.getLogger(__name__)

# HTTP statuses worth retrying; anything else (400, 401, 403, 404, 422) is a configuration or data
# problem that retrying will not fix: the row is marked failed for `manage.py lti_resend_grades`.
# 409: Moodle refuses a score whose timestamp is not later, to the second, than the last one it
# stored (two score changes within a second); the retry recomputes the score with a new timestamp.
RETRYABLE_STATUSES = {408, 409, 425, 429, 500, 502, 503, 504}


@dataclass(frozen=True)
class AssignmentScore:
    given: float
    maximum: float
    activity_progress: str  # AGS: Initialized / InProgress / Completed
    grading_progress: str  # AGS: FullyGraded / PendingManual


def assignment_score_compute(*, assignment_id: int, student_id: int) -> AssignmentScore:
    """The gradebook's rule: the sum, over the assignment's active questions, of the student's
    best score per question (``submissions.attempts.best_of``; late penalty already applied)."""
    questions = list(Question.objects.filter(assignment_id=assignment_id, active=True))
    # Pools (``pools.selectors``): only the student's own questions count, each pool draw x points.
    layout = pool_layout(assignment_ids=[assignment_id], user_ids=[student_id])
    points = {q.pk: q.points for q in questions if layout.counts(user_id=student_id, question_id=q.pk)}
    attempts = scored_attempts(question_ids=points, user_ids=[student_id], graded_only=False)
    best = {question_id: score for (_, question_id), score in best_of(attempts).items()}
    attempted = {attempt.question_id for attempt in attempts}  # any status: queued, error, awaiting staff
    manual_pending = any(attempt.awaiting_staff for attempt in attempts)
    if not attempted:
        activity = "Initialized"
    elif attempted >= set(points):
        activity = "Completed"
    else:
        activity = "InProgress"
    # Moodle blanks the grade for anything but FullyGraded. Manual grading always ends in a score
    # change (so a FullyGraded send follows); a queued code submission may end in an error without
    # one, so it does not hold the grade back: the score is final for what has been graded.
    grading = "PendingManual" if manual_pending else "FullyGraded"
    return AssignmentScore(
        given=round(sum(best.values()), 4),
        maximum=float(layout.max_points(questions)),
        activity_progress=activity,
        grading_progress=grading,
    )


def grade_sync_request(*, student_id: int, question_id: int, assignment_id: int | None = None) -> list[int]:
    """Mark passback pending for every line item this student's score on this question feeds:
    links bound to the question's assignment, in contexts where the student launched as a learner.
    ``assignment_id``: the question's assignment when the caller knows it (``score_changed`` says
    it after a grading); else found through the question, in the same single query. A course
    without LTI, the usual case, costs that one query."""
    links_of = (
        LtiResourceLink.objects.filter(assignment_id=assignment_id) if assignment_id is not None
        else LtiResourceLink.objects.filter(assignment__questions__id=question_id)
    )
    links = list(links_of.filter(context__registration__active=True).exclude(lineitem_url=""))
    if not links:
        return []
    memberships = LtiMembership.objects.filter(
        context_id__in={link.context_id for link in links},
        lti_user__user_id=student_id,
        role=Enrollment.Role.STUDENT,
    )
    lti_users_by_context: dict[int, list[int]] = {}
    for membership in memberships:
        lti_users_by_context.setdefault(membership.context_id, []).append(membership.lti_user_id)
    now = timezone.now()
    sync_ids = []
    for link in links:
        for lti_user_id in lti_users_by_context.get(link.context_id, []):
            # A new score starts afresh: a send in flight finds its claim gone and writes nothing;
            # the task queued for this change sends the newer score.
            sync, _created = LtiGradeSync.objects.update_or_create(
                link=link,
                lti_user_id=lti_user_id,
                defaults={"status": LtiGradeSync.Status.PENDING, "requested_at": now, "tries": 0,
                          "enqueued_at": None, "claimed_at": None, "worker": ""},
            )
            sync_ids.append(sync.pk)
    return sync_ids


def grade_syncs_enqueue(*, sync_ids: list[int]) -> None:
    """Hand the rows to the queue after commit. A broker outage only delays: the rows stay
    pending and the beat's job sweep sends them."""
    job_enqueue_on_commit(GRADE_PASSBACKS, sync_ids)


def _grade_build(*, score: AssignmentScore, user_sub: str) -> Grade:
    return (
        Grade()
        .set_score_given(score.given)
        .set_score_maximum(score.maximum)
        .set_activity_progress(score.activity_progress)
        .set_grading_progress(score.grading_progress)
        .set_timestamp(datetime.now(UTC).isoformat(timespec="milliseconds"))
        .set_user_id(user_sub)
    )


def grade_sync_send(*, sync_id: int, worker: str) -> str:
    """Claim the row, POST the current assignment score to the line item, write the outcome.
    Returns the row's new status (or ``not_claimed`` for a duplicate task)."""
    if not job_claim(GRADE_PASSBACKS, sync_id, worker=worker):
        return "not_claimed"
    sync = LtiGradeSync.objects.select_related(
        "link__context__registration", "link__assignment", "lti_user"
    ).get(pk=sync_id)
    link, registration = sync.link, sync.link.context.registration

    def finish(status: str, **fields: object) -> str:
        job_finish(GRADE_PASSBACKS, sync.pk, worker=sync.worker, status=status, **fields)
        return status

    if link.assignment_id is None or not link.lineitem_url or not registration.active:
        return finish(LtiGradeSync.Status.FAILED, last_error="link unbound or platform deactivated")
    if not feedback_visible(assignment=link.assignment, user_id=sync.lti_user.user_id, viewer_is_staff=False):
        # Hidden means hidden in the LMS too: its gradebook would show the score to the student.
        return finish(LtiGradeSync.Status.HELD)
    score = assignment_score_compute(
        assignment_id=link.assignment_id, student_id=sync.lti_user.user_id
    )
    scopes = sorted(set(link.ags_scopes) | {c.AGS_SCORE_SCOPE})
    connector = ServiceConnector(registration_to_pylti(registration), platform_http_session())
    service = AssignmentsGradesService(connector, {"scope": scopes, "lineitem": link.lineitem_url})  # type: ignore[typeddict-item]
    LtiGradeSync.objects.filter(pk=sync.pk).update(attempts=F("attempts") + 1)
    try:
        service.put_grade(_grade_build(score=score, user_sub=sync.lti_user.sub))
    except (LtiException, requests.RequestException, ValueError, KeyError) as exc:
        status = exc.response.status_code if isinstance(exc, LtiServiceException) else None
        # A refused URL, redirect or oversized reply (lti.http) stays refused: no retries.
        retryable = not isinstance(exc, OutboundRefused) and (
            status is None or status in RETRYABLE_STATUSES
        )
        error = str(exc)[:2000]
        logger.warning("LTI grade sync %s failed (%s): %s", sync_id, "retryable" if retryable else "giving up", exc)
        if not retryable:
            return finish(LtiGradeSync.Status.FAILED, last_error=error)
        LtiGradeSync.objects.filter(pk=sync.pk, status=LtiGradeSync.Status.SENDING, worker=sync.worker).update(
            last_error=error
        )
        if job_retry_later(GRADE_PASSBACKS, sync.pk, worker=sync.worker, failures=sync.tries + 1, message=error):
            return LtiGradeSync.Status.PENDING
        return LtiGradeSync.Status.FAILED
    logger.info("LTI grade sync %s: sent %s/%s for %s", sync_id, score.given, score.maximum, sync.lti_user.sub)
    return finish(LtiGradeSync.Status.SENT, last_error="", sent_at=timezone.now(), sent_score=score.given,
                  sent_maximum=score.maximum, tries=0)


def held_grades_release(*, now: datetime | None = None, limit: int = 500) -> list[int]:
    """Held passbacks whose score the student may now see (the due date, or the student's own
    extended one, has passed): back to pending, for the caller to queue."""
    now = now or timezone.now()
    candidates = (
        LtiGradeSync.objects.filter(status=LtiGradeSync.Status.HELD)
        # "never" is never released; "after the due date" not before the course's own due date
        # (an extension only moves a student's later)
        .exclude(link__assignment__feedback_visibility=Assignment.FeedbackVisibility.NEVER)
        .exclude(link__assignment__due_at__gt=now)
        .select_related("link__assignment", "lti_user")[:limit]
    )
    released = []
    for sync in candidates:
        assignment = sync.link.assignment
        if assignment is not None and feedback_visible(
            assignment=assignment, user_id=sync.lti_user.user_id, viewer_is_staff=False, at=now
        ) and LtiGradeSync.objects.filter(pk=sync.pk, status=LtiGradeSync.Status.HELD).update(
            status=LtiGradeSync.Status.PENDING, requested_at=now
        ):
            released.append(sync.pk)
    return released

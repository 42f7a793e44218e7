"""Reference results computed ahead of a student's attempt (``core.reference_cache``): the seed of
an attempt is known before it is made (``assessments.seeds.attempt_seed``), so a worker can run
the reference for it while nobody waits, and the grading of that attempt only runs the student's
code. Best effort throughout: a lost or failed precompute only means the grading runs the reference
itself, as it always could."""

from __future__ import annotations

import logging
from collections import defaultdict

from assessments.models import Question, QuestionVersion
from assessments.seeds import attempt_seed
from core.executor import code_question_cached, executor_get
from core.queues import DEFAULT_QUEUE
from core.reference_cache import shared_references
from courses.models import Enrollment
from django.conf import settings
from django.db.models import Count

from grader import runner
from grader.errors import GraderUnavailable
from submissions.models import Submission

logger = logging.getLogger(__name__)
TASK = "submissions.tasks.prepare_references"
SEEDS_PER_TASK = 50


def references_prepare(*, version_id: int, seeds: list[int], next_attempt: list[int] | None = None) -> int:
    """Worker: make the references of ``seeds`` ready in the shared store (those missing, together
    in as few sandbox jobs as the batch size allows); how many were computed. ``next_attempt`` =
    [user id, question id, attempt] of the attempt the first seed is for: when it already exists
    (a student submitting again and again, a burst: the queue served after ``grading`` reaches
    this later), its grading ran or runs the reference itself and sends the window after it, so
    the sandbox runs here would be wasted or repeated."""
    references = shared_references()
    if references is None:
        return 0
    if next_attempt is not None:
        user_id, question_id, attempt = next_attempt
        if Submission.objects.filter(user_id=user_id, question_id=question_id, attempt__gte=attempt).exists():
            return 0
    version = QuestionVersion.objects.select_related("question").get(id=version_id)
    question = code_question_cached(version.content_hash, version.as_source)
    executor = executor_get()
    if executor is None:
        from grader.sandbox import default_executor

        executor = default_executor()
    try:
        return runner.references_prepare(question, seeds, executor=executor, references=references)
    except GraderUnavailable as error:  # the grading of that attempt will run it (and say why)
        logger.warning("references of version %s not prepared: %s", version_id, error)
        return 0


def reference_prepare_next(*, submission: Submission) -> bool:
    """After a graded attempt: the student's window of next ``GRADER_REFERENCE_AHEAD`` attempts at
    this question (its current version) is left alone while it holds two prepared attempts or
    more, and topped up in one batch once only one is left: that one serves the student's next
    attempt while the batch runs (topping up only once the window is empty would race the very
    attempt that needs it). Decided here, a key lookup per attempt of the window, and only the
    missing ones are sent. True when a batch was sent."""
    version_id = submission.question.current_version_id
    references = shared_references()
    if version_id is None or references is None:
        return False
    first = submission.attempt + 1
    attempts = list(range(first, first + settings.GRADER_REFERENCE_AHEAD))
    seeds = [attempt_seed(user_id=submission.user_id, question_id=submission.question_id, attempt=number)
             for number in attempts]
    if version_id == submission.version_id:  # parsed by this worker for the grading just done
        version = submission.version
        question = code_question_cached(version.content_hash, version.as_source)
        missing = set(runner.references_missing(question, seeds, references=references))
        if len(seeds) - len(missing) >= min(2, len(seeds)):
            return False
        first = next(number for number, seed in zip(attempts, seeds, strict=True) if seed in missing)
        seeds = [seed for seed in seeds if seed in missing]
    # else a new version, of which this worker parsed nothing: the task computes what is missing
    return _send(version_id, seeds, next_attempt=[submission.user_id, submission.question_id, first])


def references_prepare_first(*, question_ids: list[int] | None = None, ahead: int | None = None) -> int:
    """Every enrolled student's next ``ahead`` (default ``GRADER_REFERENCE_AHEAD``) attempts at each active code question (their first
    one, until they submit): e.g. when a question is published or a bundle is loaded, or in the
    quiet hours before a deadline (each entry takes store space: ~125 KB for ch07's convolution).
    Returns seeds sent."""
    if shared_references() is None:
        return 0
    ahead = settings.GRADER_REFERENCE_AHEAD if ahead is None else max(1, ahead)
    questions = Question.objects.filter(kind="code", active=True, current_version__isnull=False)
    if question_ids is not None:
        questions = questions.filter(id__in=question_ids)
    sent = 0
    for question in questions.select_related("assignment"):
        students = Enrollment.objects.filter(course_id=question.assignment.course_id,
                                             role=Enrollment.Role.STUDENT).values_list("user_id", flat=True)
        made: dict[int, int] = defaultdict(int)
        for row in (Submission.objects.filter(question=question).values("user_id")
                    .annotate(n=Count("id"))):
            made[row["user_id"]] = row["n"]
        seeds = [attempt_seed(user_id=user_id, question_id=question.pk, attempt=made[user_id] + step)
                 for step in range(1, ahead + 1) for user_id in students]
        for start in range(0, len(seeds), SEEDS_PER_TASK):
            chunk = seeds[start:start + SEEDS_PER_TASK]
            if _send(question.current_version_id, chunk):  # type: ignore[arg-type]
                sent += len(chunk)
    return sent


def submission_followups_send(*, submission: Submission) -> None:
    """After a graded attempt, work nobody waits for, on the queue served after ``grading``: the
    next attempt's reference, and this attempt's similarity fingerprints."""
    reference_prepare_next(submission=submission)
    if settings.CACHE_BACKEND != "redis":
        return  # a worker's local cache would not reach the web processes
    from submissions.services.fingerprints import fingerprints_request

    fingerprints_request(submission_id=submission.pk)  # in the next batch (submissions/services/fingerprints.py)


def _send(version_id: int, seeds: list[int], next_attempt: list[int] | None = None) -> bool:
    from submissions.tasks import prepare_references

    try:
        prepare_references.apply_async(args=[version_id, seeds],
                                       kwargs={"next_attempt": next_attempt} if next_attempt else None,
                                       queue=DEFAULT_QUEUE)  # served after "grading"
    except Exception:  # the broker is down: nothing is lost but a head start
        logger.warning("could not send reference precompute for version %s", version_id, exc_info=True)
        return False
    return True

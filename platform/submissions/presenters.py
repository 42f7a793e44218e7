"""Student-facing words for a submission's state (translated at the time of the request), and the
status reply the code page polls."""

from __future__ import annotations

from django.utils.translation import gettext as _

from grader import result as verdicts
from submissions.feedback import feedback_html, outcome_shown
from submissions.models import Submission
from submissions.selectors import ViewedSubmission
from submissions.waiting import submission_wait, wait_message

VERDICT_LABELS = {
    verdicts.PASSED: lambda: _("All checks passed"),
    verdicts.PARTIAL: lambda: _("Some checks passed"),
    verdicts.FAILED: lambda: _("Checks failed"),
    verdicts.REJECTED: lambda: _("Not gradable"),
    verdicts.SYNTAX_ERROR: lambda: _("Syntax error"),
    verdicts.RUNTIME_ERROR: lambda: _("Error while loading your code"),
    verdicts.TIMEOUT: lambda: _("Time limit exceeded"),
    verdicts.MEMORY_LIMIT: lambda: _("Memory limit exceeded"),
    verdicts.OUTPUT_LIMIT: lambda: _("Too much output"),
    verdicts.CRASHED: lambda: _("Your program crashed"),
}


def status_label(submission: Submission, *, outcome_visible: bool) -> str:
    """``outcome_visible`` is the caller's answer from scoring.visibility: while feedback is
    hidden, a graded submission is only "Graded" (a verdict label is the outcome in words)."""
    if submission.status == Submission.Status.QUEUED:
        return _("Waiting for a grader…")
    if submission.status == Submission.Status.RUNNING:
        return _("Grading…")
    if submission.status == Submission.Status.ERROR:
        return _("Could not be graded")  # no outcome: infrastructure, no attempt used
    label = VERDICT_LABELS.get(submission.verdict) if outcome_visible else None
    return label() if label else _("Graded")


def status_message(submission: Submission) -> str:
    if submission.status == Submission.Status.QUEUED and submission.enqueued_at is None:
        return _("Saved; grading will start when the grading service is back.")
    if submission.status == Submission.Status.QUEUED and submission.infra_failures:
        return _("The grading service is busy or restarting; your submission will be graded shortly.")
    if submission.status == Submission.Status.ERROR:
        return _("This submission could not be graded and did not use an attempt. Please submit again.")
    if submission.late_days:
        return _("Submitted %(days)d day(s) late; the late penalty applies.") % {"days": submission.late_days}
    return ""


def submission_status_payload(viewed: ViewedSubmission) -> dict[str, object]:
    """The status endpoint's reply. Every field that could carry the outcome (label, score,
    feedback) follows the same rule, scoring.visibility via ``outcome_shown``."""
    submission = viewed.submission
    payload: dict[str, object] = {
        "id": submission.pk,
        "status": submission.status,
        "status_label": "",
        "score": None,
        "max_score": submission.max_score,
        "feedback_html": None,
        "message": status_message(submission),
    }
    if not submission.is_final:
        # Queued or running: no outcome to hide and no feedback yet, so neither the viewer's role
        # nor the rule is asked; the reply says when to ask again (submissions.waiting).
        wait = submission_wait(submission)
        payload.update(status_label=status_label(submission, outcome_visible=False),
                       message=payload["message"] or wait_message(wait), ahead=wait.ahead,
                       eta_ms=wait.eta_ms, poll_after_ms=wait.poll_after_ms)
        return payload
    staff = viewed.viewer_is_staff
    graded = submission.status == Submission.Status.GRADED
    # Asked once, and only of a graded row (an error row has no outcome): the owner's policy is
    # read at most once for the feedback and the hidden checks, and only when it matters.
    revealed, hidden = outcome_shown(submission, viewer_is_staff=staff) if graded else (False, None)
    payload.update(
        status_label=status_label(submission, outcome_visible=revealed),
        score=submission.score if revealed else None,
        feedback_html=feedback_html(submission, viewer_is_staff=staff, revealed=revealed if graded else None,
                                    reveal_hidden=hidden),
    )
    return payload

"""A regrade keeps a code review: after a REGRADE score change of a reviewed submission commits,
the review's items and adjustment are re-applied on top of the new automatic points
(grading/code_review.py explains the rule)."""

from __future__ import annotations

import logging

from scoring.models import ScoreChange
from scoring.signals import score_changed

logger = logging.getLogger(__name__)


def on_score_changed(sender: object, *, change_id: int, source: str | None = None,
                     submission_id: int | None = None, **_: object) -> None:
    # The signal says what kind of change this is (``scoring.signals``): every grading, manual
    # grade or import returns here without a query; only a regrade of a submission reads on.
    if source is not None and (source != ScoreChange.Source.REGRADE or submission_id is None):
        return
    from grading.code_review import code_review_reapply
    from grading.models import CodeReview

    change = ScoreChange.objects.filter(pk=change_id).select_related("actor").first()
    if change is None or change.source != ScoreChange.Source.REGRADE or change.submission_id is None:
        return
    if not CodeReview.objects.filter(submission_id=change.submission_id).exists():
        return
    try:
        code_review_reapply(submission_id=change.submission_id, actor=change.actor)
    except Exception:  # the regrade itself is committed; never fail its sender
        logger.exception("code review of submission %s not re-applied after a regrade", change.submission_id)


def connect() -> None:
    score_changed.connect(on_score_changed, dispatch_uid="grading.code_review_reapply")

"""Signal receivers: grade passback starts from ``scoring.signals.score_changed``."""

from __future__ import annotations

import logging

from scoring.signals import score_changed

from lti.services.grades import grade_sync_request, grade_syncs_enqueue

logger = logging.getLogger(__name__)


def on_score_changed(sender: object, *, student_id: int, question_id: int, assignment_id: int | None = None,
                     **_: object) -> None:
    # Runs after the grading transaction committed, inside the grader's code path: whatever
    # happens here must never reach the sender (a failed passback is not a failed grading).
    try:
        sync_ids = grade_sync_request(student_id=student_id, question_id=question_id, assignment_id=assignment_id)
        if sync_ids:
            grade_syncs_enqueue(sync_ids=sync_ids)
    except Exception:
        logger.exception(
            "LTI grade passback for student %s, question %s not recorded", student_id, question_id
        )


def connect() -> None:
    score_changed.connect(on_score_changed, dispatch_uid="lti.grade_passback")

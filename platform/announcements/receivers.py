"""Signal receivers: the "grade released" e-mail starts from ``scoring.signals.score_changed``
when the change is a manual grade (the grading page, or scores imported from a spreadsheet)."""

from __future__ import annotations

import logging

from scoring.models import ScoreChange
from scoring.signals import score_changed

from announcements.notify import notify_grade_released

logger = logging.getLogger(__name__)
MANUAL_SOURCES = (ScoreChange.Source.MANUAL, ScoreChange.Source.IMPORT)


def on_score_changed(sender: object, *, student_id: int, question_id: int, change_id: int | None = None,
                     source: str | None = None, **_: object) -> None:
    # Runs after the grading transaction committed, inside the grader's code path: a failure here
    # must never reach the sender (an e-mail not queued is not a grade not saved).
    try:
        if change_id is None:
            return
        if source is not None:  # the signal says the change's source: no query (every grading ends here)
            if source not in MANUAL_SOURCES:
                return
        elif not ScoreChange.objects.filter(pk=change_id, source__in=MANUAL_SOURCES).exists():
            return
        notify_grade_released(student_id=student_id, question_id=question_id, change_id=change_id)
    except Exception:
        logger.exception("grade e-mail for student %s, question %s not queued", student_id, question_id)


def connect() -> None:
    score_changed.connect(on_score_changed, dispatch_uid="announcements.grade_released")

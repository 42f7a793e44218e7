"""``score_changed`` is sent (after the transaction commits) whenever a student's score on a
question is set or changes. Receivers: LTI grade passback, live dashboards.

Keyword arguments: ``student_id``, ``question_id``, ``change_id`` (the ScoreChange row)."""

from django.dispatch import Signal

score_changed = Signal()

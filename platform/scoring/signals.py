"""``score_changed`` is sent (after the transaction commits) whenever a student's score on a
question is set or changes. Receivers: LTI grade passback, the "grade released" e-mail, a code
review re-applied after a regrade.

Keyword arguments: ``student_id``, ``question_id``, ``change_id`` (the ScoreChange row), and what
receivers decide on, so that most of them return without a query (this runs after every grading):
``source`` (``ScoreChange.Source``), ``submission_id`` (or None), ``assignment_id`` (the question's
assignment, or None when the sender did not have it at hand: receivers then look it up). A sender
other than ``scoring.services.score_change_record`` may leave out all but the first three: receivers
then read the ScoreChange row."""

from django.dispatch import Signal

score_changed = Signal()

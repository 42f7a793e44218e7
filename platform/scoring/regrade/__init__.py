"""Regrading one question after its checks or answer changed.

1. ``start.regrade_preview_start``: a ``RegradeRun`` with one ``RegradeItem`` per stored graded
   code submission / auto-graded quiz answer (every one, not only the latest: the gradebook
   counts each student's best, and an older attempt may become the best). Quiz answers are
   re-graded on the spot; code items go to the Celery ``grading`` queue (``grading.py``).
2. ``diff.regrade_diff``: who changes, old -> new, per-check changes, a summary.
3. ``apply.regrade_apply``: writes scores by a policy, audits each change; idempotent.
"""

from core.errors import UserError


class RegradeRefused(UserError):
    """A regrade request that cannot be done now (``status`` is the HTTP answer)."""

    status = 409

"""The grading rule every total uses (gradebook, dashboards, LTI passback): a student's score on a
question is their best scored submission or answer (late penalty already applied).

Kept importable for its callers; the rule and the reads live in ``submissions.attempts``."""

from __future__ import annotations

from submissions.attempts import best_scores

__all__ = ["best_scores"]

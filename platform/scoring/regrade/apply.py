"""Applying a finished regrade run with a policy. One transaction: the run goes READY -> APPLIED
by compare-and-swap first, so a second apply (double click, two staff) finds nothing to do.

Policies, per stored submission / answer (``current`` = its score now, ``new`` = the new grade
with the student's late credit as of now):

- ``use_new``: write the new grade (score and check results) wherever it differs, up or down.
- ``keep_higher``: write the new grade when ``new >= current`` (so a same-score answer still gets
  the corrected check messages); when the new score is lower nothing is written.
- ``only_raise``: write only when ``new > current``; everything else stays exactly as it was.

Attempts are never touched (``counts_as_attempt``, ``attempt``). Each score change is audited
with source REGRADE; a rewrite that leaves the score equal changes no score and is not audited.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from submissions.models import QuizAnswer, Submission

from scoring.models import RegradeItem, RegradeRun, ScoreChange
from scoring.policy import StudentPolicy, policies_for
from scoring.regrade import RegradeRefused
from scoring.regrade.diff import EPSILON, check_changes
from scoring.services import score_change_record

P = RegradeRun.Policy


@dataclass
class ApplyReport:
    run: RegradeRun
    written: int = 0
    kept: int = 0
    score_changes: int = 0
    already_applied: bool = False


def policy_writes(policy: str, *, current: float | None, new: float, results_differ: bool) -> bool:
    if current is None:
        return True
    if policy == P.USE_NEW:
        return abs(new - current) > EPSILON or results_differ
    if policy == P.KEEP_HIGHER:
        return new > current + EPSILON or (abs(new - current) <= EPSILON and results_differ)
    if policy == P.ONLY_RAISE:
        return new > current + EPSILON
    raise ValueError(policy)


def regrade_apply(
    *, run_id: int, policy: str, actor: AbstractBaseUser, reason: str = ""
) -> ApplyReport:
    if policy not in P.values:
        raise RegradeRefused(_("Choose how to apply the new scores."), status=400)
    with transaction.atomic():
        claimed = RegradeRun.objects.filter(id=run_id, status=RegradeRun.Status.READY).update(
            status=RegradeRun.Status.APPLIED, policy=policy, reason=reason[:2000],
            applied_by=actor, applied_at=timezone.now(),
        )
        run = RegradeRun.objects.select_related("question__assignment", "version").get(id=run_id)
        if not claimed:
            if run.status == RegradeRun.Status.APPLIED:
                return _report_of_applied(run)
            raise RegradeRefused(_("This regrade is not ready to apply (still grading, or superseded)."))
        report = ApplyReport(run=run)
        policies = policies_for(assignment=run.question.assignment)
        for item in run.items.filter(status=RegradeItem.Status.DONE).order_by("id"):
            changed = _apply_item(item, run=run, policy=policies[item.student_id], actor=actor)
            item.outcome = RegradeItem.Outcome.WRITTEN if changed is not None else RegradeItem.Outcome.KEPT
            item.save(update_fields=["outcome"])
            report.written += changed is not None
            report.kept += changed is None
            report.score_changes += bool(changed)
    return report


def _report_of_applied(run: RegradeRun) -> ApplyReport:
    items = run.items.all()
    return ApplyReport(
        run=run, already_applied=True,
        written=items.filter(outcome=RegradeItem.Outcome.WRITTEN).count(),
        kept=items.filter(outcome=RegradeItem.Outcome.KEPT).count(),
    )


def _audit_reason(run: RegradeRun) -> str:
    why = f"regrade #{run.pk} against v{run.version.number} ({run.policy})"
    return f"{why}: {run.reason}" if run.reason else why


def _apply_item(item: RegradeItem, *, run: RegradeRun, policy: StudentPolicy, actor: AbstractBaseUser) -> bool | None:
    """None: kept. True/False: written, with or without a score change."""
    assert item.new_fraction is not None and item.new_results is not None
    points = run.question.points
    if item.submission_id:
        return _apply_to_submission(item, run=run, policy=policy, actor=actor, points=points)
    return _apply_to_answer(item, run=run, policy=policy, actor=actor, points=points)


def _apply_to_submission(
    item: RegradeItem, *, run: RegradeRun, policy: StudentPolicy, actor: AbstractBaseUser, points: float
) -> bool | None:
    row = Submission.objects.select_for_update().get(id=item.submission_id)
    new = policy.score(item.new_fraction, points, row.created_at)  # type: ignore[arg-type]
    differ = bool(check_changes(row.results, item.new_results)) or (row.results or {}).get("status") != item.new_results.get("status")  # type: ignore[union-attr]
    if not policy_writes(run.policy, current=row.score, new=new, results_differ=differ):
        return None
    old = row.score
    Submission.objects.filter(id=row.pk).update(
        score=new, raw_score=item.new_raw_score, max_score=points, results=item.new_results,
        verdict=(item.new_results or {}).get("status", row.verdict), version_id=run.version_id,
        output=(item.new_results or {}).get("output", row.output),
    )
    return _audit(item, run=run, actor=actor, old=old, new=new, submission_id=row.pk)


def _apply_to_answer(
    item: RegradeItem, *, run: RegradeRun, policy: StudentPolicy, actor: AbstractBaseUser, points: float
) -> bool | None:
    row = QuizAnswer.objects.select_for_update().get(id=item.quiz_answer_id)
    if row.needs_manual:  # staff took it over since the preview
        return None
    new = policy.score(item.new_fraction, points, row.created_at)  # type: ignore[arg-type]
    results = item.new_results or {}
    differ = row.correct != results.get("correct") or row.feedback != results.get("feedback")
    if not policy_writes(run.policy, current=row.score, new=new, results_differ=differ):
        return None
    old = row.score
    QuizAnswer.objects.filter(id=row.pk).update(
        score=new, max_score=points, fraction=item.new_fraction, correct=bool(results.get("correct")),
        feedback=results.get("feedback", ""), misconception=results.get("misconception", ""),
        details=results.get("details") or {}, version_id=run.version_id,
    )
    return _audit(item, run=run, actor=actor, old=old, new=new, quiz_answer_id=row.pk)


def _audit(item: RegradeItem, *, run: RegradeRun, actor: AbstractBaseUser, old: float | None, new: float,
           submission_id: int | None = None, quiz_answer_id: int | None = None) -> bool:
    if old is not None and abs(new - old) <= EPSILON:
        return False
    score_change_record(
        student_id=item.student_id, question_id=run.question_id, old_score=old, new_score=new,
        source=ScoreChange.Source.REGRADE, actor=actor, reason=_audit_reason(run),
        submission_id=submission_id, quiz_answer_id=quiz_answer_id,
    )
    return True

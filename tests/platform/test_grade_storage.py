"""Storing a verdict: whatever a job produced, the row ends `graded` with clean JSON, or `error`
with a message — never `running` (which the sweeper would re-grade forever). Runs on SQLite and,
through scripts/test.sh, on PostgreSQL, whose text and JSON types refuse more than SQLite's."""

from __future__ import annotations

import json
import math

import pytest
from django.db import DataError, IntegrityError, OperationalError
from submissions.models import Submission
from submissions.services import grade as grade_service
from submissions.services.grade import GradeOutcome, submission_grade
from submissions.services.submit import submission_create

from grader.result import FAILED, CheckOutcome, GradeResult
from tests.platform.conftest import CORRECT_SCALE

S = Submission.Status
NAN, INF = float("nan"), float("inf")
SURROGATE, NUL = "\ud800", "\x00"


def queued(user, question, key="key-00000001") -> Submission:  # type: ignore[no-untyped-def]
    return submission_create(user=user, question=question, code=CORRECT_SCALE, idempotency_key=key).submission


def hostile_result() -> GradeResult:
    """A verdict carrying everything a student's arrays and prints can smuggle into it."""
    check = CheckOutcome(
        name=f"forward {SURROGATE}", passed=False, score=0.0, max_score=1.0,
        message=f"mismatch: max error nan at {NUL} {SURROGATE}\udfff",
        details={"max_abs_error": NAN, "worst": [INF, -INF, 1e308], "digits": 10**400,
                 f"key{NUL}": (NAN, f"x{SURROGATE}")},
    )
    return GradeResult(status=FAILED, score=0.0, max_score=3.0, checks=[check],
                       output=f"printed {NUL}{SURROGATE} and more", message=f"bad {SURROGATE}{NUL}",
                       timings={"total_ms": 1.5})


def assert_clean(value: object) -> None:
    """Loadable as strict JSON, encodable as UTF-8, no NUL: what every database stores."""
    text = json.dumps(value, allow_nan=False, ensure_ascii=False)
    text.encode("utf-8")  # raises on a lone surrogate
    assert NUL not in text and "\\u0000" not in text


def grade_returning(monkeypatch, result: GradeResult) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(grade_service, "grade_code", lambda *args, **kwargs: result)


def test_a_verdict_full_of_nan_nul_and_surrogates_is_stored_clean(student, code_question, monkeypatch):
    grade_returning(monkeypatch, hostile_result())
    submission = queued(student, code_question)
    assert submission_grade(submission_id=submission.pk, worker="w") is GradeOutcome.GRADED
    stored = Submission.objects.get(pk=submission.pk)
    assert stored.status == S.GRADED and stored.verdict == FAILED and stored.score == 0
    for value in (stored.results, stored.output, stored.timings, stored.verdict, stored.error_message):
        assert_clean(value)
    details = stored.results["checks"][0]["details"]
    assert details["max_abs_error"] is None and details["worst"][:2] == [None, None]
    assert math.isfinite(details["worst"][2])
    assert stored.output.startswith("printed ") and "\ufffd" in stored.output


def test_output_is_capped_before_it_is_stored(student, code_question, monkeypatch):
    result = hostile_result()
    result.output = "x" * (grade_service.MAX_OUTPUT_CHARS * 3)
    grade_returning(monkeypatch, result)
    submission = queued(student, code_question)
    submission_grade(submission_id=submission.pk, worker="w")
    stored = Submission.objects.get(pk=submission.pk)
    assert stored.status == S.GRADED
    assert len(stored.output) <= grade_service.MAX_OUTPUT_CHARS
    assert stored.output.endswith("more characters not stored]")
    assert stored.results["output"] == stored.output


@pytest.mark.parametrize("error", [
    IntegrityError("CHECK constraint failed: JSON_VALID"),
    DataError("invalid input syntax for type json"),
    ValueError("PostgreSQL text fields cannot contain NUL (0x00) bytes"),
    RecursionError("maximum recursion depth exceeded while encoding a JSON object"),
])
def test_a_verdict_the_database_refuses_ends_in_error_without_using_an_attempt(
    student, code_question, monkeypatch, error
):
    grade_returning(monkeypatch, hostile_result())

    def refused(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise error

    monkeypatch.setattr(grade_service, "_record_grade", refused)
    submission = queued(student, code_question)
    assert submission_grade(submission_id=submission.pk, worker="w") is GradeOutcome.FAILED
    stored = Submission.objects.get(pk=submission.pk)
    assert stored.status == S.ERROR and not stored.counts_as_attempt
    assert stored.error_message == grade_service.NOT_STORABLE
    assert stored.graded_at is not None and stored.results is None


def test_a_refused_write_inside_the_transaction_leaves_no_half_stored_grade(student, code_question, monkeypatch):
    # The score audit row is written in the same transaction as the grade: when it fails, the
    # grade must not stay behind, and the row still ends in error.
    from scoring.models import ScoreChange

    grade_returning(monkeypatch, hostile_result())

    def audit_refused(**kwargs):  # type: ignore[no-untyped-def]
        raise IntegrityError("audit row refused")

    monkeypatch.setattr(grade_service, "score_change_record", audit_refused)
    submission = queued(student, code_question)
    assert submission_grade(submission_id=submission.pk, worker="w") is GradeOutcome.FAILED
    stored = Submission.objects.get(pk=submission.pk)
    assert stored.status == S.ERROR and stored.verdict == "" and stored.score is None
    assert not ScoreChange.objects.filter(submission_id=submission.pk).exists()


def test_an_unavailable_database_is_retried_then_left_to_the_sweeper(student, code_question, monkeypatch):
    grade_returning(monkeypatch, hostile_result())
    monkeypatch.setattr(grade_service, "DB_RETRY_SECONDS", 0.0)
    monkeypatch.setattr(grade_service, "DB_RETRY_FIRST_DELAY", 0.0)

    def unavailable(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise OperationalError("database is locked")

    monkeypatch.setattr(grade_service, "_record_grade", unavailable)
    submission = queued(student, code_question)
    with pytest.raises(OperationalError):
        submission_grade(submission_id=submission.pk, worker="w")
    # Not an error of the submission: the row stays claimed; the sweeper gives it back (bounded).
    assert Submission.objects.get(pk=submission.pk).status == S.RUNNING


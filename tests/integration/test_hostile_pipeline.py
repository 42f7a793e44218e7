"""Hostile submissions through the whole web pipeline: ``submission_create`` -> Redis -> the real
Celery worker -> the real sandbox -> the stored row, for the chapter 7 ``convolution`` question.

Whatever the code does with its numbers, its output or the result channel, the row must end
``graded`` with the stated verdict (or ``error``), never stay ``queued``/``running``; what is stored
must load back as strict JSON (no NaN/inf tokens, NUL bytes or lone surrogates); and none of these
may earn more than 10% of the points. scripts/test.sh runs this file on SQLite and on PostgreSQL
(scripts/postgres.sh), whose text and jsonb types refuse what SQLite lets through.
The submissions themselves are in ``hostile_submissions/``.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from assessments.loading import bundle_load
from courses.models import Course, Enrollment
from django.contrib.auth import get_user_model
from submissions.models import Submission
from submissions.services.errors import SubmitRefused
from submissions.services.submit import submission_create

pytestmark = [pytest.mark.integration, pytest.mark.timeout(240)]

ROOT = Path(__file__).resolve().parents[2]
HOSTILE = Path(__file__).parent / "hostile_submissions"
BUNDLE = ROOT / "assignments" / "ch07-cnn"
MAX_SHARE = 0.10  # of the question's points, for any of these
FINAL_WITHIN = 90.0  # seconds: far above a grading's limits (10 s wall per job), far below the sweeper's loop
MAX_STORED_CHARS = 256 * 1024  # per field: the grader's budgets and the storage caps keep rows small


@dataclass(frozen=True)
class Case:
    file: str
    verdicts: tuple[str, ...]  # what the stored row's verdict may be (status `graded`)
    why: str


CASES = [
    Case("nan_arrays.py", ("failed",), "all-NaN arrays: the issue's submission stuck in 'Grading…'"),
    Case("inf_arrays.py", ("failed",), "all-infinite arrays"),
    # The gradient checks compare a backward with the derivative of the same code's forward: a
    # forward that ignores its input has a zero derivative, so they must not reward zeros.
    Case("zeros_right_shape.py", ("failed",), "right shapes, zero values"),
    Case("huge_values.py", ("failed",), "1e308 everywhere: overflows in every comparison"),
    Case("print_nul_bytes.py", ("failed",), "NUL bytes on stdout and stderr"),
    Case("print_lone_surrogates.py", ("failed",), "lone surrogates and invalid UTF-8 in the output"),
    Case("exception_surrogate_nul.py", ("runtime_error",), "an exception at import with surrogates and NUL"),
    Case("exception_in_checks.py", ("failed",), "every call raises with surrogates and NUL in the message"),
    Case("output_10mb.py", ("output_limit",), "10 MB of output"),
    Case("garbage_on_result_channel.py", ("crashed", "failed"), "garbage written to the result channel (fd 3)"),
    Case("import_answer_key.py", ("runtime_error",), "imports the project's own solution (grader.textbook)"),
    Case("import_textbook_conv.py", ("runtime_error",), "imports the textbook module the question does not offer"),
    Case("read_project_files.py", ("failed", "runtime_error"), "reads the reference from the project tree"),
    Case("comment_only.py", ("failed", "rejected"), "no code at all, only a comment"),
]
# Refused when submitted, before any row exists: nothing can be left running.
REFUSED = ["empty.py", "not_utf8.py", "nul_in_code.py"]


@pytest.fixture
def convolution(transactional_db):  # type: ignore[no-untyped-def]
    from grader.errors import BundleError

    course = Course.objects.create(slug="hostile", title="Hostile pipeline")
    try:
        bundle_load(path=BUNDLE, course=course)
    except BundleError as error:
        pytest.skip(f"the ch07-cnn bundle does not load: {error}")
    return course.assignments.get(slug="ch07-cnn").questions.get(slug="convolution")


def student_for(question, name: str):  # type: ignore[no-untyped-def]
    # One student per case: attempt limits and the per-student rate limit stay out of the way.
    user = get_user_model().objects.create_user(username=f"hostile-{name}"[:150], password="x")
    Enrollment.objects.create(course=question.assignment.course, user=user)
    return user


def source_of(name: str) -> str:
    # As the browser would send it; surrogateescape keeps undecodable bytes as lone surrogates.
    text = (HOSTILE / name).read_bytes().decode("utf-8", "surrogateescape")
    return text.replace("__PROJECT_ROOT__", str(ROOT))


def wait_final(submission_id: int, timeout: float = FINAL_WITHIN) -> Submission:
    deadline = time.monotonic() + timeout
    while True:
        submission = Submission.objects.get(pk=submission_id)
        if submission.is_final or time.monotonic() > deadline:
            return submission
        time.sleep(0.2)


def assert_storable(submission: Submission) -> None:
    """What was stored loads back and would pass every database's checks again."""
    for field in ("results", "timings", "output", "error_message", "verdict"):
        value = getattr(submission, field)
        text = json.dumps(value, allow_nan=False, ensure_ascii=False)  # no NaN/inf tokens
        text.encode("utf-8")  # no lone surrogate
        assert "\x00" not in text and "\\u0000" not in text, f"{field} holds a NUL"
        assert len(text) <= MAX_STORED_CHARS, f"{field} is {len(text):,} characters"


@pytest.mark.parametrize("case", CASES, ids=[case.file.removesuffix(".py") for case in CASES])
def test_a_hostile_submission_ends_final_clean_and_scoreless(celery_worker_proc, convolution, case):
    user = student_for(convolution, case.file.removesuffix(".py"))
    receipt = submission_create(user=user, question=convolution, code=source_of(case.file),
                                idempotency_key=f"hostile-{case.file}"[:64])
    assert receipt.created and receipt.message == "", "the submission did not reach the queue"
    stored = wait_final(receipt.submission.pk)
    assert stored.status in Submission.FINAL, (
        f"{case.why}: still {stored.status} after {FINAL_WITHIN:.0f} s (worker log: {celery_worker_proc.log_path})"
    )
    assert_storable(stored)
    assert stored.status == Submission.Status.GRADED, f"{case.why}: ended error: {stored.error_message}"
    assert stored.verdict in case.verdicts, (
        f"{case.why}: verdict {stored.verdict!r}, expected {case.verdicts}; {stored.results.get('message')!r}"
    )
    share = (stored.score or 0.0) / convolution.points
    passed = [check["name"] for check in stored.results["checks"] if check["passed"]]
    assert share <= MAX_SHARE, f"{case.why}: scored {share:.0%} of the points, passing {passed}"
    assert stored.results["checks"], "the stored verdict lists the checks"


@pytest.mark.parametrize("name", REFUSED, ids=[name.removesuffix(".py") for name in REFUSED])
def test_code_that_cannot_be_graded_is_refused_before_a_row_exists(convolution, name):
    user = student_for(convolution, name.removesuffix(".py"))
    with pytest.raises(SubmitRefused) as refused:
        submission_create(user=user, question=convolution, code=source_of(name), idempotency_key=f"hostile-{name}")
    assert refused.value.status == 400
    assert not Submission.objects.filter(user=user).exists()

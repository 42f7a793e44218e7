"""The whole pipeline with real services: submit -> Redis -> Celery worker -> sandbox -> row."""

from __future__ import annotations

import time
from datetime import timedelta
from pathlib import Path

import pytest
from assessments.loading import bundle_load
from courses.models import Course, Enrollment
from django.contrib.auth import get_user_model
from django.utils import timezone
from submissions.models import Submission
from submissions.services.grade import submission_sweep
from submissions.services.submit import submission_create

from tests.stack import RedisServer, celery_use_broker, start_worker, stop_worker, worker_env

pytestmark = [pytest.mark.integration, pytest.mark.timeout(300)]

ROOT = Path(__file__).resolve().parents[2]
MINI = ROOT / "tests" / "grader" / "core" / "fixtures" / "mini"
CORRECT = 'NAMES = ["a", "b"]\n\n\ndef scale(x, k):\n    return x * k\n'
WRONG = 'NAMES = ["a", "b"]\n\n\ndef scale(x, k):\n    return x + k\n'


@pytest.fixture
def question(transactional_db):  # type: ignore[no-untyped-def]
    course = Course.objects.create(slug="it", title="Integration")
    bundle_load(path=MINI, course=course)
    return course.assignments.get(slug="mini").questions.get(slug="scale")


@pytest.fixture
def student(question):  # type: ignore[no-untyped-def]
    user = get_user_model().objects.create_user(username="it-student", password="x")
    Enrollment.objects.create(course=question.assignment.course, user=user)
    return user


def wait_final(submission_id: int, timeout: float = 60) -> Submission:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        submission = Submission.objects.get(pk=submission_id)
        if submission.is_final:
            return submission
        time.sleep(0.1)
    raise AssertionError(f"submission {submission_id} not graded in {timeout}s: {submission.status}")


def test_a_correct_and_a_wrong_submission_are_graded_by_the_worker(celery_worker_proc, student, question):
    right = submission_create(user=student, question=question, code=CORRECT, idempotency_key="it-right-0001")
    wrong = submission_create(user=student, question=question, code=WRONG, idempotency_key="it-wrong-0001")
    assert right.message == "" and wrong.message == ""  # both reached the queue
    graded_right = wait_final(right.submission.pk)
    graded_wrong = wait_final(wrong.submission.pk)
    assert graded_right.status == "graded" and graded_right.verdict == "passed"
    assert graded_right.score == pytest.approx(question.points)
    assert graded_right.worker.startswith("test-")  # graded by the subprocess, not by this process
    assert graded_wrong.status == "graded" and graded_wrong.verdict in ("failed", "partial")
    assert graded_wrong.score < question.points
    failed = [check["name"] for check in graded_wrong.results["checks"] if not check["passed"]]
    assert "scale · small" in failed and "scale · keys" not in failed


def test_redis_down_at_submit_keeps_the_row_and_the_sweeper_sends_it_later(
    redis_url, django_db_setup, student, question, tmp_path
):
    # A private Redis and worker: stopping the session's Redis would disturb other tests.
    from django.db import connection

    redis = RedisServer(tmp_path / "redis")
    redis.start()
    worker = start_worker(
        env=worker_env(database_name=str(connection.settings_dict["NAME"]), broker_url=redis.url, executor="sandbox"),
        log_path=tmp_path / "worker.log",
    )
    celery_use_broker(redis.url)
    try:
        redis.stop()
        receipt = submission_create(user=student, question=question, code=CORRECT, idempotency_key="it-down-0001")
        assert receipt.created
        assert "grading service" in receipt.message.lower() or "채점 서비스" in receipt.message
        stored = Submission.objects.get(pk=receipt.submission.pk)
        assert stored.status == "queued" and stored.enqueued_at is None
        redis.start()
        deadline = time.monotonic() + 60
        while not submission_sweep(now=timezone.now() + timedelta(seconds=30)):
            assert time.monotonic() < deadline, "the sweeper never reached Redis again"
            time.sleep(0.5)
        graded = wait_final(receipt.submission.pk, timeout=90)
        assert graded.status == "graded" and graded.verdict == "passed" and graded.counts_as_attempt
    finally:
        celery_use_broker(redis_url)
        stop_worker(worker)
        redis.stop()


def test_healthz_is_ok_with_redis_and_a_worker(celery_worker_proc, transactional_db, client):
    response = client.get("/healthz")
    body = response.json()
    assert response.status_code == 200, body
    assert body["database"]["ok"] and body["redis"]["ok"] and body["workers"]["count"] >= 1


def test_the_chapter_7_convolution_reference_passes_and_the_template_fails(celery_worker_proc, transactional_db):
    from grader.errors import BundleError

    bundle = ROOT / "assignments" / "ch07-cnn"
    course = Course.objects.create(slug="ch07", title="Chapter 7")
    try:
        bundle_load(path=bundle, course=course)
    except BundleError as error:
        pytest.skip(f"the ch07-cnn bundle does not load yet: {error}")
    question = course.assignments.get(slug="ch07-cnn").questions.get(slug="convolution")
    user = get_user_model().objects.create_user(username="ch07-student", password="x")
    Enrollment.objects.create(course=course, user=user)
    files = question.current_version.files
    right = submission_create(user=user, question=question, code=files["reference"], idempotency_key="ch07-right-1")
    wrong = submission_create(user=user, question=question, code=files["template"], idempotency_key="ch07-wrong-1")
    graded_right = wait_final(right.submission.pk)
    graded_wrong = wait_final(wrong.submission.pk)
    assert graded_right.verdict == "passed" and graded_right.score == pytest.approx(question.points)
    assert graded_wrong.verdict != "passed" and graded_wrong.score < question.points

"""The one job pipeline (core.jobs), the same for every job table: claim, finish guarded by the
claim, retry with backoff until the tries are used up, sweep lost and unsent rows, end a row its
worker keeps losing. Each case runs on every table of ``settings.JOB_TABLES``."""

from __future__ import annotations

from datetime import timedelta

import pytest
from core import jobs
from core.jobs import (
    RetryPolicy,
    job_claim,
    job_enqueue,
    job_finish,
    job_retry_later,
    job_sweep,
    job_tables,
    retry_policy,
)
from django.utils import timezone

from tests.platform.conftest import CORRECT_SCALE


class Broker:
    def __init__(self) -> None:
        self.sent: list[tuple[int, float | None]] = []
        self.down = False

    def apply_async(self, args: list[int], countdown: float | None = None, **_: object) -> None:
        if self.down:
            raise ConnectionError("broker down")
        self.sent.append((args[0], countdown))


@pytest.fixture
def broker(monkeypatch: pytest.MonkeyPatch) -> Broker:
    from django.utils.module_loading import import_string

    fake = Broker()
    for table in job_tables():
        monkeypatch.setattr(import_string(table.task), "apply_async", fake.apply_async)
    return fake


def _submission(student, code_question, **_):  # type: ignore[no-untyped-def]
    from submissions.models import Submission

    return Submission.objects.create(user=student, question=code_question, version=code_question.current_version,
                                     idempotency_key="key-jobs-0001", code=CORRECT_SCALE, seed=1, attempt=1)


def _regrade_item(student, code_question, instructor, **_):  # type: ignore[no-untyped-def]
    from scoring.models import RegradeItem, RegradeRun

    run = RegradeRun.objects.create(question=code_question, version=code_question.current_version,
                                    created_by=instructor, status=RegradeRun.Status.RUNNING)
    submission = _submission(student, code_question)
    return RegradeItem.objects.create(run=run, student=student, submission=submission, old_score=0.0)


def _authoring_run(instructor, course, **_):  # type: ignore[no-untyped-def]
    from authoring.models import AuthoringRun

    return AuthoringRun.objects.create(course=course, created_by=instructor, bundle_slug="mini",
                                       action=AuthoringRun.Action.REFERENCE, source={})


def _grade_sync(student, course, quiz_assignment, **_):  # type: ignore[no-untyped-def]
    from lti.models import LtiContext, LtiGradeSync, LtiRegistration, LtiResourceLink, LtiUser

    registration = LtiRegistration.objects.create(
        title="LMS", issuer="https://lms.example", client_id="c", auth_login_url="https://lms.example/auth",
        auth_token_url="https://lms.example/token", key_set_url="https://lms.example/jwks",
    )
    context = LtiContext.objects.create(registration=registration, context_id="ctx", course=course)
    link = LtiResourceLink.objects.create(context=context, resource_link_id="r", assignment=quiz_assignment,
                                          lineitem_url="https://lms.example/li")
    lti_user = LtiUser.objects.create(registration=registration, sub="s", user=student)
    return LtiGradeSync.objects.create(link=link, lti_user=lti_user, requested_at=timezone.now())


def _code_run(student, code_question, **_):  # type: ignore[no-untyped-def]
    from runs.models import CodeRun

    return CodeRun.objects.create(user=student, question=code_question, version=code_question.current_version,
                                  code=CORRECT_SCALE, seed=1)


def _outbound_email(student, course, **_):  # type: ignore[no-untyped-def]
    from announcements.models import OutboundEmail

    return OutboundEmail.objects.create(kind=OutboundEmail.Kind.ANNOUNCEMENT, key="jobs-test", recipient=student,
                                        course=course)


FACTORIES = {"Submission": _submission, "RegradeItem": _regrade_item, "AuthoringRun": _authoring_run,
             "LtiGradeSync": _grade_sync, "CodeRun": _code_run, "OutboundEmail": _outbound_email}


@pytest.fixture(params=sorted(FACTORIES))
def job(request, student, instructor, course, code_question, quiz_assignment):  # type: ignore[no-untyped-def]
    [table] = [table for table in job_tables() if table.model.__name__ == request.param]
    row = FACTORIES[request.param](student=student, instructor=instructor, course=course,
                                   code_question=code_question, quiz_assignment=quiz_assignment)
    return table, row


def _status(table, row) -> str:  # type: ignore[no-untyped-def]
    return table.rows.get(pk=row.pk).status


def test_every_table_is_covered_here():
    assert {table.model.__name__ for table in job_tables()} == set(FACTORIES)


def test_the_backoff_doubles_up_to_its_cap():
    policy = RetryPolicy(max_tries=10, first_delay=2.0, max_delay=60.0, max_releases=3)
    assert [policy.delay(n) for n in (1, 2, 3, 6, 9)] == [2.0, 4.0, 8.0, 60.0, 60.0]


def test_one_claim_wins_and_only_its_holder_may_finish(job, broker):
    table, row = job
    assert job_claim(table, row.pk, worker="a/1") and not job_claim(table, row.pk, worker="b/1")
    assert not job_finish(table, row.pk, worker="b/1", status=table.queued)  # not the holder
    assert _status(table, row) == table.running


def test_a_temporary_failure_goes_back_with_backoff_then_ends(job, broker):
    table, row = job
    policy = table.retry()
    for failures in range(1, policy.max_tries):
        assert job_claim(table, row.pk, worker="a/1")
        assert job_retry_later(table, row.pk, worker="a/1", failures=failures, message="down")
        assert _status(table, row) == table.queued and broker.sent[-1] == (row.pk, policy.delay(failures))
    assert job_claim(table, row.pk, worker="a/1")
    assert not job_retry_later(table, row.pk, worker="a/1", failures=policy.max_tries, message="down")
    assert _status(table, row) not in (table.queued, table.running)  # ended for good
    assert getattr(table.rows.get(pk=row.pk), table.tries_field) == policy.max_tries


def test_the_sweep_sends_unsent_rows_and_releases_lost_ones_until_it_ends_them(job, broker, monkeypatch):
    table, row = job
    monkeypatch.setattr(jobs, "workers_alive", lambda: None)
    broker.down = True
    assert not job_enqueue(table, row.pk)  # the broker is down: the row waits, unsent
    broker.down = False
    later = timezone.now() + timedelta(minutes=5)
    assert job_sweep(table, now=later) == [row.pk]
    assert job_sweep(table) == []  # sent just now: not again
    for releases in range(retry_policy(table.policy).max_releases):
        assert job_claim(table, row.pk, worker="gone/1")
        table.rows.filter(pk=row.pk).update(claimed_at=timezone.now() - timedelta(hours=1))
        assert job_sweep(table) == [row.pk]
        assert getattr(table.rows.get(pk=row.pk), table.releases_field) == releases + 1
    assert job_claim(table, row.pk, worker="gone/1")
    table.rows.filter(pk=row.pk).update(claimed_at=timezone.now() - timedelta(hours=1))
    assert job_sweep(table) == []
    assert _status(table, row) not in (table.queued, table.running)  # lost too often: ended

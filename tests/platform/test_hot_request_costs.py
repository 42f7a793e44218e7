"""The two hottest requests keep a pinned number of queries: the code submit (the member's
question lookup reads the extension and the pool draw once, and the submit rule reuses them) and
the status poll the submit page sends while it waits (a running submission: the session, the user
and the row; a queued one adds the count of the queue ahead of it, which says when to ask again; a
graded one adds only what decides what is shown). A query that comes back fails here."""

from __future__ import annotations

import json
import uuid
from collections import Counter
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from scoring.models import Extension
from submissions.models import Submission
from submissions.services.grade import submission_grade

from tests.platform.conftest import CORRECT_SCALE


def _client(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    return client


def _submit(client: Client, question):  # type: ignore[no-untyped-def]
    return client.post(reverse("submissions:submit", args=[question.pk]),
                       data=json.dumps({"code": CORRECT_SCALE, "idempotency_key": str(uuid.uuid4())}),
                       content_type="application/json")


def _tables(captured: CaptureQueriesContext) -> Counter[str]:
    """How often each table is read first in a SELECT (``FROM "table"``)."""
    reads: Counter[str] = Counter()
    for query in captured.captured_queries:
        sql = query["sql"]
        if sql.startswith("SELECT") and ' FROM "' in sql:
            reads[sql.split(' FROM "', 1)[1].split('"', 1)[0]] += 1
    return reads


def _measured(request) -> CaptureQueriesContext:  # type: ignore[no-untyped-def]
    with CaptureQueriesContext(connection) as captured:
        response = request()
    assert response.status_code in (200, 202), response.content
    return captured


@pytest.fixture
def warm(code_question, student):  # type: ignore[no-untyped-def]
    """One submit first: the course's exam settings are then cached (exams.lookup), as in service."""
    assert _submit(_client(student), code_question).status_code == 202


def test_a_students_submit_reads_the_extension_and_the_pool_once(student, code_question, warm):
    client = _client(student)
    captured = _measured(lambda: _submit(client, code_question))
    reads = _tables(captured)
    assert reads["scoring_extension"] == 1  # the lookup's policy is the submit rule's
    assert reads["pools_poolmember"] == 1  # the lookup refused a question drawn for others
    assert reads["courses_enrollment"] == 2  # the member's, then the lock (concurrent submits queue up)
    assert reads["assessments_questionversion"] == 0  # only its id is needed
    # session, user, question, enrollment, extension, pool, idempotency key; savepoint, lock,
    # attempt counts, insert, release
    assert len(captured.captured_queries) == 12, [q["sql"] for q in captured.captured_queries]


def test_a_staff_submit_costs_a_pinned_number_of_queries(instructor, code_question, warm):
    client = _client(instructor)
    captured = _measured(lambda: _submit(client, code_question))
    # session, user, question, enrollment, idempotency key; savepoint, lock, attempt counts,
    # the staff member's own policy (extension), insert, release
    assert len(captured.captured_queries) == 11, [q["sql"] for q in captured.captured_queries]
    assert _tables(captured)["pools_poolmember"] == 0


def test_an_extension_read_once_still_applies_to_the_submit(student, code_question, warm):
    assignment = code_question.assignment
    assignment.closes_at = timezone.now() - timedelta(hours=1)
    assignment.save()
    client = _client(student)
    refused = _submit(client, code_question)
    assert refused.status_code == 403 and refused.json()["error"]
    Extension.objects.create(assignment=assignment, student=student, closes_at=timezone.now() + timedelta(days=1))
    captured = _measured(lambda: _submit(client, code_question))
    assert _tables(captured)["scoring_extension"] == 1


@pytest.mark.parametrize("status, queries", [(Submission.Status.QUEUED, 4), (Submission.Status.RUNNING, 3)])
def test_polling_a_pending_submission_reads_the_session_the_user_and_the_row(student, code_question, warm, status,
                                                                             queries):
    submission = Submission.objects.get(user=student)
    Submission.objects.filter(pk=submission.pk).update(status=status, enqueued_at=timezone.now())
    client = _client(student)
    captured = _measured(lambda: client.get(reverse("submissions:status", args=[submission.pk])))
    assert len(captured.captured_queries) == queries, [q["sql"] for q in captured.captured_queries]
    assert client.get(reverse("submissions:status", args=[submission.pk])).json()["status"] == status


def test_staff_polling_a_students_pending_submission_adds_the_staff_check(student, instructor, code_question, warm):
    submission = Submission.objects.get(user=student)
    client = _client(instructor)
    captured = _measured(lambda: client.get(reverse("submissions:status", args=[submission.pk])))
    # session, user, row, staff check, the queue ahead of it
    assert len(captured.captured_queries) == 5, [q["sql"] for q in captured.captured_queries]


@pytest.fixture
def graded(student, code_question, warm, inprocess) -> Submission:  # type: ignore[no-untyped-def]
    submission = Submission.objects.get(user=student)
    submission_grade(submission_id=submission.pk, worker="w")
    submission.refresh_from_db()
    assert submission.status == Submission.Status.GRADED
    assert any(check["hidden"] for check in submission.results["checks"])
    return submission


def _poll(user, submission):  # type: ignore[no-untyped-def]
    client = _client(user)
    return _measured(lambda: client.get(reverse("submissions:status", args=[submission.pk])))


def test_a_graded_poll_without_due_date_rules_reads_no_extension(student, graded):
    assignment = graded.question.assignment
    assignment.hidden_checks = assignment.HiddenChecks.ALWAYS
    assignment.save()
    captured = _poll(student, graded)
    # session, user, row, the viewer's role, the code review (feedback is shown)
    assert len(captured.captured_queries) == 5, [q["sql"] for q in captured.captured_queries]
    assert _tables(captured)["scoring_extension"] == 0


def test_a_graded_poll_reads_the_extension_once_when_both_rules_follow_the_due_date(student, graded):
    assignment = graded.question.assignment
    assignment.feedback_visibility = assignment.FeedbackVisibility.AFTER_DUE
    assignment.due_at = timezone.now() - timedelta(days=1)
    assignment.save()
    captured = _poll(student, graded)
    assert _tables(captured)["scoring_extension"] == 1
    assert len(captured.captured_queries) == 6, [q["sql"] for q in captured.captured_queries]


def test_a_graded_poll_with_hidden_feedback_reads_no_review(student, graded):
    assignment = graded.question.assignment
    assignment.feedback_visibility = assignment.FeedbackVisibility.NEVER
    assignment.save()
    captured = _poll(student, graded)
    assert len(captured.captured_queries) == 4, [q["sql"] for q in captured.captured_queries]
    assert _tables(captured)["scoring_extension"] == 0

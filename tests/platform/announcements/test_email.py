"""E-mail: the request only writes outbox rows (sent after commit); the worker's task sends one
message per recipient, addressed to that recipient alone, in their language (both when unknown);
opt-outs are honoured when the row is written and again when it is sent; a retried or
redelivered task never sends a second copy; a broker or mail server outage only delays."""

from __future__ import annotations

import smtplib
from datetime import timedelta

import pytest
from announcements import sending
from announcements.jobs import OUTBOX
from announcements.models import Announcement, NotificationPreference, OutboundEmail
from announcements.notify import notify_regrade_answered
from announcements.sending import email_send
from assessments.models import Assignment
from core import jobs
from core.jobs import job_claim, job_sweep
from courses.models import Enrollment
from django.urls import reverse
from django.utils import timezone
from grading.services import manual_grade_save
from scoring.models import ScoreChange
from submissions.services.quiz import quiz_answer_create

from tests.platform.announcements.helpers import client_for, enroll
from tests.platform.grading.helpers import answer

Status = OutboundEmail.Status


@pytest.fixture
def students(personas, course):  # type: ignore[no-untyped-def]
    """owner (English), fellow (language never chosen), one without an address, one opted out."""
    NotificationPreference.objects.create(user=personas["student"], language="en")
    fellow = enroll(course, "fellow2", Enrollment.Role.STUDENT, email="fellow@example.com")
    enroll(course, "no-address", Enrollment.Role.STUDENT)
    quiet = enroll(course, "quiet", Enrollment.Role.STUDENT, email="quiet@example.com")
    NotificationPreference.objects.create(user=quiet, announcements=False)
    personas["granted_ta"].email = "ta@example.com"
    personas["granted_ta"].save(update_fields=["email"])
    return {"owner": personas["student"], "fellow": fellow, "quiet": quiet}


def post_announcement(client, course, capture, **fields):  # type: ignore[no-untyped-def]
    data = {"title": "Midterm moved", "body": "Now in **room 101**.", "email_students": "on", **fields}
    with capture(execute=True):
        response = client.post(reverse("announcements:new", args=[course.pk]), data)
    assert response.status_code == 302
    return Announcement.objects.get(title=data["title"])


def send_all(ids):  # type: ignore[no-untyped-def]
    return [email_send(email_id=pk, worker="worker@test/1") for pk in ids]


def test_each_student_gets_one_email_addressed_to_them_alone_in_their_language(
    personas, students, course, mail_queue, mailoutbox, django_capture_on_commit_callbacks,
):
    announcement = post_announcement(client_for(personas["instructor"]), course, django_capture_on_commit_callbacks)
    assert announcement.emailed
    rows = OutboundEmail.objects.filter(announcement=announcement)
    assert {row.recipient.username for row in rows} == {"owner", "fellow2"}  # no address, opted out, staff: none
    assert sorted(mail_queue.sent) == sorted(row.pk for row in rows)  # sent to the worker after commit
    assert mailoutbox == []  # nothing is mailed in the request
    assert send_all(mail_queue.sent) == [Status.SENT, Status.SENT]
    by_address = {tuple(message.to): message for message in mailoutbox}
    assert set(by_address) == {("owner@example.com",), ("fellow@example.com",)}
    for message in mailoutbox:
        assert message.cc == [] and message.bcc == [] and len(message.recipients()) == 1
        assert "Midterm moved" in message.subject and "Now in **room 101**." in message.body
        assert reverse("courses:detail", args=[course.pk]) in message.body
    english = by_address[("owner@example.com",)].body
    assert "New announcement in" in english and "새 공지" not in english
    both = by_address[("fellow@example.com",)].body
    assert "새 공지" in both and "New announcement in" in both and both.index("새 공지") < both.index("New announcement")


def test_without_the_checkbox_nobody_is_emailed(personas, students, course, mail_queue, django_capture_on_commit_callbacks):
    announcement = post_announcement(client_for(personas["instructor"]), course, django_capture_on_commit_callbacks,
                                     title="Quiet one", email_students="")
    assert not announcement.emailed and not OutboundEmail.objects.exists() and mail_queue.sent == []


def test_a_redelivered_or_retried_task_never_sends_a_second_copy(
    personas, students, course, mail_queue, mailoutbox, django_capture_on_commit_callbacks,
):
    post_announcement(client_for(personas["instructor"]), course, django_capture_on_commit_callbacks)
    first = OutboundEmail.objects.get(recipient=students["owner"])
    assert email_send(email_id=first.pk, worker="a@test/1") == Status.SENT
    assert email_send(email_id=first.pk, worker="b@test/1") == "not_claimed"  # the broker delivered it twice
    assert job_sweep(OUTBOX, now=timezone.now() + timedelta(hours=1)) == [OutboundEmail.objects.get(
        recipient=students["fellow"]).pk]  # only the unsent one is sent again
    assert len([m for m in mailoutbox if m.to == ["owner@example.com"]]) == 1


def test_a_worker_lost_while_sending_is_never_resent(
    personas, students, course, mail_queue, mailoutbox, django_capture_on_commit_callbacks, monkeypatch,
):
    post_announcement(client_for(personas["instructor"]), course, django_capture_on_commit_callbacks)
    row = OutboundEmail.objects.get(recipient=students["owner"])
    # The worker claimed the row and handed the message to the mail server, then died.
    assert job_claim(OUTBOX, row.pk, worker="gone@test/1")
    OutboundEmail.objects.filter(pk=row.pk).update(send_started_at=timezone.now(),
                                                   claimed_at=timezone.now() - timedelta(hours=1))
    monkeypatch.setattr(jobs, "workers_alive", lambda: None)
    assert job_sweep(OUTBOX) == [row.pk]  # released and sent again to a worker ...
    assert email_send(email_id=row.pk, worker="next@test/1") == Status.FAILED  # ... which does not resend
    assert mailoutbox == []
    assert "may have reached" in OutboundEmail.objects.get(pk=row.pk).last_error


def test_a_mail_server_outage_is_retried_later_and_then_sent_once(
    personas, students, course, mail_queue, mailoutbox, django_capture_on_commit_callbacks, monkeypatch,
):
    post_announcement(client_for(personas["instructor"]), course, django_capture_on_commit_callbacks)
    row = OutboundEmail.objects.get(recipient=students["owner"])
    real = sending.get_connection

    class Down:
        def send_messages(self, messages):  # type: ignore[no-untyped-def]
            raise smtplib.SMTPConnectError(421, "try later")

    monkeypatch.setattr(sending, "get_connection", lambda: Down())
    mail_queue.sent.clear()
    assert email_send(email_id=row.pk, worker="a@test/1") == Status.QUEUED
    row.refresh_from_db()
    assert (row.status, row.tries, row.send_started_at) == (Status.QUEUED, 1, None)
    assert mail_queue.sent == [row.pk] and "try later" in row.last_error  # sent again after the backoff
    monkeypatch.setattr(sending, "get_connection", real)
    assert email_send(email_id=row.pk, worker="b@test/1") == Status.SENT
    assert [m.to for m in mailoutbox] == [["owner@example.com"]]


def test_a_broker_outage_only_delays_the_mail(
    personas, students, course, mail_queue, mailoutbox, django_capture_on_commit_callbacks,
):
    mail_queue.down = True
    post_announcement(client_for(personas["instructor"]), course, django_capture_on_commit_callbacks)
    rows = OutboundEmail.objects.all()
    assert rows.count() == 2 and all(row.enqueued_at is None for row in rows)
    mail_queue.down = False
    assert sorted(job_sweep(OUTBOX, now=timezone.now() + timedelta(minutes=1))) == sorted(row.pk for row in rows)


def test_an_opt_out_after_posting_is_honoured_when_sending(
    personas, students, course, mail_queue, mailoutbox, django_capture_on_commit_callbacks,
):
    post_announcement(client_for(personas["instructor"]), course, django_capture_on_commit_callbacks)
    NotificationPreference.objects.filter(user=students["owner"]).update(announcements=False)
    row = OutboundEmail.objects.get(recipient=students["owner"])
    assert email_send(email_id=row.pk, worker="a@test/1") == Status.SKIPPED
    assert mailoutbox == []


def test_deleting_an_announcement_cancels_its_unsent_mail(
    personas, students, course, mail_queue, mailoutbox, django_capture_on_commit_callbacks,
):
    announcement = post_announcement(client_for(personas["instructor"]), course, django_capture_on_commit_callbacks)
    ids = list(mail_queue.sent)
    client_for(personas["instructor"]).post(reverse("announcements:delete", args=[course.pk, announcement.pk]))
    assert not OutboundEmail.objects.exists()
    assert send_all(ids) == ["not_claimed", "not_claimed"]  # a task already sent finds nothing to claim
    assert mailoutbox == []


# ---- released grades -----------------------------------------------------------------------


def grade(answer_row, grader, capture):  # type: ignore[no-untyped-def]
    with capture(execute=True):
        manual_grade_save(answer_id=answer_row.pk, grader=grader, checked=[0], comment="ok")


def test_a_manual_grade_emails_the_student_once_feedback_is_shown(
    personas, course, explain, mail_queue, mailoutbox, django_capture_on_commit_callbacks,
):
    given = answer(personas["student"], explain)
    grade(given, personas["instructor"], django_capture_on_commit_callbacks)
    row = OutboundEmail.objects.get(kind=OutboundEmail.Kind.GRADE)
    assert row.recipient == personas["student"] and mail_queue.sent == [row.pk]
    grade(given, personas["instructor"], django_capture_on_commit_callbacks)  # regraded before it left
    assert OutboundEmail.objects.filter(kind=OutboundEmail.Kind.GRADE).count() == 1
    assert email_send(email_id=row.pk, worker="a@test/1") == Status.SENT
    [message] = mailoutbox
    assert message.to == ["owner@example.com"]
    assert reverse("assessments:question", args=[explain.pk]) in message.body
    assert "채점 결과 공개" in message.subject and "Your grade is available" in message.subject


def test_a_grade_held_until_the_due_date_is_emailed_after_it(
    personas, course, explain, mail_queue, mailoutbox, django_capture_on_commit_callbacks,
):
    due = timezone.now() + timedelta(days=1)
    Assignment.objects.filter(pk=explain.assignment_id).update(
        feedback_visibility=Assignment.FeedbackVisibility.AFTER_DUE, due_at=due)
    given = answer(personas["student"], explain)
    Assignment.objects.filter(pk=explain.assignment_id).update(due_at=due)
    grade(given, personas["instructor"], django_capture_on_commit_callbacks)
    row = OutboundEmail.objects.get(kind=OutboundEmail.Kind.GRADE)
    assert row.enqueued_at == due and mail_queue.sent == []  # waits for the due date
    assert job_sweep(OUTBOX) == []
    # A task that runs early (e.g. an extension moved the due date) puts it back without a try.
    assert job_claim(OUTBOX, row.pk, worker="x@test/1")
    OutboundEmail.objects.filter(pk=row.pk).update(status=Status.QUEUED, worker="", claimed_at=None)
    assert email_send(email_id=row.pk, worker="a@test/1") == Status.QUEUED
    assert OutboundEmail.objects.get(pk=row.pk).enqueued_at == due and mailoutbox == []
    Assignment.objects.filter(pk=explain.assignment_id).update(due_at=timezone.now() - timedelta(minutes=5))
    assert job_sweep(OUTBOX, now=due + timedelta(minutes=1)) == [row.pk]
    assert email_send(email_id=row.pk, worker="a@test/1") == Status.SENT
    assert [m.to for m in mailoutbox] == [["owner@example.com"]]


def test_no_grade_email_when_feedback_is_never_shown_or_the_student_opted_out(
    personas, course, explain, mail_queue, django_capture_on_commit_callbacks,
):
    given = answer(personas["student"], explain)
    Assignment.objects.filter(pk=explain.assignment_id).update(feedback_visibility=Assignment.FeedbackVisibility.NEVER)
    grade(given, personas["instructor"], django_capture_on_commit_callbacks)
    Assignment.objects.filter(pk=explain.assignment_id).update(
        feedback_visibility=Assignment.FeedbackVisibility.IMMEDIATELY)
    NotificationPreference.objects.create(user=personas["student"], grades=False)
    grade(given, personas["instructor"], django_capture_on_commit_callbacks)
    assert not OutboundEmail.objects.exists() and mail_queue.sent == []


def test_automatic_grading_sends_no_grade_email(personas, course, pick, mail_queue, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        quiz_answer_create(user=personas["student"], question=pick, data={"choice": ["right"]})
    assert ScoreChange.objects.filter(question=pick).exists()  # scored, but not by hand
    assert not OutboundEmail.objects.exists()


# ---- answered regrade requests ---------------------------------------------------------------


def test_an_answered_regrade_request_is_emailed_once(
    personas, course, explain, mail_queue, mailoutbox, django_capture_on_commit_callbacks,
):
    NotificationPreference.objects.create(user=personas["student"], language="ko")
    with django_capture_on_commit_callbacks(execute=True):
        row = notify_regrade_answered(student_id=personas["student"].pk, question_id=explain.pk, request_id=7,
                                      accepted=True, response="<b>맞습니다</b>, 1점 더 드립니다.", new_score=2.5)
        again = notify_regrade_answered(student_id=personas["student"].pk, question_id=explain.pk, request_id=7,
                                        accepted=True, response="twice")
    assert row is not None and again is None and mail_queue.sent == [row.pk]
    assert email_send(email_id=row.pk, worker="a@test/1") == Status.SENT
    [message] = mailoutbox
    assert message.to == ["owner@example.com"]
    assert "재채점" in message.subject and "Regrade" not in message.subject  # Korean only, as chosen
    assert "<b>맞습니다</b>, 1점 더 드립니다." in message.body and "2.5" in message.body
    assert message.content_subtype == "plain"  # the reply is quoted as text, never as HTML


def test_regrade_email_honours_opt_out_and_needs_a_student(personas, course, explain, mail_queue):
    NotificationPreference.objects.create(user=personas["student"], regrades=False)
    assert notify_regrade_answered(student_id=personas["student"].pk, question_id=explain.pk, request_id=1,
                                   accepted=False) is None
    assert notify_regrade_answered(student_id=personas["outsider"].pk, question_id=explain.pk, request_id=2,
                                   accepted=False) is None
    assert not OutboundEmail.objects.exists()


def test_a_title_with_a_line_break_cannot_add_mail_headers(
    personas, students, course, mail_queue, mailoutbox, django_capture_on_commit_callbacks,
):
    post_announcement(client_for(personas["instructor"]), course, django_capture_on_commit_callbacks,
                      title="Hi\r\nBcc: everyone@example.com")
    row = OutboundEmail.objects.get(recipient=students["owner"])
    assert email_send(email_id=row.pk, worker="a@test/1") == Status.SENT
    [message] = mailoutbox
    assert "\n" not in message.subject and message.bcc == [] and message.recipients() == ["owner@example.com"]

"""Announcements in a real browser: the instructor posts one from the course page and asks for
it to be e-mailed; a student sees it (Markdown rendered, script defused) on the course page; the
real Celery worker sends the student one e-mail, which its console backend prints to the
worker's log (tests/stack.py writes the worker's output there)."""

from __future__ import annotations

import os
import secrets
import time
from typing import Any

import pytest

pytestmark = pytest.mark.e2e

INSTRUCTOR = ("instructor", "instructor-demo")  # created by `manage.py seed_demo`
STUDENT_LOGIN = ("student1", "student1-demo")
ADDRESS = "student1@example.com"
MAIL_TIMEOUT = 60


def switch_user(page: Any, log_in: Any, username: str, password: str) -> None:
    page.context.clear_cookies()  # a fresh session, as on another computer
    log_in(username, password)


def wait_for_sent(row_filter: dict) -> Any:
    from announcements.models import OutboundEmail

    deadline = time.monotonic() + MAIL_TIMEOUT
    while time.monotonic() < deadline:
        row = OutboundEmail.objects.filter(**row_filter).first()
        if row is not None and row.status not in (OutboundEmail.Status.QUEUED, OutboundEmail.Status.SENDING):
            return row
        time.sleep(0.2)
    pytest.fail(f"the worker did not send the e-mail within {MAIL_TIMEOUT} s: {row_filter}")


def test_an_instructor_posts_an_emailed_announcement_and_a_student_reads_it(
    page: Any, demo: dict, log_in: Any, redis_url: str, celery_worker_proc: Any,
) -> None:
    from announcements.models import Announcement, OutboundEmail
    from courses.models import Course
    from django.conf import settings
    from django.urls import reverse

    backend = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
    if backend != "django.core.mail.backends.console.EmailBackend":
        pytest.skip(f"EMAIL_BACKEND={backend}: the worker's mail is not printed to its log")
    student = demo["student"]
    student.email = ADDRESS
    student.save(update_fields=["email"])
    course = Course.objects.get(slug=settings.DEMO_COURSE_SLUG)
    title = f"E2E notice {secrets.token_hex(4)}"

    # The instructor posts from the course page, with the e-mail box ticked.
    log_in(*INSTRUCTOR)
    page.goto(reverse("courses:detail", args=[course.pk]))
    page.locator("a.announcement-new").click()
    page.fill("input[name=title]", title)
    page.fill("textarea[name=body]", "**중간고사** 장소: 101호\n\n<script>window.pwned = 1</script>")
    page.check("input[name=email_students]")
    with page.expect_navigation():
        page.locator("form.announcement-form button.save").click()
    assert page.url.rstrip("/").endswith(reverse("courses:detail", args=[course.pk]).rstrip("/"))
    assert page.locator(".announcement-title", has_text=title).count() == 1
    announcement = Announcement.objects.get(title=title)
    assert announcement.emailed

    # The student sees it on the course page, rendered and defused.
    switch_user(page, log_in, *STUDENT_LOGIN)
    page.goto(reverse("courses:detail", args=[course.pk]))
    card = page.locator(f'article.announcement[data-announcement="{announcement.pk}"]')
    assert title in card.locator(".announcement-title").inner_text()
    assert card.locator(".announcement-body strong").inner_text() == "중간고사"
    assert card.locator("script").count() == 0
    assert page.evaluate("() => window.pwned") is None
    assert page.locator("a.announcement-new").count() == 0  # no staff links for students
    assert page.js_errors == []

    # The worker sent one e-mail, addressed to the student alone.
    row = wait_for_sent({"announcement": announcement, "recipient": student})
    assert row.status == OutboundEmail.Status.SENT, row.last_error
    log = celery_worker_proc.log_path.read_text(encoding="utf-8", errors="replace")
    mails = [chunk for chunk in log.split("Content-Type: text/plain") if f"Message-ID: <dlgrade.outbox.{row.pk}@" in chunk]
    assert len(mails) == 1, "expected the e-mail once in the worker's log"
    assert f"To: {ADDRESS}" in mails[0] and title in mails[0]
    # The other demo students have no address: nobody else was written to.
    assert list(OutboundEmail.objects.filter(announcement=announcement).values_list("recipient__email", flat=True)) \
        == [ADDRESS]

"""The text of each e-mail, in the recipient's language (their preference), or in Korean and
English when they never chose. Plain text only: an announcement's Markdown is quoted as it was
written (it reads well as text, and a text e-mail cannot carry script)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from announcements.models import OutboundEmail

SEPARATOR = "\n\n" + "-" * 40 + "\n\n"


@dataclass(frozen=True)
class Composed:
    subject: str
    body: str


def absolute_url(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def _footer() -> str:
    return _("You receive this e-mail because you are a student of this course. "
             "Choose which e-mails you get: %(url)s") % {"url": absolute_url(reverse("announcements:preferences"))}


def _announcement(row: OutboundEmail) -> Composed:
    announcement = row.announcement
    assert announcement is not None
    course_url = absolute_url(reverse("courses:detail", args=[row.course_id]))
    body = "\n\n".join([
        _("New announcement in %(course)s:") % {"course": row.course.title},
        announcement.title,
        announcement.body,
        _("On the course page: %(url)s") % {"url": course_url},
        _footer(),
    ])
    return Composed(subject=f"[{row.course.title}] {announcement.title}", body=body)


def _grade(row: OutboundEmail) -> Composed:
    question = row.question
    assert question is not None
    names = {"course": row.course.title, "question": question.display_title,
             "assignment": question.assignment.display_title}
    body = "\n\n".join([
        _("Your answer to %(question)s (%(assignment)s) has been graded.") % names,
        _("See your score and the grader's comments: %(url)s")
        % {"url": absolute_url(reverse("assessments:question", args=[question.pk]))},
        _footer(),
    ])
    return Composed(subject=f"[{row.course.title}] " + _("Your grade is available: %(question)s") % names, body=body)


def _regrade(row: OutboundEmail) -> Composed:
    question = row.question
    assert question is not None
    names = {"question": question.display_title}
    context = row.context or {}
    parts = [_("Your regrade request for %(question)s has been answered.") % names]
    if context.get("accepted"):
        score = context.get("new_score")
        parts.append(_("Your score was changed to %(score)s.") % {"score": f"{score:g}"} if score is not None
                     else _("Your score was changed."))
    else:
        parts.append(_("Your score was not changed."))
    if context.get("response"):
        parts.append(_("The staff's reply:") + "\n" + str(context["response"]))
    parts.append(_("See your score: %(url)s") % {"url": absolute_url(reverse("assessments:question", args=[question.pk]))})
    parts.append(_footer())
    return Composed(subject=f"[{row.course.title}] " + _("Regrade request answered: %(question)s") % names,
                    body="\n\n".join(parts))


COMPOSERS: dict[str, Callable[[OutboundEmail], Composed]] = {
    OutboundEmail.Kind.ANNOUNCEMENT: _announcement,
    OutboundEmail.Kind.GRADE: _grade,
    OutboundEmail.Kind.REGRADE: _regrade,
}


def email_compose(*, row: OutboundEmail, language: str) -> Composed:
    """``language``: "ko", "en", or "" for both (Korean first)."""
    languages = [language] if language in ("ko", "en") else ["ko", "en"]
    composed = []
    for code in languages:
        with translation.override(code):
            composed.append(COMPOSERS[row.kind](row))
    # One line: a title cannot break out of the Subject header (Django would refuse to send it).
    subjects = list(dict.fromkeys(" ".join(part.subject.split()) for part in composed))
    return Composed(subject=" / ".join(subjects)[:900], body=SEPARATOR.join(part.body for part in composed))



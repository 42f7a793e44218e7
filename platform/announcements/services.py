"""Writes: announcements (by course staff with the ``may_edit_assignments`` grant, checked by the
views through ``course_get_for_staff``) and a user's e-mail preferences."""

from __future__ import annotations

from courses.models import Course
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from announcements.models import Announcement, NotificationPreference
from announcements.notify import notify_announcement


@transaction.atomic
def announcement_create(
    *, course: Course, author: AbstractBaseUser, title: str, body: str, pinned: bool, email_students: bool,
) -> Announcement:
    """With ``email_students``, each student of the course gets one e-mail (sent after commit by
    a worker; opted-out students and students without an address get none)."""
    announcement = Announcement.objects.create(
        course=course, author=author, title=title.strip(), body=body, pinned=pinned,
    )
    if email_students:
        notify_announcement(announcement=announcement)
        announcement.emailed = True
    return announcement


def announcement_update(*, announcement: Announcement, title: str, body: str, pinned: bool) -> Announcement:
    """Edits are not e-mailed again; e-mails not sent yet carry the edited text."""
    announcement.title, announcement.body, announcement.pinned = title.strip(), body, pinned
    announcement.save(update_fields=["title", "body", "pinned", "updated_at"])
    return announcement


def announcement_delete(*, announcement: Announcement) -> None:
    """Its e-mails not sent yet go with it (the outbox rows cascade)."""
    announcement.delete()


def preferences_save(
    *, user: AbstractBaseUser, announcements: bool, grades: bool, regrades: bool, language: str,
) -> NotificationPreference:
    preference, _created = NotificationPreference.objects.update_or_create(
        user_id=user.pk,
        defaults={"announcements": announcements, "grades": grades, "regrades": regrades, "language": language},
    )
    return preference

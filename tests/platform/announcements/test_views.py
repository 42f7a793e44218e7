"""The announcement pages: who may open and use them (instructor, TA with / without the
``may_edit_assignments`` grant, student, outsider, anonymous), ids scoped to the course, the
course page listing them (pinned first, newest first) and the e-mail preferences page."""

from __future__ import annotations

from datetime import timedelta

import pytest
from announcements.models import Announcement, NotificationPreference
from courses.models import Course
from django.urls import reverse
from django.utils import timezone

from tests.platform.announcements.helpers import client_for

ROLES = ["instructor", "granted_ta", "ta", "student", "outsider", "anonymous"]
EXPECTED = {"instructor": 200, "granted_ta": 200, "ta": 403, "student": 404, "outsider": 404, "anonymous": 302}


@pytest.fixture
def posted(course, instructor):  # type: ignore[no-untyped-def]
    return Announcement.objects.create(course=course, author=instructor, title="Midterm", body="Room **101**")


def staff_pages(course, announcement):  # type: ignore[no-untyped-def]
    return [
        reverse("announcements:new", args=[course.pk]),
        reverse("announcements:edit", args=[course.pk, announcement.pk]),
        reverse("announcements:delete", args=[course.pk, announcement.pk]),
    ]


@pytest.mark.parametrize("who", ROLES)
def test_the_staff_pages_need_the_grant(personas, course, posted, who):
    client = client_for(personas[who])
    for url in staff_pages(course, posted):
        response = client.get(url)
        assert response.status_code == EXPECTED[who], url
        if who == "anonymous":
            assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("who", ROLES)
def test_only_granted_staff_can_post_edit_and_delete(personas, course, posted, mail_queue, who):
    client = client_for(personas[who])
    allowed = EXPECTED[who] == 200
    response = client.post(reverse("announcements:new", args=[course.pk]), {"title": "New", "body": "x"})
    assert response.status_code == (302 if allowed else EXPECTED[who])
    assert Announcement.objects.filter(title="New").exists() == allowed
    client.post(reverse("announcements:edit", args=[course.pk, posted.pk]), {"title": "Changed", "body": ""})
    posted.refresh_from_db()
    assert (posted.title == "Changed") == allowed
    client.post(reverse("announcements:delete", args=[course.pk, posted.pk]))
    assert Announcement.objects.filter(pk=posted.pk).exists() != allowed


@pytest.mark.parametrize("who", ROLES)
def test_members_read_the_announcements_others_do_not(personas, course, posted, who):
    response = client_for(personas[who]).get(reverse("announcements:list", args=[course.pk]))
    expected = {"outsider": 404, "anonymous": 302}.get(who, 200)
    assert response.status_code == expected
    if expected == 200:
        assert "Midterm" in response.content.decode()


def test_ids_of_another_course_are_404_even_for_its_staff(personas, course, posted):
    other = Course.objects.get(slug="other")
    client = client_for(personas["outsider"])  # the instructor of `other`
    assert client.get(reverse("announcements:new", args=[other.pk])).status_code == 200
    assert client.get(reverse("announcements:edit", args=[other.pk, posted.pk])).status_code == 404
    assert client.post(reverse("announcements:delete", args=[other.pk, posted.pk])).status_code == 404
    assert Announcement.objects.filter(pk=posted.pk).exists()


def test_the_course_page_shows_pinned_first_then_newest_first(personas, course, instructor):
    now = timezone.now()
    ids = {}
    for title, pinned, age in [("old", False, 3), ("pinned-old", True, 5), ("new", False, 1)]:
        row = Announcement.objects.create(course=course, author=instructor, title=title, pinned=pinned)
        Announcement.objects.filter(pk=row.pk).update(created_at=now - timedelta(days=age))
        ids[title] = row.pk
    page = client_for(personas["student"]).get(reverse("courses:detail", args=[course.pk])).content.decode()
    positions = [page.index(f'data-announcement="{ids[title]}"') for title in ("pinned-old", "new", "old")]
    assert positions == sorted(positions)
    assert reverse("announcements:new", args=[course.pk]) not in page  # students get no staff links
    assert reverse("announcements:preferences") in page
    staff_page = client_for(personas["granted_ta"]).get(reverse("courses:detail", args=[course.pk])).content.decode()
    assert reverse("announcements:new", args=[course.pk]) in staff_page
    plain_ta_page = client_for(personas["ta"]).get(reverse("courses:detail", args=[course.pk])).content.decode()
    assert reverse("announcements:new", args=[course.pk]) not in plain_ta_page


def test_a_post_without_a_title_is_refused_with_the_form(personas, course):
    response = client_for(personas["instructor"]).post(reverse("announcements:new", args=[course.pk]), {"body": "x"})
    assert response.status_code == 400
    assert not Announcement.objects.exists()


def test_the_course_page_section_is_korean(personas, course, posted):
    page = client_for(personas["instructor"]).get(
        reverse("courses:detail", args=[course.pk]), HTTP_ACCEPT_LANGUAGE="ko"
    ).content.decode()
    for korean in ("공지", "새 공지", "메일 수신 설정", "편집", "삭제"):
        assert korean in page
    for english in ("New announcement", "E-mail preferences", "Announcements"):
        assert english not in page


@pytest.mark.parametrize("who", ["student", "instructor", "outsider"])
def test_every_user_may_choose_their_emails(personas, who):
    client = client_for(personas[who])
    url = reverse("announcements:preferences")
    page = client.get(url, HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200
    assert page.context["form"].initial["announcements"] is True  # on until turned off
    response = client.post(url, {"grades": "on", "language": "en"})
    assert response.status_code == 302
    preference = NotificationPreference.objects.get(user=personas[who])
    assert (preference.announcements, preference.grades, preference.regrades, preference.language) == (
        False, True, False, "en")


def test_the_preferences_page_needs_a_login(db):
    response = client_for(None).get(reverse("announcements:preferences"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_a_bad_language_is_refused(personas):
    response = client_for(personas["student"]).post(reverse("announcements:preferences"), {"language": "xx"})
    assert response.status_code == 400
    assert not NotificationPreference.objects.exists()

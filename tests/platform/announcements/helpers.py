"""Helpers of the announcement tests (the personas and the fake broker are in conftest.py)."""

from __future__ import annotations

from courses.models import Course, Enrollment
from django.test import Client

from tests.platform.conftest import make_user


def enroll(course: Course, username: str, role: str, email: str = "", **grants: bool):  # type: ignore[no-untyped-def]
    user = make_user(username)
    if email:
        user.email = email
        user.save(update_fields=["email"])
    Enrollment.objects.create(course=course, user=user, role=role, **grants)
    return user


def client_for(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    if user is not None:
        client.force_login(user)
    return client

"""Password guessing on /accounts/login/: limited per username and per client address (counts in the
Django cache), 429 with a clear message, the right password refused while locked, reset on success."""

from __future__ import annotations

import pytest
from config import login as throttle
from django.core.cache import cache
from django.urls import reverse

from tests.platform.hostile_http.helpers import client_for

LOGIN = "/accounts/login/"


@pytest.fixture(autouse=True)
def _fast_hashing(settings):  # type: ignore[no-untyped-def]
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # dozens of attempts per test


def attempt(client, username: str, password: str, address: str = "10.0.0.1"):  # type: ignore[no-untyped-def]
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=address)


def logged_in(client) -> bool:  # type: ignore[no-untyped-def]
    return "_auth_user_id" in client.session


def fail(client, username: str, times: int, address: str = "10.0.0.1") -> None:  # type: ignore[no-untyped-def]
    for _ in range(times):
        assert attempt(client, username, "wrong-guess", address).status_code in (200, 429)


def test_the_login_url_is_the_throttled_view(db):
    assert reverse("login") == LOGIN
    response = client_for().get(LOGIN)
    assert response.status_code == 200 and isinstance(response.context["view"], throttle.ThrottledLoginView)


def test_a_few_wrong_passwords_answer_the_usual_form_error(student):
    client = client_for()
    response = attempt(client, "owner", "nope")
    assert response.status_code == 200
    assert "didn" in response.content.decode() and not logged_in(client)


def test_ten_failures_lock_the_username_with_429_and_a_clear_message(student):
    client = client_for()
    fail(client, "owner", throttle.FAILURES_PER_USERNAME - 1)
    tenth = attempt(client, "owner", "wrong-guess")
    assert tenth.status_code == 429
    body = tenth.content.decode()
    assert "Too many failed log-ins" in body and "15 minutes" in body
    assert tenth["Retry-After"] == str(15 * 60)
    right = attempt(client, "owner", "pw-owner")  # the right password, while locked
    assert right.status_code == 429 and "Too many failed log-ins" in right.content.decode()
    assert not logged_in(client)


def test_the_lock_is_per_username_regardless_of_address_and_case(student, fellow):
    for index in range(throttle.FAILURES_PER_USERNAME):
        attempt(client_for(), "OWNER " if index % 2 else "owner", "guess", address=f"10.1.0.{index}")
    locked = client_for()
    assert attempt(locked, "owner", "pw-owner", address="10.9.9.9").status_code == 429
    assert not logged_in(locked)
    other = client_for()
    assert attempt(other, "fellow", "pw-fellow", address="10.9.9.9").status_code == 302 and logged_in(other)


def test_unknown_usernames_are_locked_the_same_way(db):
    client = client_for()
    fail(client, "nobody-here", throttle.FAILURES_PER_USERNAME)
    assert attempt(client, "nobody-here", "x").status_code == 429


def test_one_address_guessing_many_usernames_is_locked(student):
    client = client_for()
    for index in range(throttle.FAILURES_PER_ADDRESS):
        attempt(client, f"spray-{index}", "Password1", address="203.0.113.7")
    response = attempt(client, "owner", "pw-owner", address="203.0.113.7")
    assert response.status_code == 429 and not logged_in(client)
    elsewhere = client_for()
    assert attempt(elsewhere, "owner", "pw-owner", address="198.51.100.1").status_code == 302


def test_a_forged_forwarded_for_header_does_not_give_fresh_counts(student):
    client = client_for()
    for index in range(throttle.FAILURES_PER_ADDRESS):
        client.post(LOGIN, {"username": f"spray-{index}", "password": "x"}, REMOTE_ADDR="203.0.113.8",
                    HTTP_X_FORWARDED_FOR=f"192.0.2.{index}")
    response = client.post(LOGIN, {"username": "owner", "password": "pw-owner"}, REMOTE_ADDR="203.0.113.8",
                           HTTP_X_FORWARDED_FOR="192.0.2.250")
    assert response.status_code == 429


def test_behind_the_reverse_proxy_the_address_it_appended_is_counted(student, settings):
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")  # DJANGO_BEHIND_PROXY=1
    proxy = "172.18.0.2"
    client = client_for()
    for index in range(throttle.FAILURES_PER_ADDRESS):
        # The attacker forges entries on the left; our proxy appends the real peer on the right.
        client.post(LOGIN, {"username": f"spray-{index}", "password": "x"}, REMOTE_ADDR=proxy,
                    HTTP_X_FORWARDED_FOR=f"192.0.2.{index}, 203.0.113.9")
    locked = client.post(LOGIN, {"username": "owner", "password": "pw-owner"}, REMOTE_ADDR=proxy,
                         HTTP_X_FORWARDED_FOR="10.10.10.10, 203.0.113.9")
    assert locked.status_code == 429
    # Everyone else behind the same proxy still logs in: the proxy's own address is not what counts.
    other = client_for()
    response = other.post(LOGIN, {"username": "owner", "password": "pw-owner"}, REMOTE_ADDR=proxy,
                          HTTP_X_FORWARDED_FOR="198.51.100.20")
    assert response.status_code == 302


def test_a_successful_login_resets_the_username_count(student):
    client = client_for()
    fail(client, "owner", throttle.FAILURES_PER_USERNAME - 1)
    assert attempt(client, "owner", "pw-owner").status_code == 302 and logged_in(client)
    again = client_for()
    fail(again, "owner", throttle.FAILURES_PER_USERNAME - 1)
    assert attempt(again, "owner", "pw-owner").status_code == 302


def test_the_counts_live_in_the_django_cache_and_expire(student):
    client = client_for()
    fail(client, "owner", throttle.FAILURES_PER_USERNAME)
    assert attempt(client, "owner", "pw-owner").status_code == 429
    cache.clear()  # what the 15-minute expiry does
    assert attempt(client, "owner", "pw-owner").status_code == 302


def test_a_cache_outage_does_not_lock_everybody_out(student, monkeypatch):
    def broken(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise ConnectionError("redis down")

    for name in ("get_many", "add", "incr", "delete"):
        monkeypatch.setattr(cache, name, broken)
    client = client_for()
    fail(client, "owner", 3)
    assert attempt(client, "owner", "pw-owner").status_code == 302


@pytest.mark.parametrize("body", [
    {"username": "x" * 100_000, "password": "pw-owner"}, {"username": "owner\x00", "password": "pw-owner"},
    {"username": "' OR 1=1 --", "password": "pw-owner"}, {"username": "<script>", "password": "pw-owner"},
    {"username": ["owner", "prof"], "password": "pw-owner"}, {"password": "pw-owner"},
    b"username=%ED%A0%80%FF&password=pw-owner",
], ids=["100k", "nul", "sql", "html", "repeated", "missing", "invalid-utf8"])
def test_hostile_usernames_fail_cleanly(student, body):
    client = client_for()
    if isinstance(body, bytes):
        response = client.generic("POST", LOGIN, body, content_type="application/x-www-form-urlencoded")
    else:
        response = client.post(LOGIN, body)
    assert response.status_code in (200, 400) and not logged_in(client)
    assert "<script>" not in response.content.decode().split("</header>")[1]


def test_the_next_parameter_cannot_redirect_off_site(student):
    client = client_for()
    response = client.post(LOGIN + "?next=https://evil.example/", {"username": "owner", "password": "pw-owner",
                                                                     "next": "https://evil.example/"})
    assert response.status_code == 302 and "evil.example" not in response["Location"]
    client = client_for()
    response = client.post(LOGIN, {"username": "owner", "password": "pw-owner", "next": "//evil.example/x"})
    assert response.status_code == 302 and "evil.example" not in response["Location"]


def test_the_admin_login_is_throttled_too(student):
    client = client_for()
    for _ in range(throttle.FAILURES_PER_USERNAME):
        client.post("/admin/login/", {"username": "owner", "password": "guess"}, REMOTE_ADDR="10.0.0.5")
    response = client.post("/admin/login/", {"username": "owner", "password": "guess"}, REMOTE_ADDR="10.0.0.5")
    assert response.status_code == 429


def test_the_admin_login_still_lets_staff_in_and_keeps_students_out(student):
    from django.contrib.auth import get_user_model

    get_user_model().objects.create_superuser("root-admin", "root@example.org", "pw-root-admin")
    client = client_for()
    assert client.get("/admin/login/").status_code == 200
    refused = client.post("/admin/login/", {"username": student.username, "password": "nope"})
    assert refused.status_code == 200 and b"errornote" in refused.content
    response = client.post("/admin/login/?next=/admin/", {"username": "root-admin", "password": "pw-root-admin",
                                                           "next": "/admin/"})
    assert response.status_code == 302 and response["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200

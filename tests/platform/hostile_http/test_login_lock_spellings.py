"""The username lock cannot be sidestepped by another spelling of the same name: the log-in form
NFKC-normalises what it authenticates (full-width "ｏｗｎｅｒ" logs in as "owner"), so the throttle
must count that spelling under the same name, on the site's log-in and on the admin's."""

from __future__ import annotations

import pytest
from config import login as throttle
from django.contrib.auth import get_user_model

from tests.platform.hostile_http.helpers import client_for

FULL_WIDTH = "ｏｗｎｅｒ"  # NFKC -> "owner"
SPELLINGS = [FULL_WIDTH, "ＯＷＮＥＲ", " ｏwner ", "owｎer"]


@pytest.fixture(autouse=True)
def _fast_hashing(settings):  # type: ignore[no-untyped-def]
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def post(client, url: str, username: str, password: str):  # type: ignore[no-untyped-def]
    return client.post(url, {"username": username, "password": password}, REMOTE_ADDR="10.3.0.1")


def logged_in(client) -> bool:  # type: ignore[no-untyped-def]
    return "_auth_user_id" in client.session


def test_the_form_really_logs_in_with_the_full_width_spelling(student):
    """The premise of the attack: without a lock, the full-width name is the owner's account."""
    client = client_for()
    assert post(client, "/accounts/login/", FULL_WIDTH, "pw-owner").status_code == 302 and logged_in(client)


@pytest.mark.parametrize("spelling", SPELLINGS)
def test_a_locked_name_stays_locked_in_full_width_letters(student, spelling):
    for _ in range(throttle.FAILURES_PER_USERNAME):
        post(client_for(), "/accounts/login/", "owner", "wrong-guess")
    attacker = client_for()
    response = post(attacker, "/accounts/login/", spelling, "pw-owner")
    assert response.status_code == 429 and not logged_in(attacker)


def test_full_width_failures_count_towards_the_plain_names_lock(student):
    for index in range(throttle.FAILURES_PER_USERNAME):
        post(client_for(), "/accounts/login/", SPELLINGS[index % len(SPELLINGS)], "wrong-guess")
    attacker = client_for()
    assert post(attacker, "/accounts/login/", "owner", "pw-owner").status_code == 429 and not logged_in(attacker)


def test_the_admin_login_shares_the_lock_across_spellings(student):
    get_user_model().objects.create_superuser("root", "root@example.org", "pw-root")
    for _ in range(throttle.FAILURES_PER_USERNAME):
        post(client_for(), "/admin/login/", "root", "wrong-guess")
    attacker = client_for()
    response = post(attacker, "/admin/login/", "ｒｏｏｔ", "pw-root")
    assert response.status_code == 429 and not logged_in(attacker)
    # The lock is by name: the site's own log-in refuses the same account too.
    assert post(client_for(), "/accounts/login/", "ＲＯＯＴ", "pw-root").status_code == 429


def test_a_successful_full_width_login_clears_the_names_count(student):
    for _ in range(throttle.FAILURES_PER_USERNAME - 1):
        post(client_for(), "/accounts/login/", "owner", "wrong-guess")
    assert post(client_for(), "/accounts/login/", FULL_WIDTH, "pw-owner").status_code == 302
    for _ in range(throttle.FAILURES_PER_USERNAME - 1):
        post(client_for(), "/accounts/login/", FULL_WIDTH, "wrong-guess")
    assert post(client_for(), "/accounts/login/", "owner", "pw-owner").status_code == 302

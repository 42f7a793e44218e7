"""Headers and URLs: forged, oversized and malformed Host headers, very long and odd URLs, and a
/healthz that tells an anonymous caller nothing secret."""

from __future__ import annotations

import json
import re

import pytest
from django.db import connection
from django.urls import reverse

from tests.platform.hostile_http.helpers import client_for


@pytest.fixture
def production_hosts(settings):  # type: ignore[no-untyped-def]
    settings.ALLOWED_HOSTS = ["dlgrade.example", "127.0.0.1", "localhost"]


@pytest.mark.parametrize("host", ["evil.example", "dlgrade.example.evil.example", "evil.example:80@dlgrade.example"])
def test_a_host_outside_allowed_hosts_is_refused(production_hosts, student, host):
    for client in (client_for(), client_for(student)):
        assert client.get("/accounts/login/", HTTP_HOST=host).status_code == 400
        assert client.get(reverse("courses:list"), HTTP_HOST=host).status_code == 400
    assert client_for().get("/accounts/login/", HTTP_HOST="dlgrade.example").status_code == 200


def test_a_forged_forwarded_host_is_not_trusted(production_hosts, db):
    response = client_for().get(reverse("courses:list"), HTTP_HOST="dlgrade.example",
                                HTTP_X_FORWARDED_HOST="evil.example")
    assert response.status_code == 302 and "evil.example" not in response["Location"]


MALFORMED_HOSTS = ["x" * 10_000, "a b", "host:port:extra", "[::1", "dlgrade.example\r\nX-Injected: 1",
                   "exa mple.com", "", "..", "dlgrade.example/evil", "dlgrade.example:80:80"]
HOST_IDS = ["10k", "space", "two-colons", "open-bracket", "crlf", "inner-space", "empty", "dots", "slash", "ports"]


@pytest.mark.parametrize("host", MALFORMED_HOSTS, ids=HOST_IDS)
def test_malformed_host_headers_get_400_in_production(production_hosts, student, host):
    client = client_for(student)
    for path in ("/accounts/login/", "/", "/api/submissions/1"):
        response = client.get(path, HTTP_HOST=host)
        assert response.status_code == 400, (path, response.status_code)
        if host:
            assert host not in response.content.decode(errors="replace")


@pytest.mark.parametrize("host", MALFORMED_HOSTS, ids=HOST_IDS)
def test_malformed_host_headers_never_crash_with_the_development_wildcard(settings, student, host):
    settings.ALLOWED_HOSTS = ["*"]
    client = client_for(student)
    for path in ("/accounts/login/", "/", "/api/submissions/1"):
        assert client.get(path, HTTP_HOST=host).status_code < 500, path


@pytest.mark.parametrize("path", [
    "/" + "a" * 100_000, "/questions/" + "1" * 10_000 + "/", "/api/submissions/" + "9" * 50_000,
    "/questions/%ff%fe/", "/%00", "/courses/%2e%2e/%2e%2e/etc/passwd", "/static/../../platform/config/settings.py",
    "/api/questions/1/draft/../../../admin/",
])
def test_very_long_and_odd_urls_are_404_not_500(student, path):
    response = client_for(student).get(path)
    assert response.status_code in (400, 404), (path[:60], response.status_code)
    assert b"SECRET_KEY" not in response.content


def test_a_very_long_query_string_is_ignored(student):
    response = client_for(student).get(reverse("courses:list") + "?" + "&".join(f"x{index}=y" for index in range(20_000)))
    assert response.status_code in (200, 400)


def test_security_headers_are_present(student):
    client = client_for(student)
    page = client.get(reverse("courses:list"))
    assert page["X-Frame-Options"] == "DENY" and page["X-Content-Type-Options"] == "nosniff"
    api = client.get("/api/submissions/1")
    assert api["X-Content-Type-Options"] == "nosniff" and api["Content-Type"].startswith("application/json")


# --- /healthz -----------------------------------------------------------------------------------

SECRET = "hunter2-redis-password"


def leaves(value: object) -> list[object]:
    if isinstance(value, dict):
        return [leaf for item in value.values() for leaf in leaves(item)]
    if isinstance(value, list):
        return [leaf for item in value for leaf in leaves(item)]
    return [value]


def assert_only_plain_facts(data: object) -> None:
    """Booleans, counts and short words (an exception's type name), never a message, URL or path."""
    for leaf in leaves(data):
        assert leaf is None or isinstance(leaf, (bool, int, float)) or (
            isinstance(leaf, str) and re.fullmatch(r"[A-Za-z_ .-]{0,40}", leaf)), leaf


def test_healthz_says_nothing_secret_when_things_fail(settings, db, monkeypatch):
    settings.REDIS_URL = f"redis://:{SECRET}@127.0.0.1:1/0"
    settings.CELERY_BROKER_URL = settings.REDIS_URL

    def broken_cursor(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise RuntimeError(f"could not connect to postgres://admin:{SECRET}@db.internal:5432/dlgrade")

    with monkeypatch.context() as patch:
        patch.setattr(connection, "cursor", broken_cursor)
        response = client_for().get("/healthz")
    body = response.content.decode()
    assert response.status_code == 503 and response["Content-Type"].startswith("application/json")
    for leak in (SECRET, "db.internal", settings.SECRET_KEY, "127.0.0.1", "Traceback", str(settings.VAR_DIR)):
        assert leak not in body, leak
    assert_only_plain_facts(json.loads(body))
    assert "RuntimeError" in body
    assert "no-cache" in response["Cache-Control"]


def test_healthz_reports_plain_facts_when_healthy(db):
    response = client_for().get("/healthz")
    assert response.status_code in (200, 503)
    assert_only_plain_facts(response.json())


@pytest.mark.parametrize("method", ["post", "put", "delete"])
def test_healthz_is_read_only(db, method):
    assert getattr(client_for(), method)("/healthz").status_code == 405

"""/healthz (per-component status, the worker heartbeat) and the production settings guard."""

from __future__ import annotations

import os
import secrets
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import OperationalError
from django.test import Client

ROOT = Path(__file__).resolve().parents[2]
STRONG_KEY = secrets.token_urlsafe(60)


def test_healthz_is_degraded_but_serving_when_redis_is_down(db, settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    response = Client().get("/healthz")
    body = response.json()
    # Submissions are still stored (and sent later): the web node must stay in the load balancer.
    assert response.status_code == 200, body
    assert body["status"] == "degraded"
    assert body["database"]["ok"] is True and body["redis"]["ok"] is False
    assert body["workers"] == {"ok": False, "count": 0, "slots": 0, "error": "redis down"}


def test_healthz_is_503_when_the_database_is_down(db, settings, monkeypatch):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"

    class DownDatabase:
        def cursor(self):  # type: ignore[no-untyped-def]
            raise OperationalError("connection refused")

    # Only the health check's view of the database fails: the test's own connection stays usable.
    monkeypatch.setattr("config.health.connection", DownDatabase())
    response = Client().get("/healthz")
    body = response.json()
    assert response.status_code == 503
    assert body["ok"] is False and body["status"] == "down"
    assert body["database"] == {"ok": False, "error": "OperationalError"}


@pytest.fixture
def private_redis(tmp_path, settings):  # type: ignore[no-untyped-def]
    from tests.stack import RedisServer

    if shutil.which("redis-server") is None:
        pytest.skip("redis-server is not installed")
    server = RedisServer(tmp_path / "redis")
    server.start()
    settings.REDIS_URL = server.url
    yield server
    server.stop()


def test_workers_count_from_heartbeats_and_only_a_working_sandbox_makes_them_ok(db, private_redis):
    from config.health import WorkerHeartbeat, health_report

    empty = {"ok": False, "count": 0, "slots": 0, "sandbox_unavailable": 0}
    assert health_report()["workers"] == empty
    broken = WorkerHeartbeat(name="w-broken@host", slots=2, interval=10)
    broken.sandbox = "unavailable: GraderUnavailable: no namespaces"
    broken.beat()
    report = health_report()
    assert report["status"] == "degraded"  # alive, but it cannot grade code
    assert report["workers"] == {"ok": False, "count": 1, "slots": 0, "sandbox_unavailable": 1}

    good = WorkerHeartbeat(name="w-good@host", slots=3, interval=10)
    good.sandbox = "ok"
    good.beat()
    report = health_report()
    assert report["status"] == "ok" and report["redis"] == {"ok": True, "queued_tasks": 0}
    assert report["workers"] == {"ok": True, "count": 2, "slots": 3, "sandbox_unavailable": 1}
    body = Client().get("/healthz").content.decode()
    assert "w-good" not in body and "namespaces" not in body  # public page: counts, not names or errors

    from config.health import workers_alive

    assert workers_alive() == {"w-broken@host", "w-good@host"}
    good.stop()  # a clean shutdown removes the key at once (no waiting for the expiry)
    assert health_report()["workers"]["count"] == 1
    assert workers_alive() == {"w-broken@host"}


def test_a_heartbeat_expires_after_three_missed_beats(db, private_redis):
    import redis
    from config.health import WorkerHeartbeat

    beat = WorkerHeartbeat(name="w-ttl@host", slots=1, interval=10)
    beat.beat()
    assert 25 <= redis.Redis.from_url(private_redis.url).ttl(beat.key) <= 30


def run_python(code: str, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "SECRET_KEY", "PYTEST_"))}
    clean.update(env, PYTHONPATH=f"{ROOT / 'platform'}{os.pathsep}{ROOT}", DJANGO_SETTINGS_MODULE="config.settings")
    command = [sys.executable, "-c", code] if code else [sys.executable, *args]
    return subprocess.run(command, env=clean, capture_output=True, text=True, timeout=120, cwd=ROOT)


def run_settings(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return run_python("import django; from django.conf import settings; settings.SECRET_KEY", env)


PRODUCTION = {"DJANGO_ENV": "production", "DJANGO_ALLOWED_HOSTS": "example.org", "DJANGO_SECRET_KEY": STRONG_KEY}


def test_production_refuses_to_start_without_a_secret_key():
    result = run_settings({"DJANGO_ENV": "production", "DJANGO_ALLOWED_HOSTS": "example.org"})
    assert result.returncode != 0 and "DJANGO_SECRET_KEY" in result.stderr


def test_production_refuses_a_weak_secret_key_and_missing_hosts():
    weak = run_settings({**PRODUCTION, "DJANGO_SECRET_KEY": "x" * 60})
    assert weak.returncode != 0 and "too weak" in weak.stderr
    no_hosts = run_settings({"DJANGO_ENV": "production", "DJANGO_SECRET_KEY": STRONG_KEY})
    assert no_hosts.returncode != 0 and "DJANGO_ALLOWED_HOSTS" in no_hosts.stderr


def test_production_refuses_debug_inprocess_grading_and_bad_booleans():
    assert run_settings(PRODUCTION).returncode == 0
    assert run_settings({**PRODUCTION, "DJANGO_DEBUG": "1"}).returncode != 0
    assert "DJANGO_DEBUG" in run_settings({**PRODUCTION, "DJANGO_DEBUG": "maybe"}).stderr
    assert "GRADER_EXECUTOR" in run_settings({**PRODUCTION, "GRADER_EXECUTOR": "inprocess"}).stderr


def test_check_deploy_is_clean_with_the_production_defaults(tmp_path):
    result = run_python("", {**PRODUCTION, "DLGRADE_VAR_DIR": str(tmp_path)},
                        str(ROOT / "manage.py"), "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_https_settings_follow_the_environment():
    show = ("from django.conf import settings as s; print(s.SECURE_SSL_REDIRECT, s.SESSION_COOKIE_SECURE, "
            "s.SECURE_HSTS_SECONDS, getattr(s, 'SECURE_PROXY_SSL_HEADER', None), s.SECURE_REDIRECT_EXEMPT)")
    strict = run_python(show, PRODUCTION)
    assert strict.stdout.split()[:3] == ["True", "True", "31536000"], strict.stderr
    behind = run_python(show, {**PRODUCTION, "DJANGO_BEHIND_PROXY": "1", "DJANGO_SSL_REDIRECT": "0",
                               "DJANGO_SECURE_COOKIES": "0", "DJANGO_HSTS_SECONDS": "0"})
    assert behind.stdout.startswith("False False 0 ('HTTP_X_FORWARDED_PROTO', 'https')"), behind.stderr
    assert "healthz" in behind.stdout  # the container health check is never redirected to HTTPS
    development = run_python(show, {})
    assert development.stdout.startswith("False False 0 None"), development.stderr


def test_the_migrations_match_the_models(db):
    from io import StringIO

    from django.core.management import call_command

    call_command("makemigrations", "--check", "--dry-run", stdout=StringIO())


def test_production_serves_collected_static_files_compressed_with_cache_headers(tmp_path):
    env = {**PRODUCTION, "DJANGO_ALLOWED_HOSTS": "testserver", "DLGRADE_VAR_DIR": str(tmp_path)}
    collected = run_python("", env, str(ROOT / "manage.py"), "collectstatic", "--noinput", "-v", "0")
    assert collected.returncode == 0, collected.stderr
    css = sorted((ROOT / "platform" / "static" / "css").glob("*.css"))[0].name
    fetch = (
        "import django; django.setup(); from django.test import Client; "
        f"r = Client().get('/static/css/{css}', HTTP_ACCEPT_ENCODING='gzip', secure=True); "
        "print(r.status_code, r.get('Content-Encoding'), r.get('Cache-Control'))"
    )
    result = run_python(fetch, env)
    status, encoding, cache_control = result.stdout.split(maxsplit=2)
    assert (status, encoding) == ("200", "gzip"), result.stdout + result.stderr
    assert "max-age" in cache_control

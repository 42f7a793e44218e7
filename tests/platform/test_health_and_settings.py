"""/healthz and the production settings guard."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from django.test import Client

ROOT = Path(__file__).resolve().parents[2]


def test_healthz_reports_each_dependency_and_503_when_redis_is_down(db, settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    response = Client().get("/healthz")
    body = response.json()
    assert response.status_code == 503
    assert body["database"]["ok"] is True and body["redis"]["ok"] is False and body["workers"]["ok"] is False


def run_settings(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "SECRET_KEY"))}
    clean.update(env, PYTHONPATH=f"{ROOT / 'platform'}{os.pathsep}{ROOT}")
    return subprocess.run(
        [sys.executable, "-c", "import django; from django.conf import settings; settings.SECRET_KEY"],
        env={**clean, "DJANGO_SETTINGS_MODULE": "config.settings"}, capture_output=True, text=True, timeout=60,
    )


def test_production_refuses_to_start_without_a_secret_key():
    result = run_settings({"DJANGO_ENV": "production", "DJANGO_ALLOWED_HOSTS": "example.org"})
    assert result.returncode != 0 and "DJANGO_SECRET_KEY" in result.stderr


def test_production_refuses_debug_and_bad_booleans():
    base = {"DJANGO_ENV": "production", "DJANGO_ALLOWED_HOSTS": "example.org", "DJANGO_SECRET_KEY": "x" * 50}
    assert run_settings(base).returncode == 0
    assert run_settings({**base, "DJANGO_DEBUG": "1"}).returncode != 0
    assert "DJANGO_DEBUG" in run_settings({**base, "DJANGO_DEBUG": "maybe"}).stderr


def test_the_migrations_match_the_models(db):
    from io import StringIO

    from django.core.management import call_command

    call_command("makemigrations", "--check", "--dry-run", stdout=StringIO())

"""A development server with DEBUG on must never show its pages to another machine: a DEBUG error
page carries settings, source code and data. And development answers only this machine's names."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client

ROOT = Path(__file__).resolve().parents[3]


@pytest.mark.django_db
def test_with_debug_on_another_machine_is_refused(settings):
    settings.DEBUG = True
    outside = Client(REMOTE_ADDR="192.0.2.10").get("/accounts/login/")
    assert outside.status_code == 403
    assert "only the machine it runs on" in outside.content.decode()
    missing = Client(REMOTE_ADDR="192.0.2.10").get("/no-such-page/")
    assert missing.status_code == 403 and b"URLconf" not in missing.content
    assert Client(REMOTE_ADDR="127.0.0.1").get("/accounts/login/").status_code == 200
    assert Client(REMOTE_ADDR="::1").get("/accounts/login/").status_code == 200


@pytest.mark.django_db
def test_with_debug_off_other_machines_are_served(settings):
    settings.DEBUG = False
    assert Client(REMOTE_ADDR="192.0.2.10").get("/accounts/login/").status_code == 200


def test_development_answers_only_this_machines_names():
    environment = {key: value for key, value in os.environ.items()
                   if key not in ("DJANGO_ALLOWED_HOSTS", "ALLOWED_HOSTS", "DJANGO_ENV")}
    environment["DJANGO_SETTINGS_MODULE"] = "config.settings"
    probe = "import django; django.setup(); from django.conf import settings; print(settings.ALLOWED_HOSTS)"
    out = subprocess.run([sys.executable, "-c", probe], cwd=ROOT / "platform", env=environment,
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    hosts = eval(out.stdout.strip())  # a printed list of strings
    assert "*" not in hosts and set(hosts) <= {"127.0.0.1", "localhost", "[::1]"}

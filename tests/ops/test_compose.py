"""docker-compose.yml cannot be started here (no Docker engine). These tests check that every
service it names is the same program the README's commands run without Docker: the worker line
matches scripts/run.sh, Celery and gunicorn accept the exact command lines, and every environment
variable the stack sets is one the settings read. (tests/ops/test_compose.py checks the basics.)
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
SERVICES = COMPOSE["services"]
APP_SERVICES = ("web", "worker", "beat")
# ${NAME:-default} / ${NAME:?message}: compose interpolation, resolved as compose would with an
# empty environment (defaults) or a placeholder (required values).
INTERPOLATION = re.compile(r"\$\{(\w+)(?::-([^}]*)|:\?[^}]*)?\}")


def interpolate(text: str) -> str:
    return INTERPOLATION.sub(lambda m: m.group(2) if m.group(2) is not None else f"<{m.group(1)}>", text)


def run_sh_worker_command() -> list[str]:
    """The worker command of scripts/run.sh, as argv after the celery executable."""
    script = (ROOT / "scripts" / "run.sh").read_text().replace("\\\n", " ")
    line = next(line for line in script.splitlines() if '"$CELERY"' in line and " worker " in line)
    tokens = shlex.split(line[line.index('"$CELERY"'):].split(">>")[0])
    return tokens[1:]


def option_pairs(argv: list[str]) -> dict[str, str]:
    return {argv[i]: argv[i + 1] for i in range(len(argv) - 1) if argv[i].startswith("-")}


def celery_context(argv: list[str]):  # type: ignore[no-untyped-def]
    """Parse a compose celery command with Celery's own CLI (validates every option)."""
    from celery.bin.base import CLIContext
    from celery.bin.beat import beat
    from celery.bin.worker import worker
    from config.celery import app

    assert argv[0] == "celery"
    globals_ = option_pairs(argv[1:5])
    assert globals_ == {"--workdir": "platform", "-A": "config"}, "run from platform/, like the README"
    assert (ROOT / globals_["--workdir"] / "config" / "celery.py").is_file()
    command = {"worker": worker, "beat": beat}[argv[5]]
    obj = CLIContext(app=app, no_color=True, workdir=globals_["--workdir"], quiet=True)
    return command.make_context(argv[5], [interpolate(arg) for arg in argv[6:]], obj=obj)


def test_the_stack_has_its_services_and_the_app_ones_share_one_image():
    assert {"postgres", "redis", "web", "worker", "beat"} <= set(SERVICES)
    assert {SERVICES[name]["image"] for name in APP_SERVICES} == {"dlgrade:latest"}


def test_the_worker_runs_the_command_of_scripts_run_sh():
    compose = SERVICES["worker"]["command"]
    local = run_sh_worker_command()
    compose_options, local_options = option_pairs(compose), option_pairs(local)
    for flag in ("-A", "--pool", "-Q"):
        assert compose_options[flag] == local_options[flag], flag
    # Both size the thread pool from GRADER_SLOTS (run.sh: "$GRADER_SLOTS", compose: ${GRADER_SLOTS:-2}).
    assert "GRADER_SLOTS" in compose_options["--concurrency"] and "GRADER_SLOTS" in local_options["--concurrency"]
    assert "worker" in compose and "worker" in local
    # run.sh starts it in platform/ (cd platform); compose says --workdir platform.
    assert "cd platform" in (ROOT / "scripts" / "run.sh").read_text()


def test_celery_accepts_the_worker_and_beat_command_lines():
    worker = celery_context(SERVICES["worker"]["command"]).params
    assert worker["pool"].__module__ == "celery.concurrency.thread"
    assert worker["concurrency"] == 2 and worker["queues"] == ["grading", "celery"]
    beat = celery_context(SERVICES["beat"]["command"]).params
    assert beat["schedule"].startswith("/tmp/")  # beat runs as an unprivileged user: a writable path
    with pytest.raises(Exception, match="thredz"):
        celery_context(["celery", "--workdir", "platform", "-A", "config", "worker", "--pool", "thredz"])


def test_gunicorn_loads_the_web_command_of_the_stack():
    command = interpolate(SERVICES["web"]["command"])
    assert "migrate --noinput" in command and "load_assignments" in command
    argv = shlex.split(command[command.index("gunicorn"):].strip().rstrip('"'))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PYTEST_"))}
    # --check-config imports config.wsgi (hence the settings and every app) and exits.
    result = subprocess.run(
        [str(Path(sys.executable).with_name("gunicorn")), "--check-config", *argv[1:]],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert option_pairs(argv)["--chdir"] == "platform" and "config.wsgi:application" in argv


def test_static_files_are_collected_into_the_image_with_production_settings():
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "collectstatic" in dockerfile and "DJANGO_ENV=production" in dockerfile
    settings_source = (ROOT / "platform" / "config" / "settings.py").read_text()
    assert "whitenoise.middleware.WhiteNoiseMiddleware" in settings_source


def test_every_variable_the_stack_sets_is_read_by_the_settings():
    settings_source = (ROOT / "platform" / "config" / "settings.py").read_text()
    env = SERVICES["web"]["environment"]
    assert env == SERVICES["worker"]["environment"] == SERVICES["beat"]["environment"]
    unknown = [name for name in env if name != "DJANGO_SETTINGS_MODULE" and f'"{name}"' not in settings_source]
    assert unknown == []
    for secret in ("DJANGO_SECRET_KEY", "DATABASE_URL"):
        assert ":?" in env[secret], f"a missing {secret} must stop the stack"
    assert env["DJANGO_ENV"] == "production"


def test_the_worker_gets_what_the_sandbox_needs_and_nothing_else_does():
    worker = SERVICES["worker"]
    assert {"SYS_ADMIN", "SETUID", "SETGID"} <= set(worker["cap_add"])
    assert {"seccomp=unconfined", "apparmor=unconfined"} <= set(worker["security_opt"])
    assert worker["cgroup"] == "host" and "/sys/fs/cgroup:/sys/fs/cgroup:rw" in worker["volumes"]
    assert "user" not in worker  # root inside: setresuid to the slot uids
    for name in ("web", "beat"):
        assert "cap_add" not in SERVICES[name] and "security_opt" not in SERVICES[name]
        assert SERVICES[name]["user"] == "dlgrade"
    assert "useradd" in (ROOT / "Dockerfile").read_text() and "dlgrade" in (ROOT / "Dockerfile").read_text()


def test_long_running_services_have_health_checks_that_match_the_code():
    for name in ("postgres", "redis", "web", "worker"):
        assert SERVICES[name]["healthcheck"]["test"], name
    assert "/healthz" in " ".join(SERVICES["web"]["healthcheck"]["test"])
    from config.health import HEARTBEAT_PREFIX

    # The worker's check reads the heartbeat key the worker writes (default name celery@<hostname>).
    assert f"'{HEARTBEAT_PREFIX}celery@'" in " ".join(SERVICES["worker"]["healthcheck"]["test"])


def test_deploy_docs_exist_and_cover_scaling_and_the_sandbox():
    text = (ROOT / "docs" / "DEPLOY.md").read_text()
    for topic in ("docker compose up", "worker", "CAP_SYS_ADMIN", "cgroup", "REDIS_URL", "DATABASE_URL"):
        assert topic in text, topic

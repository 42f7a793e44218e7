"""docker-compose.yml cannot be started here (no Docker engine): keep it valid by parsing it."""

from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]


def load():
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_the_stack_names_every_service():
    assert set(load()["services"]) == {"postgres", "redis", "web", "worker", "beat"}


def test_app_services_share_one_image_and_need_their_secrets():
    services = load()["services"]
    for name in ("web", "worker", "beat"):
        env = services[name]["environment"]
        assert services[name]["image"] == "dlgrade:latest"
        assert ":?" in env["DJANGO_SECRET_KEY"], "a missing secret must stop the stack"
        assert env["DATABASE_URL"].startswith("postgres://")
        assert env["REDIS_URL"] == "redis://redis:6379/0"
        assert set(services[name]["depends_on"]) == {"postgres", "redis"}


def test_the_worker_gets_what_the_sandbox_needs():
    worker = load()["services"]["worker"]
    assert "SYS_ADMIN" in worker["cap_add"]
    assert "seccomp=unconfined" in worker["security_opt"]


def test_commands_point_at_things_that_exist():
    assert (ROOT / "Dockerfile").is_file()
    assert (ROOT / "manage.py").is_file()
    assert (ROOT / "platform" / "config" / "wsgi.py").is_file()
    assert (ROOT / "platform" / "config" / "celery.py").is_file()
    web = load()["services"]["web"]["command"]
    assert "config.wsgi:application" in web and "load_assignments" in web

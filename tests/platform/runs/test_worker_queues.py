"""The `run` queue has a worker of its own wherever workers are started (scripts/run.sh, the
compose stack), with the sandbox needs of the grading worker; the test stack's worker takes it too."""

from __future__ import annotations

import shlex
from pathlib import Path

import yaml
from config.celery import app

ROOT = Path(__file__).resolve().parents[3]


def test_execute_run_goes_to_the_run_queue():
    app.loader.import_default_modules()
    assert app.conf.task_routes["runs.tasks.execute_run"] == {"queue": "run"}
    assert app.tasks["runs.tasks.execute_run"].queue == "run"


def test_run_sh_starts_a_worker_for_the_run_queue_only():
    script = (ROOT / "scripts" / "run.sh").read_text().replace("\\\n", " ")
    workers = [line for line in script.splitlines() if '"$CELERY"' in line and " worker " in line]
    assert len(workers) == 2
    grading, running = (shlex.split(line[line.index('"$CELERY"'):].split(">>")[0]) for line in workers)
    assert grading[grading.index("-Q") + 1] == "grading,celery"  # a burst there never blocks runs
    assert running[running.index("-Q") + 1] == "run" and running[running.index("-n") + 1] == "run@%h"


def test_the_compose_stack_has_a_sandboxed_run_worker():
    services = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]
    worker, runner = services["worker"], services["worker-run"]
    command = runner["command"]
    assert command[command.index("-Q") + 1] == "run" and command[command.index("-n") + 1] == "run@%h"
    for key in ("image", "cap_add", "security_opt", "cgroup", "volumes", "init"):
        assert runner[key] == worker[key], key
    assert {k: v for k, v in runner["environment"].items() if k != "GRADER_SLOTS"} == \
        {k: v for k, v in worker["environment"].items() if k != "GRADER_SLOTS"}
    assert "'dlgrade:worker:run@'" in " ".join(runner["healthcheck"]["test"])


def test_the_test_stacks_worker_takes_runs_too():
    assert '"grading,celery,run"' in (ROOT / "tests" / "stack.py").read_text()


def test_celery_accepts_the_run_worker_command_line():
    from tests.ops.test_compose import celery_context

    services = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]
    params = celery_context(services["worker-run"]["command"]).params
    assert params["queues"] == ["run"] and params["concurrency"] == 1
    assert params["pool"].__module__ == "celery.concurrency.thread"

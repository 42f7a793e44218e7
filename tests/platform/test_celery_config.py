"""The Celery settings the pipeline relies on (a lost worker must never lose a submission)."""

from __future__ import annotations

from config.celery import app


def test_tasks_are_acknowledged_late_and_requeued_when_the_worker_dies():
    assert app.conf.task_acks_late is True
    assert app.conf.task_reject_on_worker_lost is True
    assert app.conf.worker_prefetch_multiplier == 1


def test_grading_has_its_own_queue_and_beat_runs_the_sweeper_every_30_seconds():
    assert app.conf.task_routes["submissions.tasks.grade_submission"] == {"queue": "grading"}
    assert app.conf.task_routes["runs.tasks.execute_run"] == {"queue": "run"}  # its own worker
    sweep = app.conf.beat_schedule["sweep-jobs"]
    assert sweep["task"] == "core.tasks.sweep_jobs" and sweep["schedule"] == 30.0
    app.loader.import_default_modules()
    assert {"submissions.tasks.grade_submission", "core.tasks.sweep_jobs"} <= set(app.tasks)


def test_every_job_table_names_a_registered_task_and_a_retry_policy():
    from core.jobs import job_tables

    app.loader.import_default_modules()
    tables = job_tables()
    assert {table.model.__name__ for table in tables} == {"Submission", "RegradeItem", "AuthoringRun", "LtiGradeSync",
                                                           "CodeRun", "OutboundEmail"}
    for table in tables:
        assert table.task in app.tasks, table
        assert table.retry().max_tries >= 1 and table.lost_message


def test_every_beat_entry_names_a_registered_task():
    app.loader.import_default_modules()
    for name, entry in app.conf.beat_schedule.items():
        assert entry["task"] in app.tasks, name


def test_queue_names_have_one_home_that_the_settings_jobs_and_workers_agree_with():
    """core/queues.py names the queues; the settings, every job table, the follow-ups and the
    workers started outside Python (run.sh, docker-compose.yml) all use those names."""
    import re
    from pathlib import Path

    from core import queues
    from core.jobs import job_tables
    from submissions.services import fingerprints, references

    assert app.conf.task_default_queue == queues.DEFAULT_QUEUE
    assert app.conf.task_routes["submissions.tasks.grade_submission"] == {"queue": queues.GRADING_QUEUE}
    assert app.conf.task_routes["runs.tasks.execute_run"] == {"queue": queues.RUN_QUEUE}
    by_policy = {table.model.__name__: (table.policy, table.queue) for table in job_tables()}
    for name, (policy, queue) in by_policy.items():  # the sandbox's jobs on the grading queue
        expected = {"sandbox": queues.GRADING_QUEUE, "run": queues.RUN_QUEUE}.get(policy, queues.DEFAULT_QUEUE)
        assert queue == expected, name
    app.loader.import_default_modules()
    for task in ("authoring.tasks.run_draft", "scoring.tasks.regrade_item"):
        assert app.tasks[task].queue == queues.GRADING_QUEUE, task
    assert app.tasks["runs.tasks.execute_run"].queue == queues.RUN_QUEUE
    for module in (fingerprints, references):  # no queue name of their own any more
        assert not hasattr(module, "QUEUE"), module.__name__
    root = Path(__file__).resolve().parents[2]
    grading = ",".join(queues.GRADING_WORKER_QUEUES)
    run_sh = (root / "scripts" / "run.sh").read_text()
    compose = (root / "docker-compose.yml").read_text()
    assert re.findall(r"-Q (\S+)", run_sh) == [grading, queues.RUN_QUEUE]
    assert re.findall(r'"-Q", "([^"]+)"', compose) == [grading, queues.RUN_QUEUE]

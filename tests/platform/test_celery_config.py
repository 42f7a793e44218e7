"""The Celery settings the pipeline relies on (a lost worker must never lose a submission)."""

from __future__ import annotations

from config.celery import app


def test_tasks_are_acknowledged_late_and_requeued_when_the_worker_dies():
    assert app.conf.task_acks_late is True
    assert app.conf.task_reject_on_worker_lost is True
    assert app.conf.worker_prefetch_multiplier == 1


def test_grading_has_its_own_queue_and_beat_runs_the_sweeper_every_30_seconds():
    assert app.conf.task_routes["submissions.tasks.grade_submission"] == {"queue": "grading"}
    sweep = app.conf.beat_schedule["sweep-stuck-submissions"]
    assert sweep["task"] == "submissions.tasks.sweep_submissions" and sweep["schedule"] == 30.0
    app.loader.import_default_modules()
    assert {"submissions.tasks.grade_submission", "submissions.tasks.sweep_submissions"} <= set(app.tasks)


def test_every_beat_entry_names_a_registered_task():
    app.loader.import_default_modules()
    for name, entry in app.conf.beat_schedule.items():
        assert entry["task"] in app.tasks, name

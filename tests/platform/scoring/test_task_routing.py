"""The regrade task runs student code, so it must land on the sandbox workers' ``grading`` queue
(the worker command, ``-Q grading,celery``, stays as it is)."""

from __future__ import annotations

from config.celery import app
from scoring.tasks import regrade_item


def test_the_regrade_task_is_registered_and_routed_to_the_grading_queue():
    app.loader.import_default_modules()
    assert "scoring.tasks.regrade_item" in app.tasks
    route = app.amqp.router.route({"queue": regrade_item.queue}, "scoring.tasks.regrade_item", (1,), {})
    assert route["queue"].name == "grading"
    assert regrade_item.acks_late is True

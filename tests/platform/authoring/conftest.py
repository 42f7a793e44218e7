"""Authoring runs are graded by the workers: here the worker's own code runs at once, in-process,
when a run is sent (after the request's transaction commits)."""

from __future__ import annotations

import pytest


class InlineWorker:
    def __init__(self) -> None:
        self.sent: list[int] = []
        self.paused = False  # True: runs are only recorded, as when no worker is up

    def apply_async(self, args: list[int], **_: object) -> None:
        from authoring.worker import authoring_run_grade

        self.sent.append(args[0])
        if not self.paused:
            authoring_run_grade(run_id=args[0], worker="test-worker/1")


@pytest.fixture
def workers(monkeypatch: pytest.MonkeyPatch) -> InlineWorker:
    from authoring import tasks

    worker = InlineWorker()
    monkeypatch.setattr(tasks.run_draft, "apply_async", worker.apply_async)
    return worker

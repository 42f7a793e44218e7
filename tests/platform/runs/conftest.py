"""Runs in unit tests: the broker is a recorder (``run_queue``), and ``fake_grader`` stands in for
``grader.run`` (run_code / expected_examples) with the result shape the grader promises."""

from __future__ import annotations

from typing import Any

import pytest


class RunQueue:
    def __init__(self) -> None:
        self.sent: list[int] = []
        self.queues: list[str | None] = []
        self.down = False

    def apply_async(self, args: list[int], queue: str | None = None, **_: object) -> None:
        if self.down:
            from kombu.exceptions import OperationalError

            raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")
        self.sent.append(args[0])
        self.queues.append(queue)


@pytest.fixture(autouse=True)
def run_queue(monkeypatch: pytest.MonkeyPatch) -> RunQueue:
    from runs import tasks

    fake = RunQueue()
    monkeypatch.setattr(tasks.execute_run, "apply_async", fake.apply_async)
    return fake


def array(values: list[float], shape: list[int]) -> dict[str, Any]:
    return {"shape": shape, "dtype": "float64", "text": "[" + " ".join(f"{v:g}." for v in values) + "]",
            "size": len(values), "min": min(values), "max": max(values)}


def ok_result(**overrides: Any) -> dict[str, Any]:
    result: dict[str, Any] = {
        "termination": "ok", "message": None, "output": "hello from print\n", "output_truncated": False,
        "error": None,
        "examples": [{
            "name": "small", "title": {"ko": "작은 예", "en": "A small example"}, "passed": True, "error": None,
            "arrays": [{"key": "out", "label": {"ko": "출력", "en": "out"}, "student": array([2.0, 4.0], [2]),
                        "expected": array([2.0, 4.0], [2]), "match": True}],
        }],
        "scratch": {"ran": True, "value": array([0.0, 15.0], [1, 1, 4, 4]), "error": None},
        "ms": 12.5,
    }
    result.update(overrides)
    return result


class FakeGrader:
    """Records every call; answers ``result`` (a dict, or a callable of the code, or an exception)."""

    def __init__(self) -> None:
        self.calls: list[dict[str, Any]] = []
        self.expected_calls = 0
        self.result: Any = ok_result()

    def run_code(self, question: Any, code: str, scratch: str, *, executor: Any, seed: int,
                 expected: dict[str, Any] | None = None) -> dict[str, Any]:
        self.calls.append({"question": question, "code": code, "scratch": scratch, "seed": seed,
                           "expected": expected})
        if isinstance(self.result, BaseException):
            raise self.result
        return self.result(code) if callable(self.result) else self.result

    def expected_examples(self, question: Any, *, executor: Any) -> dict[str, Any]:
        self.expected_calls += 1
        return {"small": {"out": array([2.0, 4.0], [2])}}


@pytest.fixture
def fake_grader(monkeypatch: pytest.MonkeyPatch, settings) -> FakeGrader:  # type: ignore[no-untyped-def]
    from runs import worker

    settings.GRADER_EXECUTOR = "inprocess"
    fake = FakeGrader()
    monkeypatch.setattr(worker, "grader_functions", lambda: (fake.run_code, fake.expected_examples))
    return fake


def post_json(client, url: str, body: object):  # type: ignore[no-untyped-def]
    import json

    return client.post(url, data=json.dumps(body), content_type="application/json")

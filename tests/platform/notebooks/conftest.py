"""Chapter 7 loaded into the test course, the Run button's cache of expected example values, and
helpers to download and read notebooks."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path
from typing import Any

import nbformat
import pytest
from assessments.loading import bundle_load
from assessments.models import Assignment, Question
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

ROOT = Path(__file__).resolve().parents[3]
CH07 = ROOT / "assignments" / "ch07-cnn"
CODE_SLUGS = ("convolution", "pooling", "simple-convnet")


def reference(slug: str) -> str:
    return (CH07 / "questions" / slug / "reference.py").read_text(encoding="utf-8")


def template(slug: str) -> str:
    return (CH07 / "questions" / slug / "template.py").read_text(encoding="utf-8")


@pytest.fixture
def ch07(course) -> Assignment:  # type: ignore[no-untyped-def]
    bundle_load(path=CH07, course=course)
    return Assignment.objects.get(course=course, slug="ch07-cnn")


@pytest.fixture
def convolution(ch07: Assignment) -> Question:
    return ch07.questions.get(slug="convolution")


def client_for(user: Any) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def download(user: Any, question: Question, lang: str = "en") -> Any:
    client = client_for(user)
    response = client.get(reverse("notebooks:question", args=[question.pk]), HTTP_ACCEPT_LANGUAGE=lang)
    assert response.status_code == 200, response.content[:300]
    return nbformat.reads(response.content.decode("utf-8"), as_version=4)


def written_files(notebook: Any) -> dict[str, str]:
    """What the notebook's setup cell writes (its _DLGRADE_FILES literal), read without running it."""
    import ast

    setup = next(cell for cell in notebook.cells if "dlgrade:setup" in cell.metadata.get("tags", []))
    tree = ast.parse(setup.source)
    for node in tree.body:
        if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", "") == "_DLGRADE_FILES":
            return ast.literal_eval(node.value)
    raise AssertionError("no _DLGRADE_FILES in the setup cell")


def zip_names(content: bytes) -> dict[str, str]:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return {name: archive.read(name).decode("utf-8") for name in archive.namelist()}


@pytest.fixture
def expected_cached(settings):  # type: ignore[no-untyped-def]
    """Put the reference's results on a question's examples where the Run button's worker puts
    them (``runs:expected:<content_hash>``): computed here, in the test process, in-process."""
    settings.GRADER_EXECUTOR = "inprocess"

    def put(question: Question) -> None:
        from core.executor import code_question_cached, executor_get

        from grader.run import expected_examples
        from grader.sanitize import json_safe

        version = question.current_version
        code = code_question_cached(version.content_hash, version.as_source)
        data = json_safe(expected_examples(code, executor=executor_get()))
        cache.set(f"runs:expected:{version.content_hash}", json.loads(json.dumps(data)))

    return put

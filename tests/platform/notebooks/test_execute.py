"""The notebook runs as it is: executed here by a real Jupyter kernel (nbclient + ipykernel) in an
empty folder, as a student would in Jupyter or Colab. With the template the self-check says "not
implemented"; with the reference pasted into the tagged cell it passes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import nbformat
import pytest
from django.urls import reverse

from tests.platform.notebooks.conftest import client_for, download, reference

nbclient = pytest.importorskip("nbclient", reason="nbclient is not installed (requirements-dev.txt)")
pytest.importorskip("ipykernel", reason="ipykernel is not installed (requirements-dev.txt)")


def execute(notebook: Any, folder: Path) -> str:
    """Run every cell; the text every cell printed, joined."""
    from jupyter_client.kernelspec import NoSuchKernel

    client = nbclient.NotebookClient(notebook, timeout=120, kernel_name="python3", allow_errors=True,
                                     resources={"metadata": {"path": str(folder)}})
    try:
        client.execute()
    except (NoSuchKernel, RuntimeError) as error:  # no kernel could start here: say why
        pytest.skip(f"a Jupyter kernel cannot start on this machine: {error}")
    lines = []
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            if output.get("output_type") == "stream":
                lines.append(output["text"])
            elif output.get("output_type") == "error":
                lines.append(f"ERROR {output['ename']}: {output['evalue']}")
    return "".join(lines)


def paste(notebook: Any, slug: str, code: str) -> None:
    for cell in notebook.cells:
        if f"dlgrade:{slug}" in cell.metadata.get("tags", []):
            cell.source = code


def test_the_template_runs_and_the_self_check_fails(student, convolution, expected_cached, tmp_path):
    expected_cached(convolution)
    output = execute(download(student, convolution), tmp_path)
    assert (tmp_path / "common" / "util.py").is_file()
    assert "not implemented yet (Convolution.__init__)" in output
    assert "[dlgrade self-check] FAIL 0/3" in output
    assert "ERROR" not in output  # nothing crashes: every failure is a line of the self-check


def test_the_reference_passes_the_self_check(student, convolution, expected_cached, tmp_path):
    expected_cached(convolution)
    notebook = download(student, convolution)
    paste(notebook, "convolution", reference("convolution"))
    output = execute(notebook, tmp_path)
    assert "[dlgrade self-check] PASS 3/3" in output, output[-3000:]
    assert "ERROR" not in output


def test_without_expected_values_it_runs_and_points_to_the_run_panel(student, convolution, tmp_path):
    notebook = download(student, convolution)
    paste(notebook, "convolution", reference("convolution"))
    output = execute(notebook, tmp_path)
    assert "[dlgrade self-check] RAN 3" in output
    assert "out (1, 1, 2, 2)" in output  # the shapes are shown
    assert "Run panel" in output


def test_the_whole_assignment_with_every_reference_passes(student, ch07, expected_cached, tmp_path):
    """simple-convnet imports Convolution and Pooling from common.layers: offline they are the
    student's own, from the cells above (the textbook's are withheld)."""
    questions = list(ch07.questions.filter(kind="code"))
    for question in questions:
        expected_cached(question)
    response = client_for(student).get(reverse("notebooks:assignment", args=[ch07.course_id, ch07.pk]))
    notebook = nbformat.reads(response.content.decode(), as_version=4)
    for slug in ("convolution", "pooling", "simple-convnet"):
        paste(notebook, slug, reference(slug))
    output = execute(notebook, tmp_path)
    assert output.count("[dlgrade self-check] PASS") == 3, output[-4000:]
    assert "ERROR" not in output


def test_simple_convnet_alone_asks_for_your_own_convolution(student, ch07, expected_cached, tmp_path):
    question = ch07.questions.get(slug="simple-convnet")
    expected_cached(question)
    notebook = download(student, question)
    paste(notebook, "simple-convnet", reference("simple-convnet"))
    output = execute(notebook, tmp_path)
    assert "ImportError: Convolution: run the cell with your own Convolution first" in output

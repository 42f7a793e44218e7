"""Notebooks in a real browser: a student downloads chapter 7's `convolution` as a notebook, puts
a solution into its tagged cell (as they would in Jupyter or Colab), uploads it on the question
page and finds the code in the editor, ready to review and submit; a broken file says why (in
Korean); the assignment page offers every code question as one notebook."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.e2e

TAG = "dlgrade:convolution"


def editor_code(page: Any) -> str:
    return page.evaluate("() => window.__editor.getCode()")


def download_to(page: Any, selector: str, folder: Path) -> Path:
    with page.expect_download() as info:
        page.click(selector)
    download = info.value
    target = folder / download.suggested_filename
    download.save_as(str(target))
    return target


def test_download_edit_upload_and_the_code_is_in_the_editor(
    page: Any, demo: dict, log_in: Any, code_page: Any, convolution_solution: str, tmp_path: Path,
) -> None:
    import nbformat
    from submissions.models import Draft, Submission

    log_in()
    question = code_page("convolution")
    page.click("#notebook-tools summary")
    path = download_to(page, "#notebook-download", tmp_path)
    assert path.name == "ch07-cnn-convolution.ipynb"
    notebook = nbformat.read(str(path), as_version=4)
    nbformat.validate(notebook)
    (cell,) = [cell for cell in notebook.cells if TAG in cell.metadata.get("tags", [])]
    assert cell.source == editor_code(page)  # no draft yet: the template, as in the editor
    assert any("템플릿" in c.source for c in notebook.cells if c.cell_type == "markdown")  # the page's language

    cell.source = convolution_solution
    nbformat.write(notebook, str(path))
    page.on("dialog", lambda dialog: dialog.accept())  # "replace the code in the editor?"
    page.set_input_files("#notebook-file", str(path))
    page.wait_for_function(
        "() => document.getElementById('notebook-status').textContent.includes('제출')", timeout=15_000)
    assert editor_code(page) == convolution_solution.rstrip() + "\n"
    assert not page.eval_on_selector("#notebook-status", "el => el.classList.contains('error')")
    # loaded, not submitted: the student reviews it and presses Submit as usual
    assert not Submission.objects.filter(user=demo["student"], question=question).exists()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:  # the draft saver keeps it like any edit
        draft = Draft.objects.filter(user=demo["student"], question=question).first()
        if draft is not None and draft.code == editor_code(page):
            break
        time.sleep(0.2)
    else:
        pytest.fail("the loaded code was not saved as the draft")
    assert page.js_errors == []


def test_a_broken_notebook_says_why_and_leaves_the_editor_alone(
    page: Any, demo: dict, log_in: Any, code_page: Any, tmp_path: Path,
) -> None:
    log_in()
    code_page("convolution")
    before = editor_code(page)
    broken = tmp_path / "broken.ipynb"
    broken.write_text("{ this is not json", encoding="utf-8")
    page.click("#notebook-tools summary")
    page.set_input_files("#notebook-file", str(broken))
    page.wait_for_selector("#notebook-status.error", timeout=15_000)
    assert "JSON" in page.inner_text("#notebook-status")
    assert "노트북" in page.inner_text("#notebook-status")
    assert editor_code(page) == before


def test_the_assignment_page_downloads_every_code_question(
    page: Any, demo: dict, log_in: Any, open_question: Any, tmp_path: Path,
) -> None:
    import nbformat
    from django.urls import reverse

    log_in()
    question = open_question("convolution")
    assignment = question.assignment
    page.goto(reverse("assessments:assignment", args=[assignment.course_id, assignment.pk]))
    path = download_to(page, "#assignment-notebook", tmp_path)
    notebook = nbformat.read(str(path), as_version=4)
    tags = {tag for cell in notebook.cells for tag in cell.metadata.get("tags", [])}
    assert {"dlgrade:convolution", "dlgrade:pooling", "dlgrade:simple-convnet"} <= tags

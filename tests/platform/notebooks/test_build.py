"""The downloaded notebook: valid nbformat 4, the tagged code cell (draft or template), the public
examples and self-check, the textbook helpers it writes (only what the question offers, never
another exercise's solution), the common.zip, and its language."""

from __future__ import annotations

import ast
import json

import nbformat
from django.urls import reverse
from django.utils import timezone
from submissions.models import Draft

from tests.platform.notebooks.conftest import (
    client_for,
    download,
    template,
    written_files,
    zip_names,
)


def _tagged(notebook, slug):  # type: ignore[no-untyped-def]
    return [cell for cell in notebook.cells if f"dlgrade:{slug}" in cell.metadata.get("tags", [])]


def test_the_notebook_is_valid_nbformat_4_with_a_python_kernel(student, convolution):
    notebook = download(student, convolution)
    nbformat.validate(notebook)
    assert notebook.nbformat == 4
    assert notebook.metadata.kernelspec.name == "python3"
    assert notebook.metadata.dlgrade.questions == ["convolution"]
    for cell in notebook.cells:
        if cell.cell_type == "code":
            ast.parse(cell.source)  # every code cell is plain Python: Jupyter and Colab run it as it is


def test_the_template_is_one_code_cell_tagged_for_the_question(student, convolution):
    notebook = download(student, convolution)
    (cell,) = _tagged(notebook, "convolution")
    assert cell.source == template("convolution")
    assert cell.metadata.dlgrade == {"question": "convolution", "source": "template"}
    assert any("starter template" in c.source for c in notebook.cells if c.cell_type == "markdown")


def test_the_students_draft_replaces_the_template_and_says_so(student, fellow, convolution):
    Draft.objects.create(user=student, question=convolution, code="# my draft\nclass Convolution:\n    pass\n",
                         saved_at=timezone.now())
    notebook = download(student, convolution)
    (cell,) = _tagged(notebook, "convolution")
    assert cell.source.startswith("# my draft")
    assert cell.metadata.dlgrade["source"] == "draft"
    assert any("your draft saved on the site" in c.source for c in notebook.cells if c.cell_type == "markdown")
    # another member gets their own (here: the template), never someone else's draft
    (other,) = _tagged(download(fellow, convolution), "convolution")
    assert other.source == template("convolution")


def test_the_prompt_follows_the_pages_language(student, convolution):
    english = download(student, convolution, lang="en")
    korean = download(student, convolution, lang="ko")
    assert "Implement a convolution layer" in english.cells[2].source
    assert "합성곱" in korean.cells[2].source
    assert any("템플릿" in cell.source or "초안" in cell.source for cell in korean.cells if cell.cell_type == "markdown")


def test_public_examples_and_a_self_check_are_cells(student, convolution):
    notebook = download(student, convolution)
    sources = [cell.source for cell in notebook.cells if cell.cell_type == "code"]
    for name in ("worked-example", "bias-and-padding", "batch-channels-stride"):
        assert f"dlgrade.show('convolution', {name!r}, globals())" in sources
    assert "dlgrade.check('convolution', globals())" in sources


def test_the_notebook_writes_only_the_offered_textbook_modules(student, convolution):
    files = written_files(download(student, convolution))
    assert {path for path in files if path.startswith("common/")} == {
        "common/__init__.py", "common/util.py", "common/functions.py", "common/layers.py"}
    assert "def im2col" in files["common/util.py"]
    assert "class Convolution" not in files["common/layers.py"]  # the exercise itself is never offered
    # the example runner carries the example probes, not the graded ones nor the reference
    probes = files["dlgrade_examples_convolution.py"]
    assert "def example_forward(" in probes and "def _inputs(" in probes
    assert "def gradcheck(" not in probes and "faulty_part" not in probes and "grader" not in probes
    runtime = files["dlgrade_notebook.py"]
    assert "im2col(x, FH, FW" not in runtime  # no reference code in the runner


def test_another_exercises_solution_is_withheld_from_simple_convnet(student, ch07):
    question = ch07.questions.get(slug="simple-convnet")
    files = written_files(download(student, question))
    layers = files["common/layers.py"]
    assert "class Affine" in layers and "class Relu" in layers
    # layers_conv (the textbook's Convolution and Pooling) solves the convolution and pooling questions
    assert "class Convolution" not in layers and "class Pooling" not in layers
    assert "_DLGRADE_YOURS = ['Convolution', 'Pooling']" in layers
    assert "common/gradient.py" in files


def test_expected_values_are_embedded_only_when_the_site_has_them(student, convolution, expected_cached):
    def data(notebook):  # type: ignore[no-untyped-def]
        runtime = written_files(notebook)["dlgrade_notebook.py"]
        line = next(line for line in runtime.splitlines() if line.startswith("QUESTIONS = json.loads("))
        return json.loads(ast.literal_eval(line[len("QUESTIONS = json.loads("):-1]))["convolution"]

    assert data(download(student, convolution))["expected"] is None
    expected_cached(convolution)
    with_values = data(download(student, convolution))
    assert with_values["expected"]["worked-example"]["out"] == [[[[19.0, 24.0], [26.0, 17.0]]]]
    assert with_values["examples"][0]["args"]["x"] == [[[[3, 3, 2], [0, 5, 1], [4, 2, 2]]]]


def test_the_common_zip_holds_the_offered_modules(student, ch07):
    client = client_for(student)
    response = client.get(reverse("notebooks:common", args=[ch07.questions.get(slug="pooling").pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert set(zip_names(response.content)) == {
        "common/__init__.py", "common/util.py", "common/functions.py", "common/layers.py"}
    simple = zip_names(client.get(reverse("notebooks:common", args=[ch07.questions.get(slug="simple-convnet").pk])).content)
    assert "common/gradient.py" in simple and "class Pooling" not in simple["common/layers.py"]


def test_the_whole_assignment_is_one_notebook_of_its_code_questions(student, ch07):
    client = client_for(student)
    response = client.get(reverse("notebooks:assignment", args=[ch07.course_id, ch07.pk]))
    assert response.status_code == 200
    assert 'filename="ch07-cnn.ipynb"' in response["Content-Disposition"]
    notebook = nbformat.reads(response.content.decode(), as_version=4)
    nbformat.validate(notebook)
    assert notebook.metadata.dlgrade.questions == ["convolution", "pooling", "simple-convnet"]
    for slug in ("convolution", "pooling", "simple-convnet"):
        assert len(_tagged(notebook, slug)) == 1
    assert sum("dlgrade:setup" in cell.metadata.get("tags", []) for cell in notebook.cells) == 1


def test_the_pages_link_to_the_downloads(student, ch07, convolution):
    client = client_for(student)
    page = client.get(reverse("assessments:question", args=[convolution.pk])).content.decode()
    assert reverse("notebooks:question", args=[convolution.pk]) in page
    assert reverse("notebooks:extract", args=[convolution.pk]) in page
    listing = client.get(reverse("assessments:assignment", args=[ch07.course_id, ch07.pk])).content.decode()
    assert reverse("notebooks:assignment", args=[ch07.course_id, ch07.pk]) in listing

"""Code out of an uploaded notebook: the tagged cells, else the cells defining the question's
class (with the imports they need); refusals that say what is wrong; hostile files that are read
as data only (outputs, widgets and markdown never become code, nothing is executed)."""

from __future__ import annotations

import json
from typing import Any

import nbformat
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from nbformat import v4

from notebooks.extract import MAX_UPLOAD_BYTES, NotebookRefused, notebook_extract_code
from tests.platform.notebooks.conftest import client_for, download, reference, template

CONV = template("convolution")


@pytest.fixture(autouse=True)
def _english():  # type: ignore[no-untyped-def]
    """The refusals are read in English here, whatever language an earlier test left active."""
    from django.utils import translation

    with translation.override("en"):
        yield


def notebook_bytes(*cells: Any, version: int = 4) -> bytes:
    notebook = v4.new_notebook(cells=list(cells))
    notebook.nbformat = version
    return nbformat.writes(notebook).encode() if version == 4 else json.dumps(notebook).encode()


def tagged(source: str, tag: str = "dlgrade:convolution") -> Any:
    cell = v4.new_code_cell(source)
    cell.metadata["tags"] = [tag]
    return cell


def extract(raw: bytes, filename: str = "work.ipynb") -> Any:
    return notebook_extract_code(raw=raw, filename=filename, slug="convolution", template=CONV)


def test_tagged_cells_are_the_submission_in_order():
    raw = notebook_bytes(v4.new_code_cell("print('scratch')"), tagged("import numpy as np"),
                         v4.new_markdown_cell("class Convolution: pass"), tagged("class Convolution:\n    pass"))
    result = extract(raw)
    assert result.how == "tagged" and result.cells == 2
    assert result.code == "import numpy as np\n\n\nclass Convolution:\n    pass\n"
    assert "scratch" not in result.code


def test_untagged_cells_are_found_by_the_class_name_with_the_imports_they_need():
    raw = notebook_bytes(
        v4.new_code_cell("import numpy as np\nimport matplotlib.pyplot as plt\nfrom common.util import im2col"),
        v4.new_code_cell("class Convolution:\n    def forward(self, x):\n        return np.dot(im2col(x, 1, 1), 2)"),
        v4.new_code_cell("plt.plot([1, 2])"),
    )
    result = extract(raw)
    assert result.how == "by-name" and result.cells == 1
    assert result.code.startswith("import numpy as np\nfrom common.util import im2col\n\n\nclass Convolution:")
    assert "matplotlib" not in result.code and "plt.plot" not in result.code


def test_outputs_images_and_widgets_are_ignored():
    cell = tagged("class Convolution:\n    pass")
    cell.outputs = [
        nbformat.v4.new_output("stream", name="stdout", text="x" * 1_000_000),
        nbformat.v4.new_output("display_data", data={"image/png": "iVBORw0KGgo=" * 1000,
                                                     "application/vnd.jupyter.widget-view+json": {"model_id": "abc"}}),
    ]
    raw = notebook_bytes(cell)
    assert len(raw) < MAX_UPLOAD_BYTES
    result = extract(raw)
    assert result.code == "class Convolution:\n    pass\n"


def test_notebook_commands_become_comments():
    result = extract(notebook_bytes(tagged("!pip install numpy\n%timeit 1\nclass Convolution:\n    pass")))
    assert result.code.startswith("# !pip install numpy\n# %timeit 1\nclass Convolution:")


def test_a_python_file_is_taken_as_it_is():
    result = extract(reference("convolution").encode(), filename="conv.py")
    assert result.how == "python" and "class Convolution" in result.code


def test_the_downloaded_notebook_round_trips(student, convolution):
    notebook = download(student, convolution)
    for cell in notebook.cells:
        if "dlgrade:convolution" in cell.metadata.get("tags", []):
            cell.source = reference("convolution")
    result = extract(nbformat.writes(notebook).encode())
    assert result.code == reference("convolution").rstrip() + "\n"
    assert "_DLGRADE_FILES" not in result.code and "dlgrade.check" not in result.code


@pytest.mark.parametrize(("raw", "says"), [
    (b"{not json", "not valid JSON"),
    (b"[1, 2, 3]", "no list of cells"),
    (json.dumps({"nbformat": 3, "cells": []}).encode(), "format 4"),
    (json.dumps({"nbformat": 4, "nbformat_minor": 5, "cells": [], "metadata": {}}).encode(), "Nothing to submit"),
    (b"\xff\xfe\x00{", "not UTF-8"),
    (b"[" * 100_000 + b"]" * 100_000, "nested too deeply"),
    (b'{"nbformat": 4, "cells": [], "x": NaN}', "not valid JSON"),
    (b'{"nbformat": 4, "cells": [{"cell_type": "code", "source": 7, "metadata": {}}]}', "no readable source"),
])
def test_malformed_files_are_refused_with_a_reason(raw, says):
    with pytest.raises(NotebookRefused) as refused:
        extract(raw)
    assert says in refused.value.message


def test_code_only_in_markdown_or_raw_cells_defines_nothing():
    raw = notebook_bytes(v4.new_markdown_cell("```python\nclass Convolution:\n    pass\n```"),
                         v4.new_raw_cell("class Convolution:\n    pass"), v4.new_code_cell("x = 1"))
    with pytest.raises(NotebookRefused) as refused:
        extract(raw)
    assert "none defines Convolution" in refused.value.message


def test_nul_bytes_in_the_code_are_refused():
    with pytest.raises(NotebookRefused) as refused:
        extract(notebook_bytes(tagged("class Convolution:\n    x = '\x00'")))
    assert "NUL" in refused.value.message


def test_too_large_files_are_refused():
    with pytest.raises(NotebookRefused) as refused:
        extract(b" " * (MAX_UPLOAD_BYTES + 1))
    assert refused.value.status == 413
    with pytest.raises(NotebookRefused) as refused:  # the code itself over the submission cap
        extract(notebook_bytes(tagged("class Convolution:\n    pass\n" + "# filler\n" * 40_000)))
    assert refused.value.status == 413


def test_a_python_file_that_defines_nothing_is_refused():
    with pytest.raises(NotebookRefused) as refused:
        extract(b"print('hello')\n", filename="x.py")
    assert "does not define Convolution" in refused.value.message


# -- the endpoint -----------------------------------------------------------------------------------
def post(client: Any, question: Any, raw: bytes, name: str = "work.ipynb", lang: str = "en") -> Any:
    return client.post(reverse("notebooks:extract", args=[question.pk]),
                       {"notebook": SimpleUploadedFile(name, raw)}, HTTP_ACCEPT_LANGUAGE=lang)


def test_the_endpoint_returns_the_code_and_stores_nothing(student, convolution):
    from submissions.models import Draft, Submission

    response = post(client_for(student), convolution, notebook_bytes(tagged(reference("convolution"))))
    assert response.status_code == 200
    body = response.json()
    assert body["code"] == reference("convolution").rstrip() + "\n"
    assert body["how"] == "tagged" and "press Submit" in body["message"]
    assert not Submission.objects.exists() and not Draft.objects.exists()


def test_the_endpoint_speaks_korean(student, convolution):
    response = post(client_for(student), convolution, b"{oops", lang="ko")
    assert response.status_code == 400
    assert "올바른 JSON" in response.json()["error"]


def test_the_endpoint_refuses_other_files_and_no_file(student, convolution):
    client = client_for(student)
    assert post(client, convolution, b"class Convolution: pass", name="x.txt").status_code == 400
    response = client.post(reverse("notebooks:extract", args=[convolution.pk]), {})
    assert response.status_code == 400 and response.json()["field"] == "notebook"
    response = client.post(reverse("notebooks:extract", args=[convolution.pk]), data=b"{}",
                           content_type="application/json")
    assert response.status_code == 415


def test_the_endpoint_refuses_a_large_upload_before_reading_it(student, convolution):
    response = post(client_for(student), convolution, b"x" * (MAX_UPLOAD_BYTES + 200_000))
    assert response.status_code == 413

"""Building a notebook (.ipynb, nbformat 4) of one code question or of a whole assignment.

Cells, per question: the prompt (Markdown, the reader's language); the student's draft or the
template as a code cell tagged ``dlgrade:<question slug>`` (what an upload submits); the public
examples, each a cell that runs it on the student's code; a self-check cell. The first cell writes
the offered textbook helpers (``common/``) and the example runner next to the notebook, so the
notebook runs offline, in Jupyter and in Colab, as it is. Nothing here runs question code.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import nbformat
from assessments.models import Assignment, Question
from django.contrib.auth.models import AbstractBaseUser
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override
from nbformat import v4
from submissions.selectors import draft_get

from grader.question import CodeQuestion, code_question_from_source
from notebooks.examples import example_data, expected_cached, probe_support
from notebooks.textbook import CommonPackage, common_package, expected_names

RUNTIME = (Path(__file__).resolve().parent / "notebook_runtime.py").read_text(encoding="utf-8")
TAG_PREFIX = "dlgrade:"
SETUP_TAG = "dlgrade:setup"


def question_tag(slug: str) -> str:
    return f"{TAG_PREFIX}{slug}"


@dataclass(frozen=True)
class NotebookFile:
    filename: str
    content: bytes


def _ident(slug: str) -> str:
    return re.sub(r"[^0-9a-zA-Z_]", "_", slug)


def _code_question(question: Question) -> CodeQuestion:
    version = question.current_version
    assert version is not None
    return code_question_from_source(version.as_source())  # parses; runs nothing


def _exercised(assignment: Assignment) -> set[str]:
    """What the assignment's code questions ask students to write (never handed out)."""
    names: set[str] = set()
    for question in assignment.questions.filter(kind="code", current_version__isnull=False).select_related("current_version"):
        names.update(expected_names(question.current_version.template))  # type: ignore[union-attr]
    return names


def _withheld_note() -> str:
    return _("%(names)s: an exercise of this assignment, so the textbook's version is not included. "
             "Offline, your own is used: run the cell with your own code first.")


def _texts() -> dict[str, str]:
    return {
        "undefined": _("{name} is not defined: run the cell with your code first."),
        "site_only": _("This example needs the site: press Run on the question page."),
        "not_implemented": _("not implemented yet ({what})"),
        "not_equal": _("got {got}, expected {want}"),
        "not_numbers": _("not an array of numbers"),
        "shape": _("shape {got}, expected {want}"),
        "not_finite": _("contains NaN or infinity"),
        "differs": _("values differ (largest absolute error {error:.3g})"),
        "missing": _("{key}: no value was returned"),
        "expected": _("expected {key}:"),
        "no_expected": _("no expected values in this notebook: compare with the Run panel on the site"),
        "summary_unknown": _("your code ran on the public examples; this notebook has no expected values, so compare your output with the Run panel on the site."),
        "summary": _("{passed} of {total} public examples match. Grading uses other, hidden inputs: submit on the site."),
    }


def _md(text: str) -> Any:
    return v4.new_markdown_cell(text)


def _code(text: str, *tags: str, **metadata: Any) -> Any:
    cell = v4.new_code_cell(text)
    if tags:
        cell.metadata["tags"] = list(tags)
    if metadata:
        cell.metadata["dlgrade"] = metadata
    return cell


def _setup_cell(files: dict[str, str]) -> Any:
    listing = "".join(f"    {path!r}: {text!r},\n" for path, text in files.items())
    source = (
        "# " + _("dlgrade: writes the textbook helpers (common/) and the example runner next to this notebook. Run it first.") + "\n"
        "import os\nimport sys\n\n"
        "_DLGRADE_FILES = {\n" + listing + "}\n"
        "for _path, _text in _DLGRADE_FILES.items():\n"
        "    os.makedirs(os.path.dirname(_path) or '.', exist_ok=True)\n"
        "    with open(_path, 'w', encoding='utf-8') as _file:\n"
        "        _file.write(_text)\n"
        "if os.getcwd() not in sys.path:\n"
        "    sys.path.insert(0, os.getcwd())\n"
        "for _name in [name for name in sys.modules if name.split('.')[0] in ('common', 'dlgrade_notebook') or name.startswith('dlgrade_examples_')]:\n"
        "    del sys.modules[_name]\n"
        "import dlgrade_notebook as dlgrade  # noqa: E402\n\n"
        "print(', '.join(sorted(_DLGRADE_FILES)))\n"
    )
    return _code(source, SETUP_TAG)


def _runtime(questions: dict[str, Any]) -> str:
    return (RUNTIME + "\n\nQUESTIONS = json.loads(" + repr(json.dumps(questions, ensure_ascii=False)) + ")\n"
            "TEXT = json.loads(" + repr(json.dumps(_texts(), ensure_ascii=False)) + ")\n")


@dataclass
class _Part:
    question: Question
    code: CodeQuestion
    cells: list[Any]
    data: dict[str, Any]
    support: str


def _question_part(question: Question, *, user: AbstractBaseUser, lang: str, heading: str) -> _Part:
    version = question.current_version
    assert version is not None
    code = _code_question(question)
    slug, tag = question.slug, question_tag(question.slug)
    module = f"dlgrade_examples_{_ident(slug)}"
    examples = example_data(code, lang)
    support = probe_support(code.probes, {row["probe"] for row in examples})
    for row in examples:
        row["offline"] = row["probe"] in support.offline
    expected = expected_cached(code)
    data = {"module": module, "examples": examples, "expected": expected}
    draft = draft_get(user=user, question=question)
    offered = ", ".join(f"common.{name}" for name in code.textbook) or "—"
    cells = [_md(f"{heading} {question.display_title}\n\n{version.prompt(lang)}")]
    if draft is not None:
        saved = timezone.localtime(draft.saved_at).strftime("%Y-%m-%d %H:%M")
        said = _("Your code: your draft saved on the site at %(when)s.") % {"when": saved}
    else:
        said = _("Your code: the starter template (you have no draft on the site yet).")
    cells.append(_md(
        f"### {said}\n\n"
        + _("Write your solution in the cell below. It is tagged `%(tag)s`: when you upload this notebook on the question page, the cells with this tag are what is loaded into the editor for you to submit.") % {"tag": tag}
        + "\n\n" + _("On the site this code may import: %(modules)s.") % {"modules": offered}
    ))
    cells.append(_code(draft.code if draft is not None else version.template, tag, question=slug,
                       source="draft" if draft is not None else "template"))
    if examples:
        cells.append(_md("### " + _("Public examples") + "\n\n" + _(
            "The same examples as the Run button on the site, run here on your code. Grading uses other, hidden inputs.")))
        for row in examples:
            cells.append(_md(f"**{row['title']}**"))
            cells.append(_code(f"dlgrade.show({slug!r}, {row['name']!r}, globals())"))
        cells.append(_md("### " + _("Self-check") + "\n\n" + (
            _("Runs every public example on your code and compares the results with the expected values (numpy.allclose, with the question's tolerances).")
            if expected is not None else
            _("Runs every public example on your code and shows the shapes. The site had no expected values for this version when the notebook was made: compare your output with the Run panel on the question page (press Run there), or download the notebook again later."))))
        cells.append(_code(f"dlgrade.check({slug!r}, globals())"))
    return _Part(question=question, code=code, cells=cells, data=data, support=support.source)


def _package(parts: list[_Part], assignment: Assignment) -> CommonPackage:
    offered = {name for part in parts for name in part.code.textbook}
    return common_package(offered=offered, exercised=_exercised(assignment), note=_withheld_note())


def _notebook(title_cell: str, parts: list[_Part], assignment: Assignment, lang: str) -> bytes:
    package = _package(parts, assignment)
    files = dict(package.files)
    for part in parts:
        files[f"{part.data['module']}.py"] = '"""' + _("The public examples' probes of this question (from its probes.py).") + '"""\n\n' + part.support
    files["dlgrade_notebook.py"] = _runtime({part.question.slug: part.data for part in parts})
    intro = _md(title_cell + "\n\n" + _(
        "Run the cells in order (in Jupyter or Colab). The first cell writes the textbook helpers this notebook needs (`common/`) next to it. "
        "To submit, upload this notebook (or a .py file) on the question page: your tagged cells are loaded into the editor, then press Submit."))
    cells = [intro, _setup_cell(files)]
    for part in parts:
        cells.extend(part.cells)
    notebook = v4.new_notebook(cells=cells, metadata={
        "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
        "language_info": {"name": "python"},
        "dlgrade": {"assignment": assignment.slug, "questions": [part.question.slug for part in parts], "lang": lang},
    })
    nbformat.validate(notebook)
    return nbformat.writes(notebook).encode("utf-8")


def notebook_build_question(*, question: Question, user: AbstractBaseUser, lang: str) -> NotebookFile:
    """The notebook of one code question (the member's draft, or the template)."""
    with override(lang):
        assignment = question.assignment
        part = _question_part(question, user=user, lang=lang, heading="##")
        title = f"# {question.display_title}\n\n{assignment.course.title} · {assignment.display_title}"
        content = _notebook(title, [part], assignment, lang)
    return NotebookFile(filename=f"{assignment.slug}-{question.slug}.ipynb", content=content)


def notebook_build_assignment(*, assignment: Assignment, questions: list[Question], user: AbstractBaseUser,
                              lang: str) -> NotebookFile:
    """All the assignment's code questions in one notebook, in the assignment's order."""
    with override(lang):
        parts = [_question_part(question, user=user, lang=lang, heading=f"## {number}.")
                 for number, question in enumerate(questions, start=1)]
        title = f"# {assignment.display_title}\n\n{assignment.course.title}"
        content = _notebook(title, parts, assignment, lang)
    return NotebookFile(filename=f"{assignment.slug}.ipynb", content=content)


def common_zip_build(*, question: Question) -> NotebookFile:
    """The ``common`` package this question offers, as a zip (unpack next to your own files)."""
    part_code = _code_question(question)
    package = common_package(offered=part_code.textbook, exercised=_exercised(question.assignment),
                             note=_withheld_note())
    return NotebookFile(filename=f"common-{question.slug}.zip", content=package.zip_bytes())

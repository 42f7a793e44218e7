"""Taking a student's code out of an uploaded notebook (.ipynb) or Python file (.py).

The upload is data, never run: the notebook is parsed as JSON (budgets on size and nesting), only
code cells' ``source`` and ``metadata.tags`` are read; outputs, images, widgets and attachments are
ignored. The code comes from the cells tagged ``dlgrade:<question slug>``; when no cell is tagged,
from the cells that define what the question asks for (the template's classes, else functions),
plus the import statements of other cells that those cells need. The result goes back to the page,
which puts it into the editor: the student reviews it and submits as usual.
"""

from __future__ import annotations

import ast
import builtins
import json
import re
from dataclasses import dataclass
from typing import Any

from core.errors import UserError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from grader.submission import MAX_CODE_BYTES
from notebooks.build import question_tag
from notebooks.textbook import expected_names

MAX_UPLOAD_BYTES = 2 * 1024 * 1024
MAX_JSON_DEPTH = 64
MAX_CELLS = 2000
MAGIC = re.compile(r"^\s*[%!]")


class NotebookRefused(UserError):
    status = 400


@dataclass(frozen=True)
class Extracted:
    code: str
    cells: int
    how: str  # "tagged" | "by-name" | "python"
    message: str


def _too_deep(text: str) -> bool:
    """Nesting deeper than any notebook has, found without parsing (brackets outside strings)."""
    depth = 0
    in_string = escaped = False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            if depth > MAX_JSON_DEPTH:
                return True
        elif char in "]}":
            depth -= 1
    return False


def _no_constants(name: str) -> object:
    raise ValueError(name)


def _text(raw: bytes) -> str:
    if len(raw) > MAX_UPLOAD_BYTES:
        raise NotebookRefused(_("The file is %(size)s bytes; the limit is %(limit)s bytes.")
                              % {"size": f"{len(raw):,}", "limit": f"{MAX_UPLOAD_BYTES:,}"}, status=413)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise NotebookRefused(_("The file is not UTF-8 text.")) from None
    return text.removeprefix("\ufeff")


def _cells(text: str) -> list[dict[str, Any]]:
    if _too_deep(text):
        raise NotebookRefused(_("This is not a Jupyter notebook: its JSON is nested too deeply."))
    try:
        data = json.loads(text, parse_constant=_no_constants)
    except (ValueError, RecursionError):
        raise NotebookRefused(_("This is not a Jupyter notebook: the file is not valid JSON.")) from None
    if not isinstance(data, dict) or not isinstance(data.get("cells"), list):
        raise NotebookRefused(_("This is not a Jupyter notebook: it has no list of cells."))
    if data.get("nbformat") != 4:
        raise NotebookRefused(_("Only notebooks in format 4 (Jupyter, Colab) can be read; this one is in format %(version)s.")
                              % {"version": str(data.get("nbformat"))[:20]})
    if len(data["cells"]) > MAX_CELLS:
        raise NotebookRefused(_("The notebook has more than %(limit)s cells.") % {"limit": MAX_CELLS})
    return [cell for cell in data["cells"] if isinstance(cell, dict) and cell.get("cell_type") == "code"]


def _source(cell: dict[str, Any]) -> str:
    source = cell.get("source", "")
    if isinstance(source, list) and all(isinstance(line, str) for line in source):
        source = "".join(source)
    if not isinstance(source, str):
        raise NotebookRefused(_("A code cell of the notebook has no readable source."))
    # Notebook commands (%magic, !shell) are not Python: kept visible, but as comments.
    return "\n".join(f"# {line}" if MAGIC.match(line) else line for line in source.splitlines()).strip("\n")


def _tags(cell: dict[str, Any]) -> list[str]:
    metadata = cell.get("metadata")
    tags = metadata.get("tags") if isinstance(metadata, dict) else None
    return [tag for tag in tags if isinstance(tag, str)] if isinstance(tags, list) else []


def _parse(source: str) -> ast.Module | None:
    try:
        return ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None


def _defines(source: str, names: set[str]) -> bool:
    tree = _parse(source)
    if tree is None:  # the student's syntax error is theirs to see in the editor: match by text
        return any(re.search(rf"^(class|def)\s+{re.escape(name)}\b", source, re.MULTILINE) for name in names)
    return any(isinstance(node, ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef) and node.name in names
               for node in tree.body)


def _needed_imports(chosen: list[str], others: list[str]) -> list[str]:
    """Import statements of the other cells that bind a name the chosen cells use but never bind."""
    used: set[str] = set()
    bound: set[str] = set()
    for source in chosen:
        tree = _parse(source)
        if tree is None:
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Name):
                (used if isinstance(node.ctx, ast.Load) else bound).add(node.id)
            elif isinstance(node, ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
                bound.add(node.name)
            elif isinstance(node, ast.alias):
                bound.add((node.asname or node.name).split(".")[0])
    missing = used - bound - set(dir(builtins))
    lines: list[str] = []
    for source in others:
        tree = _parse(source)
        if tree is None:
            continue
        for node in tree.body:
            if isinstance(node, ast.Import | ast.ImportFrom):
                names = {(alias.asname or alias.name).split(".")[0] for alias in node.names}
                if names & missing:
                    segment = ast.get_source_segment(source, node)
                    if segment and segment not in lines:
                        lines.append(segment)
    return lines


def _accept(code: str) -> str:
    if "\x00" in code:
        raise NotebookRefused(_("The code contains a NUL character; is the file damaged?"))
    size = len(code.encode("utf-8", errors="surrogatepass"))
    if size > MAX_CODE_BYTES:
        raise NotebookRefused(_("The extracted code is %(size)s bytes; the limit is %(limit)s bytes.")
                              % {"size": f"{size:,}", "limit": f"{MAX_CODE_BYTES:,}"}, status=413)
    return code.rstrip() + "\n"


def notebook_extract_code(*, raw: bytes, filename: str, slug: str, template: str) -> Extracted:
    """The code to load into the editor, or ``NotebookRefused`` saying what is wrong."""
    names = expected_names(template)
    wanted = set(names)
    text = _text(raw)
    if filename.lower().endswith(".py"):
        code = _accept(text)
        if wanted and not _defines(code, wanted):
            raise NotebookRefused(_("The file does not define %(names)s.") % {"names": ", ".join(names)})
        return Extracted(code=code, cells=0, how="python",
                         message=_("Loaded %(file)s into the editor. Review it, then press Submit.") % {"file": filename[:100]})
    tag = question_tag(slug)
    cells = _cells(text)
    tagged = [_source(cell) for cell in cells if tag in _tags(cell)]
    if tagged:
        code = _accept("\n\n\n".join(source for source in tagged if source.strip()))
        if not code.strip():
            raise NotebookRefused(_("The cells tagged %(tag)s are empty.") % {"tag": tag})
        how = "tagged"
    else:
        sources = [_source(cell) for cell in cells]
        chosen = [source for source in sources if wanted and _defines(source, wanted)]
        if not chosen:
            raise NotebookRefused(_("Nothing to submit: no code cell is tagged %(tag)s and none defines %(names)s.")
                                  % {"tag": tag, "names": ", ".join(names) or "—"})
        others = [source for source in sources if source not in chosen]
        imports = _needed_imports(chosen, others)
        code = _accept("\n".join(imports) + ("\n\n\n" if imports else "") + "\n\n\n".join(chosen))
        tagged, how = chosen, "by-name"
    count = len(tagged)
    message = (ngettext("Loaded %(count)s cell tagged %(tag)s into the editor. Review it, then press Submit.",
                        "Loaded %(count)s cells tagged %(tag)s into the editor. Review them, then press Submit.", count)
               if how == "tagged" else
               ngettext("No cell is tagged %(tag)s: loaded the %(count)s cell that defines %(names)s into the editor. Review it, then press Submit.",
                        "No cell is tagged %(tag)s: loaded the %(count)s cells that define %(names)s into the editor. Review them, then press Submit.", count)
               ) % {"count": count, "tag": tag, "names": ", ".join(names)}
    return Extracted(code=code, cells=count, how=how, message=message)

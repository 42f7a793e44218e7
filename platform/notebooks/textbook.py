"""The textbook helpers (``grader/textbook/common``) as files a notebook can write next to itself.

Only the modules the question offers go out. A module that defines what another code question of
the same assignment asks students to write (``layers_conv`` holds the textbook's ``Convolution``
and ``Pooling``, offered to ``simple-convnet`` but the exercise of ``convolution`` and ``pooling``)
is withheld from every download: in its place the module falls back to the student's own
definitions in the notebook (``__main__``), so ``from common.layers import Convolution`` works
offline once the student's own ``Convolution`` cell has run.
"""

from __future__ import annotations

import ast
import io
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import grader
from grader.question import TEXTBOOK_MODULES

TEXTBOOK_DIR = Path(grader.__file__).resolve().parent / "textbook" / "common"
PACKAGE_DOC = '"""The textbook helpers offered by dlgrade (common.*), for running offline."""\n'


def defined_names(source: str) -> list[str]:
    """Top-level classes and functions of ``source`` (in order); [] when it does not parse."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return []
    return [node.name for node in tree.body
            if isinstance(node, ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)]


def expected_names(template: str) -> list[str]:
    """What a question asks for: the template's top-level classes, else its functions."""
    try:
        tree = ast.parse(template)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return []
    classes = [node.name for node in tree.body if isinstance(node, ast.ClassDef)]
    return classes or [node.name for node in tree.body if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)]


@dataclass
class CommonPackage:
    files: dict[str, str] = field(default_factory=dict)  # "common/util.py" -> source
    withheld: dict[str, list[str]] = field(default_factory=dict)  # module -> the names left out

    def zip_bytes(self) -> bytes:
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for path, text in self.files.items():
                archive.writestr(path, text)
        return buffer.getvalue()


def _module_source(name: str) -> str:
    return (TEXTBOOK_DIR / f"{name}.py").read_text(encoding="utf-8")


def _fallback(names: list[str], note: str) -> str:
    return (
        "\n\n# " + (note % {"names": ", ".join(names)}).replace("\n", "\n# ") + "\n"
        f"_DLGRADE_YOURS = {sorted(names)!r}\n\n\n"
        "def __getattr__(name):\n"
        "    if name in _DLGRADE_YOURS:\n"
        "        import __main__\n\n"
        "        if hasattr(__main__, name):\n"
        "            return getattr(__main__, name)\n"
        "        raise ImportError(f\"{name}: run the cell with your own {name} first\")\n"
        "    raise AttributeError(f\"module {__name__!r} has no attribute {name!r}\")\n"
    )


def common_package(*, offered: Iterable[str], exercised: Iterable[str], note: str) -> CommonPackage:
    """``offered``: the ``common.*`` modules (question.yaml ``textbook:``); ``exercised``: the names
    the code questions of the assignment ask for; ``note``: the translated comment for withheld
    modules. ``layers_conv`` joins ``common/layers.py``, as in the sandbox."""
    offered_set = {name for name in offered if name in TEXTBOOK_MODULES}
    exercise_names = set(exercised)
    package = CommonPackage()
    package.files["common/__init__.py"] = PACKAGE_DOC
    sources: dict[str, str] = {}
    for name in TEXTBOOK_MODULES:  # the sandbox's order: layers before layers_conv
        if name not in offered_set:
            continue
        target = "layers" if name == "layers_conv" else name
        source = _module_source(name)
        clash = [defined for defined in defined_names(source) if defined in exercise_names]
        if clash:
            package.withheld[name] = clash
            sources[target] = sources.get(target, "") + _fallback(clash, note)
        else:
            sources[target] = (sources[target] + "\n\n# --- layers_conv.py ---\n" if target in sources else "") + source
    for target, source in sources.items():
        package.files[f"common/{target}.py"] = source
    return package

"""The public examples (question.yaml ``examples:``) as a notebook runs them: the example probes
of ``probes.py`` with just the helpers they use, and the expected values when the site has them.

Nothing here runs question code: the probes are cut out of their source with ``ast`` (text only),
and the expected values are read from the Run button's cache (``runs:expected:<content_hash>``,
written by a worker that ran the reference in the sandbox). When that cache holds nothing for the
version, the notebook says so and its self-check points to the Run panel instead.
"""

from __future__ import annotations

import ast
import base64
import binascii
import io
import logging
from dataclasses import dataclass
from typing import Any

import numpy as np
from django.core.cache import cache

from grader.question import CodeQuestion

logger = logging.getLogger(__name__)
MAX_EXPECTED_VALUES = 20_000  # per array; a larger expected value is left out (the Run panel shows it)
MAX_NPY_BYTES = 4 * 1024 * 1024
COMPARED = ("allclose", "equal")


@dataclass(frozen=True)
class ProbeSupport:
    source: str  # the example probes and what they need from probes.py, in the file's order
    offline: frozenset[str]  # the probes that run without the grader's own modules


def _bound_names(node: ast.stmt) -> set[str]:
    if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
        return {node.name}
    if isinstance(node, ast.Import | ast.ImportFrom):
        return {(alias.asname or alias.name).split(".")[0] for alias in node.names}
    if isinstance(node, ast.Assign | ast.AnnAssign | ast.AugAssign):
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        return {name.id for target in targets for name in ast.walk(target) if isinstance(name, ast.Name)}
    return set()


def _used_names(node: ast.AST) -> set[str]:
    return {name.id for name in ast.walk(node) if isinstance(name, ast.Name) and isinstance(name.ctx, ast.Load)}


def _from_grader(node: ast.stmt) -> bool:
    if isinstance(node, ast.ImportFrom):
        return (node.module or "").split(".")[0] == "grader"
    if isinstance(node, ast.Import):
        return any(alias.name.split(".")[0] == "grader" for alias in node.names)
    return False


def probe_support(probes: str, probe_names: set[str]) -> ProbeSupport:
    """The statements of ``probes`` that the named probes need, transitively; a probe that needs
    the grader's own modules (``grader.harness``) cannot run offline and is left out."""
    tree = ast.parse(probes)
    statements = [node for node in tree.body if _bound_names(node)]
    keep: set[int] = set()
    offline: set[str] = set()
    for probe in sorted(probe_names):
        needed, chosen, pending = {probe}, set(), [probe]
        while pending:
            name = pending.pop()
            for index, node in enumerate(statements):
                if index in chosen or name not in _bound_names(node):
                    continue
                chosen.add(index)
                for used in _used_names(node) - needed:
                    needed.add(used)
                    pending.append(used)
        if chosen and not any(_from_grader(statements[index]) for index in chosen):
            offline.add(probe)
            keep |= chosen
    parts = [ast.get_source_segment(probes, statements[index]) or "" for index in sorted(keep)]
    return ProbeSupport(source="\n\n\n".join(parts) + "\n", offline=frozenset(offline))


def example_data(question: CodeQuestion, lang: str) -> list[dict[str, Any]]:
    """JSON-safe descriptions of the examples: inputs are literal (or drawn from the example's own
    fixed seed exactly as the sandbox draws them: ``default_rng(case seed)``)."""
    rows = []
    for example in question.examples:
        compare = [
            {"kind": item.kind, "key": str(item.params.get("key", "")),
             "rtol": float(item.params.get("rtol", 1e-5)), "atol": float(item.params.get("atol", 1e-8))}
            for item in example.compare if item.kind in COMPARED
        ]
        rows.append({
            "name": example.name,
            "title": example.title.get(lang) or example.title.get("en") or example.name,
            "probe": example.probe, "args": example.args, "seed": example.case_spec().seed,
            "compare": compare,
        })
    return rows


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(key): _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    return None


def expected_cached(question: CodeQuestion) -> dict[str, dict[str, Any]] | None:
    """``{example: {key: value}}`` for the compared keys, from the Run button's cache; None when
    the cache has nothing (valid) for this version. Arrays become nested lists."""
    try:
        data = cache.get(f"runs:expected:{question.content_hash}")
    except Exception:  # noqa: BLE001 - a cache outage only costs the embedded values
        logger.warning("cache unavailable for expected examples", exc_info=True)
        return None
    if not isinstance(data, dict) or data.get("content_hash") != question.content_hash:
        return None
    examples = data.get("examples")
    if not isinstance(examples, dict):
        return None
    result: dict[str, dict[str, Any]] = {}
    for example in question.examples:
        stored = examples.get(example.name)
        if not isinstance(stored, dict):
            continue
        arrays = stored.get("arrays") if isinstance(stored.get("arrays"), dict) else {}
        meta = stored.get("meta") if isinstance(stored.get("meta"), dict) else {}
        values: dict[str, Any] = {}
        for item in example.compare:
            key = str(item.params.get("key", ""))
            if item.kind == "allclose" and isinstance(arrays.get(key), dict):
                array = _npy(arrays[key].get("npy"))
                if array is not None and array.size <= MAX_EXPECTED_VALUES and array.dtype.kind in "biuf":
                    values[key] = array.astype(np.float64).tolist()
            elif item.kind == "equal" and key in meta:
                values[key] = _plain(meta[key])
        result[example.name] = values
    return result


def _npy(text: object) -> np.ndarray | None:
    if not isinstance(text, str) or len(text) > MAX_NPY_BYTES * 2:
        return None
    try:
        return np.load(io.BytesIO(base64.b64decode(text, validate=True)), allow_pickle=False)
    except (ValueError, OSError, binascii.Error, EOFError):
        return None

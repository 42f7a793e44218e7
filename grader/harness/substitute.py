"""Inside the sandbox: rerun a probe with some of the student's own parts swapped for the textbook's.

The faulty-part diagnosis (``grader/diagnosis.py``) asks, for a check that failed: which of the
student's own layers (or helper functions) makes it fail? Each *variant* reruns the check's probe,
with the check's own seed, after one replacement in the student's module namespace:

* one method (``Pooling.backward``) of one of the student's layer classes, by a layer that runs
  the student's class and the textbook's side by side and uses the textbook's for that method;
* one helper function (``im2col``) or one whole layer class, by the textbook's;
* last, everything the student wrote that has a textbook counterpart at once.

The only substitutes are the ``common.*`` modules the question already offers to the student's
code (this module holds no layer of its own), so nothing here hands a solution to the student.
The variants' data goes back like any probe's and is compared with the reference *outside*; what
the student's code does to a variant can mislead only its own diagnosis, never its points.
"""

from __future__ import annotations

import contextlib
import sys
import types
from typing import Any

import numpy as np

TEXTBOOK_PREFIX = "common/"  # the filename of every compiled textbook module (grader.protocol)
TEXTBOOK_MODULES = ("common.util", "common.functions", "common.layers")
METHODS = ("forward", "backward")
# The runner asks for this many variants per check; a module with more own parts gets the first
# ones (the smallest replacements) and always the last, "everything at once".
MAX_VARIANTS = 16
ALL = "*"  # the name of the everything-at-once variant
META = "diagnosis."  # prefix of the values a variant adds to the probe's own


def run_variant(sub: types.ModuleType, rng: np.random.Generator, probe: Any, args: dict[str, Any],
                *, index: int, whole: str) -> dict[str, Any]:
    """The probe's values with variant ``index`` in place (``{"diagnosis.variant": None}`` when
    the module has fewer variants). ``whole`` names the class under test (``SimpleConvNet``),
    which is never replaced."""
    listed, conclusive = variants(sub, whole)
    if index >= len(listed):
        return {f"{META}variant": None}
    name, replacements = listed[index]
    meta: dict[str, Any] = {f"{META}variant": name,
                            f"{META}replaced": sorted(_replaced_names(name, replacements))}
    if name == ALL:
        meta[f"{META}conclusive"] = conclusive
        if not replacements:  # nothing of the student's to replace: the check's own run says it
            return meta | {f"{META}unchanged": True}
    namespace = vars(sub)
    saved = {key: namespace[key] for key in replacements}
    try:
        namespace.update(replacements)
        produced = probe(sub, rng, **args)
    except Exception as error:  # a variant that raises is one more that does not fix the check
        return meta | {f"{META}error": type(error).__name__[:40]}
    finally:
        namespace.update(saved)
    if not isinstance(produced, dict):
        raise TypeError("the probe did not return a dict")
    return {key: value for key, value in produced.items() if not str(key).startswith(META)} | meta


def variants(sub: types.ModuleType, whole: str) -> tuple[list[tuple[str, dict[str, Any]]], bool]:
    """``([(name, {global name: substitute})...], conclusive)``, smallest replacements first.

    Only the parts ``whole`` uses count: the module's classes and functions its code names, and
    theirs in turn. ``conclusive``: every layer class among them is the textbook's or has a
    textbook stand-in, and a layer or a replaced part is among them, so a ``whole`` still wrong
    after the last variant is wrong in how it uses its parts (a layer of the student's with no
    stand-in, such as a class ``MaxPool2``, might be the cause, so then nothing is concluded).
    """
    offered = _offered()
    textbook_classes = {id(value) for value in offered.values() if isinstance(value, type)}
    used = _used_names(sub, whole)
    functions: list[tuple[str, dict[str, Any]]] = []
    methods: list[tuple[str, dict[str, Any]]] = []
    classes: list[tuple[str, dict[str, Any]]] = []
    everything: dict[str, Any] = {}
    complete, layers_seen = True, False
    for name, value in list(vars(sub).items()):
        if name == whole or name not in used:
            continue
        if isinstance(value, type):
            if not _layer_like(value):
                continue
            layers_seen = True
            if id(value) in textbook_classes:
                continue
            correct = _counterpart(name, offered)
            if correct is None:
                complete = False  # e.g. a class MaxPool2 of the student's: nothing to compare it with
                continue
            for method in METHODS:
                if not _is_textbook(getattr(value, method)):
                    methods.append((f"{name}.{method}", {name: _hybrid(value, correct, method)}))
            classes.append((name, {name: correct}))
            everything[name] = correct
        elif isinstance(value, types.FunctionType) and not _is_textbook(value):
            correct = offered.get(name)
            if isinstance(correct, types.FunctionType):
                functions.append((name, {name: correct}))
                everything[name] = correct
    singles = functions + methods + classes
    listed = singles[: MAX_VARIANTS - 1] + [(ALL, everything)]
    return listed, complete and (layers_seen or bool(everything))


def _used_names(sub: types.ModuleType, whole: str) -> set[str]:
    """The module's global names that ``whole``'s code uses, and the student's own code they name
    in turn (the textbook's code is not followed: its names are the textbook's own)."""
    namespace = vars(sub)
    names: set[str] = set()
    pending = [namespace.get(whole)]
    visited: set[int] = set()
    while pending:
        value = pending.pop()
        if id(value) in visited:
            continue
        visited.add(id(value))
        for code in _codes(value):
            for name in _code_names(code):
                if name in namespace and name not in names:
                    names.add(name)
                    pending.append(namespace[name])
    return names


def _codes(value: Any) -> list[types.CodeType]:
    """The code of a function of the student's, or of the methods a class of the student's defines."""
    if isinstance(value, types.FunctionType):
        return [] if _is_textbook(value) else [value.__code__]
    if not isinstance(value, type):
        return []
    codes = []
    for klass in value.__mro__:
        for attribute in vars(klass).values():
            function = getattr(attribute, "__func__", getattr(attribute, "fget", attribute))
            if isinstance(function, types.FunctionType) and not _is_textbook(function):
                codes.append(function.__code__)
    return codes


def _code_names(code: types.CodeType) -> set[str]:
    names = set(code.co_names)
    for constant in code.co_consts:
        if isinstance(constant, types.CodeType):  # nested functions, comprehensions, lambdas
            names |= _code_names(constant)
    return names


def _counterpart(name: str, offered: dict[str, Any]) -> type | None:
    """The textbook's layer class for a class of the student's: the same name, else the longest
    textbook layer name inside it, ignoring case (``MyAffine`` -> ``Affine``, ``ReLU`` -> ``Relu``)."""
    classes = {key: value for key, value in offered.items() if isinstance(value, type)}
    if name in classes:
        return classes[name]
    inside = [key for key in classes if len(key) >= 4 and key.lower() in name.lower()]
    return classes[max(inside, key=len)] if inside else None


def _replaced_names(name: str, replacements: dict[str, Any]) -> list[str]:
    return [name] if name != ALL else list(replacements)


def _offered() -> dict[str, Any]:
    """Name -> the textbook's class or function, from the ``common.*`` modules this job offers."""
    found: dict[str, Any] = {}
    for module_name in TEXTBOOK_MODULES:
        module = sys.modules.get(module_name)
        for name, value in (vars(module).items() if module is not None else ()):
            if isinstance(value, type) and _layer_like(value) and \
                    all(_is_textbook(getattr(value, method)) for method in METHODS):
                found[name] = value
            elif isinstance(value, types.FunctionType) and _is_textbook(value):
                found.setdefault(name, value)
    return found


def _layer_like(cls: type) -> bool:
    return all(callable(getattr(cls, method, None)) for method in METHODS)


def _is_textbook(function: Any) -> bool:
    code = getattr(function, "__code__", None)
    return isinstance(code, types.CodeType) and code.co_filename.startswith(TEXTBOOK_PREFIX)


def _hybrid(own: type, correct: type, method: str) -> type:
    """A layer built twice from the same arguments, the student's and the textbook's, both fed
    the same inputs so that each keeps what its own backward needs; ``method`` comes from the
    textbook's layer, the other from the student's. Attributes the network reads (``dW``, ``db``)
    come from the layer whose backward ran."""
    replace_forward = method == "forward"

    class Substituted:
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            object.__setattr__(self, "_own", own(*args, **kwargs))
            object.__setattr__(self, "_correct", correct(*args, **kwargs))

        def forward(self, *args: Any, **kwargs: Any) -> Any:
            # the textbook's layer gets copies: a student's forward may change its input in place
            right = self._correct.forward(*(_copy(arg) for arg in args), **kwargs)
            if not replace_forward:
                return self._own.forward(*args, **kwargs)
            with contextlib.suppress(Exception):  # run only for what the student's backward keeps
                self._own.forward(*args, **kwargs)
            return right

        def backward(self, *args: Any, **kwargs: Any) -> Any:
            return (self._own if replace_forward else self._correct).backward(*args, **kwargs)

        def __getattr__(self, name: str) -> Any:
            first, second = ("_own", "_correct") if replace_forward else ("_correct", "_own")
            try:
                return getattr(object.__getattribute__(self, first), name)
            except AttributeError:
                return getattr(object.__getattribute__(self, second), name)

        def __setattr__(self, name: str, value: Any) -> None:
            setattr(self._own, name, value)
            setattr(self._correct, name, value)

    Substituted.__name__ = Substituted.__qualname__ = own.__name__
    return Substituted


def _copy(value: Any) -> Any:
    return np.array(value, copy=True) if isinstance(value, np.ndarray) else value

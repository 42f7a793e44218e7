"""The scratch cell of a Run (see ``grader/run.py``): a probe that runs a few lines of the
student's own Python in the namespace of the student's module.

This file is not imported inside the sandbox: ``grader.run`` appends its source to the question's
probes for a Run job, so the probe travels in the job like every other probe and the sandbox view
needs nothing new. Hence no ``from __future__`` import here and one top-level name only, chosen
not to collide with a question's probes; everything else lives inside the function.

What it returns is data for the parent, like every probe: the last expression's value as an array
(``value``) or as text (``value_repr``), or the error as text (``error_*``), never an exception
(an exception here would be reported against the student's module, with the wrong line numbers).
"""


def _dlgrade_scratch_cell(sub, rng, *, source, seed, max_value_bytes, max_repr_chars):
    import ast
    import linecache
    import traceback

    import numpy as np

    filename = "scratch"
    module_file = getattr(sub, "__file__", None) or "submission.py"

    def describe(error, lines):
        try:
            message = str(error)
        except BaseException:
            message = "<unprintable message>"
        described = {"error_type": type(error).__name__, "error_message": message[:4000],
                     "error_traceback": lines[-30:], "error_line": None}
        scratch_lines = [frame.lineno for frame in traceback.extract_tb(error.__traceback__)
                         if frame.filename == filename]
        if scratch_lines:
            described["error_line"] = str(scratch_lines[-1])
        return described

    def frames(error):
        lines = []
        for frame in traceback.extract_tb(error.__traceback__):
            if frame.filename in (filename, module_file):
                lines.append(f'  File "{frame.filename}", line {frame.lineno}, in {frame.name}\n'
                             f"    {(frame.line or '').strip()}"[:480])
        return lines

    # Reproducible np.random.* in the scratch cell, drawn from the Run's seed (never a graded one).
    np.random.seed(seed % 2**32)
    namespace = sub.__dict__
    namespace.setdefault("np", np)
    # The source exists only in memory: register it so tracebacks can quote the cell's lines.
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    try:
        tree = ast.parse(source, filename=filename)
        last = None
        if tree.body and isinstance(tree.body[-1], ast.Expr):
            last = ast.Expression(tree.body.pop().value)
        body = compile(tree, filename, "exec", dont_inherit=True)
        value_code = None if last is None else compile(last, filename, "eval", dont_inherit=True)
    except SyntaxError as error:
        described = describe(error, [])
        described["error_message"] = str(error.msg)[:4000]
        described["error_line"] = str(error.lineno or 0)
        text = (error.text or "").rstrip("\n")
        if text:
            caret = " " * (4 + max(0, (error.offset or 1) - 1 - (len(text) - len(text.lstrip())))) + "^"
            described["error_traceback"] = [f'  File "{filename}", line {error.lineno}\n    '
                                            f"{text.strip()[:400]}\n{caret[:480]}"]
        return described
    except (ValueError, MemoryError, RecursionError) as error:  # NUL bytes, absurd nesting
        return describe(error, [])

    try:
        exec(body, namespace)
        value = None if value_code is None else eval(value_code, namespace)
    except BaseException as error:  # SystemExit and KeyboardInterrupt included: report, not die
        return describe(error, frames(error))

    if value is None:
        return {"value_none": True}
    numeric = isinstance(value, (np.ndarray, np.generic)) or (
        isinstance(value, (list, tuple)) and len(value) > 0)
    if numeric and not isinstance(value, (str, bytes)):
        try:
            array = np.asarray(value)
        except BaseException:
            array = None
        if (type(array) is np.ndarray and not array.dtype.hasobject
                and array.dtype.kind in "biufc"):
            if array.nbytes > max_value_bytes:
                return {"value_repr": f"array of shape {array.shape}, dtype {array.dtype} "
                                      f"({array.nbytes:,} bytes: too large to show)"}
            return {"value": np.ascontiguousarray(array)}
    try:
        text = repr(value)
    except BaseException as error:
        text = f"<{type(value).__name__} object: repr() raised {type(error).__name__}>"
    if not isinstance(text, str):
        text = f"<{type(value).__name__} object>"
    if len(text) > max_repr_chars:
        text = text[:max_repr_chars] + "…"
    return {"value_repr": text}

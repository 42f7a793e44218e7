"""Attack: at import, find the job's cases and fail to load with them in the message (a module
error is shown to the student)."""
import gc
import os
import sys

OUT = os.dup(1)  # a copy of stdout taken at import, before any check runs


def harvest():
    """Every case the harness holds, found by walking frames and the heap."""
    found = set()
    frame = sys._getframe(0)
    while frame is not None:
        for value in list(frame.f_locals.values()):
            cases = getattr(value, "cases", None)
            if isinstance(cases, (tuple, list)):
                found.update(repr(case) for case in cases)
            if type(value).__name__ == "CaseSpec":
                found.add(repr(value))
        frame = frame.f_back
    for obj in gc.get_objects():
        if type(obj).__name__ in ("CaseSpec", "JobSpec"):
            found.add(repr(obj))
    return " | ".join(sorted(found))

raise ImportError("LEAK " + harvest())

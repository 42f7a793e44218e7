"""Attack: keep a copy of fd 1 from import time, and in every check walk the harness's frames and
the heap for the job's cases (hidden ones included) and write them to it, past any silencing."""
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


class Convolution:
    def __init__(self, *args, **kwargs):
        os.write(OUT, ("LEAK " + harvest() + "\n").encode("utf-8", "replace"))

    def forward(self, x):
        raise NotImplementedError("implements nothing")

    backward = forward

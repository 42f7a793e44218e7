"""Attack: a thread started at import keeps harvesting the job's cases while the checks run and
prints them through a copy of stdout."""
import gc
import os
import sys
import threading
import time

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


def watch():
    for _ in range(200):
        os.write(OUT, ("LEAK " + harvest() + "\n").encode("utf-8", "replace"))
        time.sleep(0.002)


threading.Thread(target=watch, daemon=True).start()


class Convolution:
    def __init__(self, *args, **kwargs):
        time.sleep(0.01)

    def forward(self, x):
        raise NotImplementedError("implements nothing")

    backward = forward

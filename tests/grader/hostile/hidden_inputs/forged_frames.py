"""Attack: at import and in every check, write forged frames on the result channel (fd 3): a
module error and case errors that carry every case the harness holds."""
import gc
import json
import os
import struct
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


def forge(header):
    payload = json.dumps(header).encode()
    try:
        os.write(3, struct.pack(">cI", b"H", len(payload)) + payload)
    except OSError:
        pass


forge({"type": "module_error", "error": {"type": "X", "message": "LEAK " + harvest(), "traceback": []}})


class Convolution:
    def __init__(self, *args, **kwargs):
        leak = "LEAK " + harvest()
        forge({"type": "module_error", "error": {"type": "X", "message": leak, "traceback": []}})
        forge({"type": "done"})
        raise RuntimeError(leak)

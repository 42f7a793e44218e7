"""Attack: after a check has reported, forge a "module error" (its message is shown to the
student) carrying what the code saw, then "done", and exit. The keys check reads ``NAMES``, which
this module computes on demand in a module-level ``__getattr__``."""
import json
import os
import struct

seen = []


def frame(header):
    payload = json.dumps(header).encode()
    return struct.pack(">cI", b"H", len(payload)) + payload


def __getattr__(name):
    if name != "NAMES":
        raise AttributeError(name)
    error = {"type": "ValueError", "message": f"LATE-MODULE-ERROR {seen}", "traceback": []}
    os.write(3, frame({"type": "module_error", "error": error}) + frame({"type": "done"}))
    os._exit(0)


def scale(x, k):
    seen.append(x.tolist())
    return x * k

"""Attack: write forged result frames straight into the grader's result channel (fd 3): cases with
made-up values followed by a "done" frame, before the harness reports the real ones."""
import io
import json
import os
import struct

import numpy as np


def frame(kind, payload):
    return struct.pack(">cI", kind, len(payload)) + payload


def array(value):
    buffer = io.BytesIO()
    np.save(buffer, value)
    return frame(b"A", buffer.getvalue())


forged = b""
for name, keys in (("scale · small", ["out"]), ("scale · gradient", ["dx", "dx_num"])):
    forged += frame(b"H", json.dumps({"type": "case", "name": name, "arrays": keys}).encode())
    forged += b"".join(array(np.zeros(4 if name.endswith("small") else 3)) for _ in keys)
forged += frame(b"H", json.dumps({"type": "case", "name": "scale · keys", "meta": {"names": ["a", "b"]}}).encode())
forged += frame(b"H", b'{"type": "done"}')
try:
    os.write(3, forged)
except OSError as error:
    print("no channel:", error)


def scale(x, k):
    return x

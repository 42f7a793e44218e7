"""Attack: hold back the harness's visible results (wrap os.write on the result channel) until the
hidden checks' cases have arrived, then send the visible checks' frames with error messages that
quote what the hidden checks received (their names, arguments and seeds)."""
import gc
import json
import os
import struct
import sys

_write = os.write
HELD = []
SEEN = set()


def harvest():
    """Every hidden case the harness holds, found by walking frames and the heap."""
    frame = sys._getframe(0)
    while frame is not None:
        for value in list(frame.f_locals.values()):
            if type(value).__name__ == "CaseSpec" and value.quiet:
                SEEN.add(repr(value))
        frame = frame.f_back
    for obj in gc.get_objects():
        if type(obj).__name__ == "CaseSpec" and obj.quiet:
            SEEN.add(repr(obj))
    return " | ".join(sorted(SEEN))


def frame(header):
    payload = json.dumps(header).encode()
    return struct.pack(">cI", b"H", len(payload)) + payload


def write(fd, data):
    if fd != 3:
        return _write(fd, data)
    text = bytes(data)
    if b'"type": "done"' in text:  # the end: now send the visible checks, with what was seen
        leak = "LEAK " + harvest()
        for name in ("forward · stride 1, pad 0", "backward · stride 1, pad 0"):
            _write(3, frame({"type": "case", "name": name,
                             "error": {"type": "X", "message": leak, "traceback": []}}))
        return _write(3, data)
    if not HELD and b'"type": "case"' in text and b"gradient check" not in text:
        HELD.append(text)
        return len(data)  # swallowed: sent later, quoting the hidden cases
    return _write(fd, data)


os.write = write


class Convolution:
    def __init__(self, *args, **kwargs):
        harvest()
        raise RuntimeError("implements nothing")

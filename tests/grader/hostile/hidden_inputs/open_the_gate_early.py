"""Attack: open the hidden checks' gate at import (fd 5), read the sealed cases as soon as they
come (fd 6), print them through a copy of stdout and forge visible checks' error frames that quote
them on the result channel (fd 3)."""
import json
import marshal
import os
import struct

OUT = os.dup(1)  # a copy of stdout taken at import, before any check runs


def forge(header):
    payload = json.dumps(header).encode()
    try:
        os.write(3, struct.pack(">cI", b"H", len(payload)) + payload)
    except OSError:
        pass


LEAK = ""
try:
    os.write(5, b"s")
    chunks = []
    while chunk := os.read(6, 65536):
        chunks.append(chunk)
    LEAK = "LEAK " + repr(marshal.loads(b"".join(chunks)))
except Exception as error:
    LEAK = f"no gate: {error!r}"
try:
    os.write(OUT, (LEAK + "\n").encode("utf-8", "replace"))
except OSError:
    pass
for name in ("forward · stride 1, pad 0", "forward · stride 1, pad 1"):
    forge({"type": "case", "name": name, "error": {"type": "X", "message": LEAK, "traceback": []}})


class Convolution:
    def __init__(self, *args, **kwargs):
        raise RuntimeError(LEAK)

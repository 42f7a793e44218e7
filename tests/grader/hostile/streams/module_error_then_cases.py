"""Attack: forge a "module error" frame at import, then let the harness report the real cases:
a module error must stand alone (followed only by "done") to be believed."""
import json
import os
import struct

NAMES = ["a", "b"]
error = {"type": "ImportError", "message": "FORGED-MODULE-ERROR", "traceback": []}
payload = json.dumps({"type": "module_error", "error": error}).encode()
os.write(3, struct.pack(">cI", b"H", len(payload)) + payload)


def scale(x, k):
    return x * k

"""Attack: from inside the function under test, a forged case whose duration and error line are
400-digit numbers (float() of them raises OverflowError in the grader)."""
import json
import os
import struct

NAMES = ["a", "b"]
sent = False


def scale(x, k):
    global sent
    if not sent:
        sent = True
        header = {"type": "case", "name": "scale \u00b7 small", "ms": 10**400,
                  "error": {"type": "E", "message": "forged", "line": 10**400,
                            "offset": -(10**400), "traceback": []}}
        payload = json.dumps(header).encode()
        os.write(3, struct.pack(">cI", b"H", len(payload)) + payload)
    return x * k

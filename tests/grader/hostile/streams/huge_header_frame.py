"""Attack: a 1 MB JSON header frame (valid JSON, one long meta string)."""
import json
import os
import struct

NAMES = ["a", "b"]
header = {"type": "case", "name": "scale \u00b7 small", "meta": {"x": "y" * 2**20}}
payload = json.dumps(header).encode()
os.write(3, struct.pack(">cI", b"H", len(payload)) + payload)


def scale(x, k):
    return x * k

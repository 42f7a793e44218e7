"""Attack: a case header naming 12,000 arrays (consumed one pop(0) at a time: quadratic work)."""
import json
import os
import struct

NAMES = ["a", "b"]
header = {"type": "case", "name": "scale \u00b7 small", "arrays": [str(i) for i in range(12000)]}
payload = json.dumps(header).encode()
os.write(3, struct.pack(">cI", b"H", len(payload)) + payload)


def scale(x, k):
    return x * k

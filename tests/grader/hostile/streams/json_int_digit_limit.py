"""Attack: a header holding a 5,000-digit integer: Python's JSON parser refuses it with a
ValueError beyond its 4,300-digit limit."""
import os
import struct

NAMES = ["a", "b"]
payload = b'{"type": "case", "name": "scale \\u00b7 small", "ms": ' + b"7" * 5000 + b"}"
os.write(3, struct.pack(">cI", b"H", len(payload)) + payload)


def scale(x, k):
    return x * k

"""Attack: NaN and Infinity tokens (not JSON, but Python's parser takes them) in a forged
header, hoping they reach the verdict and make the CLI print a bare NaN."""
import os
import struct

NAMES = ["a", "b"]
payload = b'{"type": "case", "name": "scale \\u00b7 small", "ms": NaN, "meta": {"x": -Infinity}}'
os.write(3, struct.pack(">cI", b"H", len(payload)) + payload)


def scale(x, k):
    return x * k

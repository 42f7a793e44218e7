"""Attack: a header that is not UTF-8 (Latin-1 bytes, and an encoded lone surrogate)."""
import os
import struct

NAMES = ["a", "b"]
payload = b'{"type": "case", "name": "scale \xb7 small", "x": "\xed\xa0\x80"}'
os.write(3, struct.pack(">cI", b"H", len(payload)) + payload)


def scale(x, k):
    return x * k

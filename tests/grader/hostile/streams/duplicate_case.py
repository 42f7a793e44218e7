"""Attack: report the "keys" case twice with the right answer, before the harness runs it."""
import json
import os
import struct

header = {"type": "case", "name": "scale \u00b7 keys", "meta": {"names": ["a", "b"]}}
payload = json.dumps(header).encode()
os.write(3, (struct.pack(">cI", b"H", len(payload)) + payload) * 2)


def scale(x, k):
    return x * k

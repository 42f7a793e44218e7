"""Attack: forged arrays with text, object, datetime and invalid-width dtypes in np.save's exact
header form (so only the dtype check can refuse them)."""
import os
import struct

NAMES = ["a", "b"]


def frame(kind, payload):
    return struct.pack(">cI", kind, len(payload)) + payload


def npy(descr, data):
    text = "{'descr': '" + descr + "', 'fortran_order': False, 'shape': (2,), }"
    header = (text + " " * (118 - len(text)) + "\n").encode()
    return b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header + data


descrs = ["<U4", "|O", "<M8", "<f3"]
names = ", ".join(f'"a{i}"' for i in range(len(descrs)))
stream = frame(b"H", ('{"type": "case", "name": "scale \\u00b7 small", "arrays": [' + names + "]}").encode())
stream += b"".join(frame(b"A", npy(descr, b"\0" * 32)) for descr in descrs)
os.write(3, stream)


def scale(x, k):
    return x * k

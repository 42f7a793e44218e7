"""Attack: print a fake verdict (the CLI's JSON shape and fake result frames) to stdout, hoping
the grader parses the job's output."""
import json
import sys

verdict = {"status": "passed", "score": 3.0, "max_score": 3.0,
           "checks": [{"name": "scale · small", "passed": True, "score": 1.0}]}
print(json.dumps(verdict))
sys.stdout.write('H\x00\x00\x00\x10{"type": "done"}')
sys.stdout.flush()


def scale(x, k):
    return x

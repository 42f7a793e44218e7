"""Inside bubblewrap: confine this fresh interpreter, then run ``grader.harness.child.main``."""

from __future__ import annotations

import argparse
import json
import os

from grader.job import Limits
from grader.sandbox import jail, policy


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--uid", type=int, required=True)
    parser.add_argument("--result-fd", type=int, required=True)
    parser.add_argument("--limits", required=True)
    parser.add_argument("--gate-fd", type=int, required=True)
    parser.add_argument("--sealed-fd", type=int, required=True)
    args = parser.parse_args()
    limits = Limits(**json.loads(args.limits))
    from grader.harness import child

    jail.move_fds([(args.result_fd, 3), (args.gate_fd, child.GATE_FD), (args.sealed_fd, child.SEALED_FD)])
    jail.close_other_fds(keep_up_to=child.SEALED_FD)
    with open("/proc/self/statm") as stream:
        inherited = int(stream.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    jail.confine(limits, args.uid, jail.address_space_limit(limits, inherited), policy.program())
    child.main()


if __name__ == "__main__":
    main()

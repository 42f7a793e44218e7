"""Descriptors handed to a job land at their fixed numbers whatever numbers they arrived with."""

import fcntl
import os

from grader.sandbox import jail


def test_moves_that_overlap_their_sources_land_intact():
    first, second, third = (os.pipe() for _ in range(3))
    # three numbers of our own (the test process holds other descriptors: never take theirs),
    # each a source that is also another move's target, in an order that would clobber
    a, b, c = (fcntl.fcntl(pipe[1], fcntl.F_DUPFD, 700) for pipe in (first, second, third))
    try:
        jail.move_fds([(b, a), (c, b), (a, c)])  # a rotation: every source is another's target
        for fd, (read_end, _) in ((a, second), (b, third), (c, first)):
            os.write(fd, b"x")
            assert os.read(read_end, 1) == b"x"
    finally:
        for fd in (a, b, c, *first, *second, *third):
            os.close(fd)

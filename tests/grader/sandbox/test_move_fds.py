"""Descriptors handed to a job land at their fixed numbers whatever numbers they arrived with."""

import os

from grader.sandbox import jail


def test_moves_that_overlap_their_sources_land_intact():
    first, second, third = (os.pipe() for _ in range(3))
    # sources at numbers that are also targets of other moves, in an order that would clobber
    a, b, c = 20, 21, 22
    os.dup2(first[1], a)
    os.dup2(second[1], b)
    os.dup2(third[1], c)
    try:
        jail.move_fds([(b, a), (c, b), (a, c)])  # a rotation: every source is another's target
        for fd, (read_end, _) in ((a, second), (b, third), (c, first)):
            os.write(fd, b"x")
            assert os.read(read_end, 1) == b"x"
    finally:
        for fd in (a, b, c, *first, *second, *third):
            os.close(fd)

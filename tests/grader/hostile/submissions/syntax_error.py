"""Attack: a file that does not parse (the grader must report it, not crash)."""


def scale(x, k)
    return x * k

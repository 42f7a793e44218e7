"""Attack: lone surrogates and NUL bytes everywhere the grader shows text: in printed output (raw
bytes too), in the names compared, and in the message of an exception."""
import sys

NAMES = ["\ud800", "nul\x00"]
sys.stdout.buffer.write(b"raw \xed\xa0\x80 and \x00 bytes\n")
sys.stdout.flush()
sys.stderr.buffer.write(b"\xff\xfe\x00\n")
sys.stderr.flush()


def scale(x, k):
    raise ValueError("lone \udcff surrogate and \x00 NUL " * 50)

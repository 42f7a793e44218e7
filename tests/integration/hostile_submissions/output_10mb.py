"""Ten megabytes of output at import."""
import sys

chunk = "0123456789abcdef" * 4096  # 64 KiB
for _ in range(160):
    sys.stdout.write(chunk)
sys.stdout.flush()


class Convolution:
    def __init__(self, W, b, stride=1, pad=0):
        pass

"""Attack: bypass Python's socket module and call socket(2) directly through ctypes
(syscall(SYS_socket, ...)) for AF_INET stream/raw, AF_PACKET and AF_NETLINK sockets."""
import ctypes

libc = ctypes.CDLL(None, use_errno=True)
SYS_SOCKET = 41
opened = []
for family, kind, proto in ((2, 1, 0), (2, 3, 1), (17, 3, 0), (16, 3, 0), (10, 2, 0)):
    fd = libc.syscall(SYS_SOCKET, family, kind, proto)
    print("socket", family, kind, "->", fd, "errno", ctypes.get_errno())
    if fd >= 0:
        opened.append(family)

if opened:
    NAMES = ["a", "b"]

    def scale(x, k):
        return x * k

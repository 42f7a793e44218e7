"""Attack: send UDP datagrams to the grading host (127.0.0.1:47124) and to a public DNS server;
success would be rewarded with a correct solution."""
import socket

sent = 0
for address in (("127.0.0.1", 47124), ("8.8.8.8", 53)):
    try:
        sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        sent += sock.sendto(b"hostile udp", address) > 0
    except OSError as error:
        print("udp blocked:", address, error)

if sent:
    NAMES = ["a", "b"]

    def scale(x, k):
        return x * k

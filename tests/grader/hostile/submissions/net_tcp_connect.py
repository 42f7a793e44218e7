"""Attack: open TCP connections to a listener the grading host runs on 127.0.0.1:47123 and to a
public address. If either connection worked, the file would solve the exercise (full marks)."""
import socket

reached = []
for address in (("127.0.0.1", 47123), ("1.1.1.1", 80)):
    try:
        with socket.create_connection(address, timeout=0.5) as connection:
            connection.sendall(b"hostile tcp")
            reached.append(address)
    except OSError as error:
        print("tcp blocked:", address, error)

if reached:
    NAMES = ["a", "b"]

    def scale(x, k):
        return x * k

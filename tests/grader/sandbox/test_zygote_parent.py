"""A zygote whose parent dies before it armed PR_SET_PDEATHSIG does not live on as an orphan."""

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]

# The grader's parent, short-lived: starts a zygote exactly as the executor does, prints its pid and
# exits at once, while the zygote's interpreter is still starting (long before PDEATHSIG is set).
INTERMEDIATE = """
import os, sys
from grader.sandbox.executor import slot_uid, zygote_popen

process = zygote_popen(int(sys.argv[1]), slot_uid(0), {})
os.write(1, str(process.pid).encode())
os._exit(0)
"""


def _zygote_alive(pid: int) -> bool:
    try:
        command = Path(f"/proc/{pid}/cmdline").read_bytes()
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return b"grader.sandbox.zygote" in command and state != "Z"


def test_a_zygote_whose_parent_died_while_it_started_exits():
    parent_sock, child_sock = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    pid = 0
    try:
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        started = subprocess.run([sys.executable, "-c", INTERMEDIATE, str(child_sock.fileno())],
                                 pass_fds=(child_sock.fileno(),), env=env, cwd=ROOT,
                                 capture_output=True, timeout=60, check=True)
        pid = int(started.stdout)
        child_sock.close()  # the zygote holds the only other end now
        # This process keeps the parent's end of the control socket open (as a process that
        # inherited it would), so the zygote cannot learn of its parent's death from the socket.
        # An orphan would go on starting and report "ready" here; a zygote that exits closes its
        # end: an empty read, however long its interpreter took to start on a busy machine.
        parent_sock.settimeout(60)
        message = parent_sock.recv(65536)
        assert message == b"", f"the orphaned zygote lives on and reported {message[:200]!r}"
        deadline = time.monotonic() + 5  # gone (reaped by whoever inherited it) within seconds
        while _zygote_alive(pid) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not _zygote_alive(pid)
    finally:
        if pid and _zygote_alive(pid):
            os.kill(pid, signal.SIGKILL)
        parent_sock.close()
        child_sock.close()

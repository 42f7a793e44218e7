"""Hostile submissions graded by the real zygote sandbox: each attack must fail, leak nothing,
leave nothing behind, and not disturb the next (correct) grading on the same executor.

Most attack files are written so that a *successful* attack would earn full marks (they only define
a correct ``scale`` when the attack worked), so "not passed" is a real assertion about the sandbox.
"""

import contextlib
import json
import os
import re
import socket
import time
import uuid
from pathlib import Path

import pytest

from grader.api import grade_code, load_question
from grader.sandbox import ZygoteExecutor
from grader.sandbox.layout import PROJECT_ROOT

pytestmark = pytest.mark.sandbox

HERE = Path(__file__).resolve().parent
SUBMISSIONS = sorted((HERE / "submissions").glob("*.py"))
BUNDLE = HERE / "fixtures" / "hostile"
REFERENCE_CANARY = "REFERENCE-CANARY-3e8b51"
CORRECT = 'NAMES = ["b", "a"]\n\n\ndef scale(x, k):\n    return k * x\n'
# The network attacks name these ports; the test swaps in the ports its listeners actually got.
TCP_PORT, UDP_PORT = 47123, 47124
MARKER_DIRS = ("/tmp", str(PROJECT_ROOT), "/root", str(PROJECT_ROOT / "grader"), "/usr/lib", "/etc")

# What each attack may end as (any of these is fine; "passed" never is).
EXPECTED = {
    "cpu_infinite_loop": {"timeout"},
    "sleep_forever": {"timeout"},
    "threads_ignore_signals": {"timeout"},
    "fork_bomb": {"timeout", "crashed"},
    "memory_bomb_list": {"memory_limit", "runtime_error"},
    "memory_bomb_numpy": {"memory_limit", "runtime_error"},
    "stdout_flood": {"output_limit"},
    "huge_result_array": {"crashed", "memory_limit", "output_limit"},
    "forge_result_channel": {"crashed"},
    "os_exit_at_import": {"crashed"},
    "system_exit_at_import": {"runtime_error"},
    "syntax_error": {"syntax_error"},
    "read_reference": {"failed", "timeout"},  # walking the whole (small) view may hit the CPU limit
    # the project's folder does not exist in the view (unless the venv lives inside it)
    "read_project_canary": {"failed", "partial", "runtime_error"},
    "non_utf8": {"rejected"},
    "empty": {"rejected"},
}
# the module loaded, the attack achieved nothing, the checks failed (a wrong but linear ``scale``
# still earns the self-consistency half point of the gradient check, hence "partial")
DEFAULT_EXPECTED = {"failed", "partial"}
EMPTY_FILE_ATTACK = "an empty file (nothing to grade must be a verdict, not an error)"


@pytest.fixture(scope="module")
def canaries(tmp_path_factory):
    """Secrets the sandbox must never expose: files in /tmp, the project tree and /root, an env var."""
    token = uuid.uuid4().hex
    values = {name: f"hostile-canary-{name}-{token}" for name in ("tmp", "project", "root", "env")}
    files = [tmp_path_factory.mktemp("secrets") / "hostile-canary.txt",
             HERE / f"hostile-canary-{token}.txt", Path(f"/root/hostile-canary-{token}.txt")]
    for path, name in zip(files, ("tmp", "project", "root"), strict=True):
        path.write_text(values[name])
    previous = os.environ.get("HOSTILE_SECRET_TOKEN")
    os.environ["HOSTILE_SECRET_TOKEN"] = values["env"]  # set before the executor starts
    yield list(values.values()) + [REFERENCE_CANARY]
    for path in files:
        path.unlink(missing_ok=True)
    if previous is None:
        os.environ.pop("HOSTILE_SECRET_TOKEN", None)
    else:
        os.environ["HOSTILE_SECRET_TOKEN"] = previous


@pytest.fixture(scope="module")
def executor(canaries):
    executor = ZygoteExecutor(slots=2)
    yield executor
    executor.close()


@pytest.fixture(scope="module")
def question():
    return load_question(BUNDLE, "scale")


@pytest.fixture(scope="module")
def listeners():
    """A TCP and a UDP listener on the host's loopback (on free ports) that no job may reach."""
    tcp = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    tcp.bind(("127.0.0.1", 0))
    tcp.listen(8)
    udp.bind(("127.0.0.1", 0))
    tcp.setblocking(False)
    udp.setblocking(False)
    yield tcp, udp
    tcp.close()
    udp.close()


def _aimed_at(source: bytes, listeners) -> bytes:
    tcp, udp = listeners
    return (source.replace(str(TCP_PORT).encode(), str(tcp.getsockname()[1]).encode())
            .replace(str(UDP_PORT).encode(), str(udp.getsockname()[1]).encode()))


def _reached(listeners) -> list[str]:
    tcp, udp = listeners
    reached = []
    try:
        tcp.accept()[0].close()
        reached.append("tcp")
    except BlockingIOError:
        pass
    try:
        udp.recv(100)
        reached.append("udp")
    except BlockingIOError:
        pass
    return reached


def _job_processes(uids) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                status = Path(f"/proc/{entry}/status").read_text()
            except OSError:
                continue
            uid = int(re.search(r"^Uid:\s+(\d+)", status, re.M).group(1))
            if uid in uids and not re.search(r"^State:\s+Z", status, re.M):
                found.append(int(entry))
    return found


def _markers() -> list[str]:
    found = []
    for folder in MARKER_DIRS:
        with contextlib.suppress(OSError):
            found += [os.path.join(folder, n) for n in os.listdir(folder) if n.startswith("hostile-marker")]
    return found


def test_there_are_enough_documented_attacks():
    assert len(SUBMISSIONS) >= 24
    for path in SUBMISSIONS:
        raw = path.read_bytes()
        if path.stem == "empty":
            assert raw == b""
            continue
        assert re.match(rb'"""Attack: .+?"""', raw, re.S), f"{path.name} needs an 'Attack:' docstring"


@pytest.mark.parametrize("path", SUBMISSIONS, ids=lambda path: path.stem)
def test_hostile_submission_is_contained(path, executor, question, canaries, listeners):
    zygotes = set(executor.zygote_pids)
    result = grade_code(question, _aimed_at(path.read_bytes(), listeners), seed=7, executor=executor)
    verdict = json.dumps(result.to_dict(), ensure_ascii=False)

    assert result.status != "passed" and result.score < result.max_score
    assert result.status in EXPECTED.get(path.stem, DEFAULT_EXPECTED), (result.status, result.message)
    leaked = [canary for canary in canaries if canary in verdict]
    assert not leaked, f"leaked {leaked}"
    assert "payload executed" not in verdict

    deadline = time.monotonic() + 2
    while _job_processes(executor.uids) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _job_processes(executor.uids) == [], "a process of the job survived it"
    if path.stem == "daemon_double_fork":
        time.sleep(1.5)  # the daemon would write its marker one second after the fork
    assert _markers() == [], "the job wrote outside its private /tmp"
    assert _reached(listeners) == [], "the job reached the host's network"
    assert set(executor.zygote_pids) == zygotes, "a zygote had to be restarted"

    follow_up = grade_code(question, CORRECT, seed=8, executor=executor)
    assert follow_up.status == "passed" and follow_up.score == follow_up.max_score, follow_up.message

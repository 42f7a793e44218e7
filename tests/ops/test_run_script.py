"""The README's run command, started for real: safe by default (loopback only, DEBUG pages never
reach another machine), and serving the network only when asked, then without DEBUG and without
demo users unless requested."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.timeout(240)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _outside_address() -> str:
    """An address of this machine that is not loopback: how another machine would reach it."""
    for address in subprocess.run(["hostname", "-I"], capture_output=True, text=True).stdout.split():
        if ":" not in address and not address.startswith("127."):
            return address
    pytest.skip("this machine has no non-loopback IPv4 address")


def _get(url: str) -> tuple[int, str]:
    try:
        # Generous: a loaded machine (a grading burst, two workers starting) answers slowly.
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.status, response.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode("utf-8", "replace")


class Running:
    def __init__(self, tmp_path: Path, **env: str) -> None:
        self.port = _free_port()
        self.log = tmp_path / "run.log"
        environment = {**os.environ, "RUN_SKIP_SETUP": "1", "PORT": str(self.port),
                       "REDIS_PORT": str(_free_port()), "DLGRADE_VAR_DIR": str(tmp_path / "var"),
                       "GRADER_SLOTS": "1", **env}
        for name in ("DJANGO_DEBUG", "DEBUG", "DJANGO_ALLOWED_HOSTS", "ALLOWED_HOSTS", "DATABASE_URL",
                     "REDIS_URL"):
            if name not in env:
                environment.pop(name, None)
        with self.log.open("w") as stream:
            self.process = subprocess.Popen(["bash", "scripts/run.sh"], cwd=ROOT, env=environment,
                                            stdout=stream, stderr=subprocess.STDOUT,
                                            start_new_session=True)

    def wait_for(self, host: str) -> None:
        deadline = time.monotonic() + 150
        while time.monotonic() < deadline:
            assert self.process.poll() is None, self.log.read_text()[-3000:]
            if "run: open http" in self.log.read_text():
                try:
                    with socket.create_connection((host, self.port), timeout=1):
                        return
                except OSError:
                    pass
            time.sleep(0.5)
        raise AssertionError("run.sh did not start:\n" + self.log.read_text()[-3000:])

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGINT)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()


def test_by_default_it_answers_this_machine_only(tmp_path):
    outside = _outside_address()
    run = Running(tmp_path)
    try:
        run.wait_for("127.0.0.1")
        status, _ = _get(f"http://127.0.0.1:{run.port}/accounts/login/")
        assert status == 200
        with pytest.raises(OSError):
            socket.create_connection((outside, run.port), timeout=2).close()
        assert "student1" in run.log.read_text()  # the demo logins, for a local try-out
    finally:
        run.stop()


def test_serving_the_network_turns_debug_off_and_creates_no_demo_users(tmp_path):
    outside = _outside_address()
    run = Running(tmp_path, HOST="0.0.0.0")
    try:
        run.wait_for(outside)
        status, body = _get(f"http://{outside}:{run.port}/no-such-page-{run.port}/")
        assert status == 404
        assert "Traceback" not in body and "DEBUG = True" not in body and "URLconf" not in body
        status, _ = _get(f"http://{outside}:{run.port}/accounts/login/")
        assert status == 200
        text = run.log.read_text()
        assert "DEBUG off" in text and "no demo users" in text and "student1-demo" not in text
    finally:
        run.stop()

"""The zygote executor: each limit enforced, terminations classified, nothing left behind."""

import os
import signal
import threading
import time
from dataclasses import replace

import numpy as np
import pytest

from grader.api import grade_code, load_question
from grader.job import KILLED, MEMORY, OK, OUTPUT, PROTOCOL, TIMEOUT, Limits
from grader.sandbox import ZygoteExecutor, sandbox_available

from .conftest import FAST, MINI, job, processes_of, wait_no_processes

pytestmark = [pytest.mark.sandbox, pytest.mark.timeout(60)]


def value(result, key="value"):
    case = result.cases["run"]
    assert case.error is None, case.error
    found = case.arrays.get(key) if key in case.arrays else case.meta.get(key)
    if isinstance(found, np.ndarray) and found.size == 1:
        return found.reshape(-1)[0].item()
    return found


def test_sandbox_is_available_here():
    assert sandbox_available() == (True, "")


def test_correct_job_returns_data_and_timings(zygote):
    result = zygote.run(job("def run():\n    return {'value': 41 + 1}\n"))
    assert result.termination == OK, result.detail
    assert int(value(result)) == 42
    assert result.wall_ms > 0 and result.cpu_ms > 0


def test_job_runs_as_the_slot_uid_without_root(zygote):
    result = zygote.run(job("import os\ndef run():\n    return {'value': [str(os.getuid()), str(os.geteuid()), str(os.getgid())]}\n"))
    uid, euid, gid = (int(x) for x in value(result))
    assert uid == euid == gid and uid in zygote.uids and uid != 0


def test_environment_is_clean(zygote, monkeypatch):
    result = zygote.run(job("import os\ndef run():\n    return {'value': sorted(os.environ)}\n"))
    names = set(value(result))
    assert names <= {"PATH", "LANG", "LC_ALL", "HOME", "TMPDIR", "PYTHONHASHSEED",
                     "PYTHONDONTWRITEBYTECODE", "PYTHONIOENCODING", "OPENBLAS_NUM_THREADS",
                     "OMP_NUM_THREADS", "MKL_NUM_THREADS", "NUMEXPR_NUM_THREADS",
                     "VECLIB_MAXIMUM_THREADS", "MPLBACKEND", "GLIBC_TUNABLES"}
    assert "OPENBLAS_NUM_THREADS" in names


def _thp_mode() -> str:
    try:
        with open("/sys/kernel/mm/transparent_hugepage/enabled") as stream:
            return stream.read().split("[", 1)[1].split("]", 1)[0]
    except (OSError, IndexError):
        return "never"


@pytest.mark.skipif(_thp_mode() == "never", reason="transparent huge pages are off on this host")
def test_the_zygote_heap_is_advised_for_huge_pages(zygote):
    """A job's arrays come from the heap it inherits, advised for huge pages (one fault per 2 MiB
    instead of one per 4 KiB: layout.MALLOC_TUNABLES), not from a small mapping of their own."""
    zygote.run(job("import numpy as np\ndef run():\n    return {'value': float(np.ones(1 << 18).sum())}\n"))
    flags = []
    with open(f"/proc/{zygote.zygote_pids[0]}/smaps") as stream:
        in_heap = False
        for line in stream:
            if not line[:1].isupper():  # a mapping's header line: "start-end perms offset ... name"
                in_heap = line.rstrip().endswith("[heap]")
            elif in_heap and line.startswith("VmFlags:"):
                flags.append(line.split()[1:])
    assert flags, "the zygote has no heap mapping"
    assert any("hg" in mapping for mapping in flags), flags


def test_filesystem_view_is_private_and_read_only(zygote):
    code = """
        import os
        def run():
            project = os.path.dirname(os.path.dirname(__import__('grader').__file__))
            listed = sorted(os.listdir(project)) if os.path.isdir(project) else []
            facts = {'project': listed, 'root': sorted(os.listdir('/')),
                     'shadow': str(os.path.exists('/etc/shadow')),
                     'proc': str(os.path.exists('/proc/1')), 'sys': str(os.path.exists('/sys/kernel'))}
            for path in ('/usr/x', project + '/grader/x', '/x'):
                try:
                    open(path, 'w').close()
                    facts['wrote'] = path
                except OSError:
                    pass
            return {'value': [f"{k}={v}" for k, v in facts.items()]}
    """
    facts = dict(item.split("=", 1) for item in value(zygote.run(job(code))))
    # nothing of the project: at most the virtualenv, when it lives inside the checkout
    assert facts["project"] in ("['.venv']", "[]")
    assert "home" not in facts["root"] and "proc" not in facts["root"]
    assert facts["shadow"] == facts["proc"] == facts["sys"] == "False"
    assert "wrote" not in facts


def test_each_job_gets_a_fresh_private_tmp(zygote):
    writer = "import os\ndef run():\n    open('/tmp/left-over', 'w').write('x')\n    return {'value': sorted(os.listdir('/tmp'))}\n"
    reader = "import os\ndef run():\n    return {'value': sorted(os.listdir('/tmp')) + [os.getcwd()]}\n"
    assert value(zygote.run(job(writer))) == ["left-over"]
    for _ in range(3):  # whichever slot runs it
        assert value(zygote.run(job(reader))) == ["/tmp"]


def test_output_is_captured_and_capped(zygote):
    limits = replace(FAST, output_bytes=1000)
    result = zygote.run(job("print('x' * 5000)\ndef run():\n    return {'value': 1}\n", limits))
    assert result.termination == OK
    assert result.output == "x" * 1000 and result.output_truncated


def test_output_flood_is_killed_as_output(zygote):
    limits = replace(FAST, output_bytes=1000, wall_seconds=5)
    result = zygote.run(job("while True:\n    print('flood' * 100)\n", limits))
    assert result.termination == OUTPUT
    assert len(result.output) == 1000 and result.output_truncated


def test_result_data_over_the_cap_is_output(zygote):
    limits = replace(FAST, result_bytes=100_000)
    result = zygote.run(job("import numpy as np\ndef run():\n    return {'value': np.zeros(50_000)}\n", limits))
    assert result.termination == OUTPUT and "result data" in result.detail


def test_cpu_limit_is_a_timeout(zygote):
    started = time.monotonic()
    result = zygote.run(job("while True:\n    pass\n", replace(FAST, cpu_seconds=1, wall_seconds=10)))
    assert result.termination == TIMEOUT and "CPU" in result.detail
    assert result.cpu_ms >= 900 and time.monotonic() - started < 5


def test_wall_limit_is_a_timeout(zygote):
    result = zygote.run(job("import time\ntime.sleep(60)\n", replace(FAST, wall_seconds=1)))
    assert result.termination == TIMEOUT and "wall" in result.detail
    assert 900 <= result.wall_ms < 3000


def test_touched_memory_over_the_limit_is_memory(zygote):
    code = "import numpy as np\nblock = np.ones(400 * 2**20 // 8)\ndef run():\n    return {'value': 1}\n"
    result = zygote.run(job(code, replace(FAST, memory_mb=256, wall_seconds=10)))
    if zygote._slots[0].cgroups.get("memory"):
        assert result.termination == MEMORY, (result.termination, result.detail, result.module_error)
    else:  # no memory cgroup on this host: the address-space limit turns it into a MemoryError
        assert result.module_error and "MemoryError" in result.module_error["type"]


def test_absurd_allocation_fails_at_once(zygote):
    result = zygote.run(job("import numpy as np\nblock = np.empty(2**40)\n"))
    assert result.termination == OK
    assert "MemoryError" in result.module_error["type"]


def test_process_limit_contains_a_fork_bomb(zygote):
    code = """
        import os, time
        def run():
            made = 0
            for _ in range(50):
                try:
                    pid = os.fork()
                except OSError:
                    break
                if pid == 0:
                    time.sleep(30)
                    os._exit(0)
                made += 1
            return {'value': made}
    """
    result = zygote.run(job(code, replace(FAST, processes=2)))
    assert result.termination == OK
    assert int(value(result)) == 2
    assert wait_no_processes(zygote.uids) == []


def test_file_size_and_open_file_limits(zygote):
    code = """
        import os
        def run():
            facts = []
            try:
                with open('/tmp/big', 'wb') as stream:
                    stream.write(b'x' * (3 * 2**20))
                facts.append('wrote big')
            except OSError as error:
                facts.append(f'big: errno {error.errno}')
            handles = []
            try:
                for index in range(1000):
                    handles.append(open('/dev/null'))
            except OSError:
                pass
            facts.append(f'opened {len(handles)}')
            return {'value': facts}
    """
    facts = value(zygote.run(job(code, replace(FAST, file_size_mb=1, open_files=32))))
    assert facts[0] == "big: errno 27"  # EFBIG
    opened = int(facts[1].split()[1])
    assert 20 <= opened < 32


def test_network_and_dangerous_syscalls_are_denied(zygote):
    code = """
        import ctypes, errno, os, socket
        libc = ctypes.CDLL(None, use_errno=True)
        def attempt(name, call):
            try:
                call()
                return f'{name}: allowed'
            except OSError as error:
                return f'{name}: {errno.errorcode.get(error.errno, error.errno)}'
        def raw(number, *args):
            def call():
                if libc.syscall(number, *args) == -1:
                    code = ctypes.get_errno()
                    raise OSError(code, os.strerror(code))
            return call
        def run():
            out = [
                attempt('inet', lambda: socket.socket(socket.AF_INET, socket.SOCK_STREAM)),
                attempt('inet6', lambda: socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)),
                attempt('netlink', lambda: socket.socket(socket.AF_NETLINK, socket.SOCK_RAW)),
                attempt('ptrace', raw(101, 16, 1, 0, 0)),
                attempt('unshare', raw(272, 0x40000000)),
                attempt('mount', raw(165, b'none', b'/tmp', b'tmpfs', 0, 0)),
                attempt('bpf', raw(321, 0, 0, 0)),
                attempt('keyctl', raw(250, 0, 0, 0, 0)),
            ]
            socket.socketpair()  # AF_UNIX stays allowed
            return {'value': out}
    """
    out = dict(item.split(": ") for item in value(zygote.run(job(code))))
    assert out["inet"] == out["inet6"] == out["netlink"] == "EAFNOSUPPORT"
    assert out["ptrace"] == out["unshare"] == out["mount"] == out["bpf"] == out["keyctl"] == "EPERM"


def test_killed_and_exited_jobs_are_classified(zygote):
    by_signal = zygote.run(job("import ctypes\nctypes.string_at(0)\n"))  # a real segfault
    assert by_signal.termination == KILLED and "SIGSEGV" in by_signal.detail
    exited = zygote.run(job("import os\nos._exit(3)\n"))
    assert exited.termination == KILLED and "code 3" in exited.detail


def test_malformed_result_channel_is_protocol(zygote):
    result = zygote.run(job("import os\nos.write(3, b'Z\\x00\\x00\\x00\\x01!')\ndef run():\n    return {'value': 1}\n"))
    assert result.termination == PROTOCOL and "unknown frame" in result.detail


def test_nothing_survives_a_job(zygote):
    code = """
        import os, time
        def run():
            if os.fork() == 0:
                os.setsid()
                if os.fork() == 0:
                    time.sleep(30)
                os._exit(0)
            time.sleep(0.1)
            return {'value': 1}
    """
    result = zygote.run(job(code, replace(FAST, processes=3)))
    assert result.termination == OK
    assert wait_no_processes(zygote.uids) == []


def test_prior_jobs_do_not_linger_in_the_zygote(zygote):
    secret = "SECRET-REFERENCE-6b1f0c"
    zygote.run(job(f"TEXT = '{secret}'\ndef run():\n    return {{'value': 1}}\n"))
    finder = """
        import gc
        def run():
            hits = [o for o in gc.get_objects() if isinstance(o, str) and 'SECRET-REF' + 'ERENCE' in o]
            for o in gc.get_objects():
                if isinstance(o, dict):
                    hits += [v for v in o.values() if isinstance(v, str) and 'SECRET-REF' + 'ERENCE' in v]
            return {'value': str(len(hits))}
    """
    for _ in range(2):
        assert value(zygote.run(job(finder))) == "0"


def test_zygote_is_restarted_after_being_killed():
    executor = ZygoteExecutor(slots=1)
    try:
        first = executor.zygote_pids[0]
        os.kill(first, signal.SIGKILL)
        time.sleep(0.1)
        result = executor.run(job("def run():\n    return {'value': 7}\n"))
        assert result.termination == OK and int(value(result)) == 7
        assert executor.zygote_pids[0] != first
    finally:
        executor.close()
    assert processes_of(executor.uids) == []


def test_job_cannot_kill_the_zygote(zygote):
    pids = set(zygote.zygote_pids)
    code = "import os, signal\nfor pid in (-1, 0, 1, os.getppid()):\n    try:\n        os.kill(pid, signal.SIGKILL)\n    except OSError:\n        pass\ndef run():\n    return {'value': 1}\n"
    for _ in range(2):
        zygote.run(job(code))
    assert set(zygote.zygote_pids) == pids
    assert all(os.path.exists(f"/proc/{pid}") for pid in pids)


def test_two_slots_run_concurrently(zygote):
    results = []

    def one():
        results.append(zygote.run(job("import time\ndef run():\n    time.sleep(0.6)\n    return {'value': 1}\n")))

    started = time.monotonic()
    threads = [threading.Thread(target=one) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [r.termination for r in results] == [OK, OK]
    assert time.monotonic() - started < 1.1


def test_grading_through_the_api(zygote):
    question = load_question(MINI, "scale")
    result = grade_code(question, question.reference, seed=3, executor=zygote)
    assert result.status == "passed" and result.score == question.max_score
    wrong = grade_code(question, "def scale(x, k):\n    return x\n", seed=3, executor=zygote)
    assert wrong.status != "passed"


def test_prints_during_hidden_checks_do_not_come_back(zygote):
    question = load_question(MINI, "scale")  # its gradient check (n=3) is hidden
    code = ('import os\ndef scale(x, k):\n    print("len", len(x))\n'
            '    os.write(2, b"fd%d\\n" % len(x))\n    return k * x\n')
    output = grade_code(question, code, seed=3, executor=zygote).output
    assert "len 4" in output and "fd4" in output
    assert "len 3" not in output and "fd3" not in output


def test_close_leaves_no_cgroups_or_processes():
    executor = ZygoteExecutor(slots=1)
    cgroups = dict(executor._slots[0].cgroups)
    pids = executor.zygote_pids
    executor.run(job("def run():\n    return {'value': 1}\n"))
    executor.close()
    assert all(not os.path.exists(path) for path in cgroups.values())
    time.sleep(0.1)
    assert all(pid not in processes_of({0}) for pid in pids)


def test_fresh_executor_runs_and_limits():
    from grader.sandbox import FreshExecutor

    executor = FreshExecutor()
    ok = executor.run(job("import os\ndef run():\n    return {'value': [str(os.getuid()), str(sorted(os.listdir('/')))]}\n"))
    assert ok.termination == OK, (ok.detail, ok.output)
    uid, root = value(ok)
    assert int(uid) != 0 and "home" not in root
    slow = executor.run(job("while True:\n    pass\n", Limits(cpu_seconds=1, wall_seconds=5, memory_mb=256)))
    assert slow.termination == TIMEOUT
    denied = executor.run(job("import socket\nsocket.socket()\n"))
    assert "EAFNOSUPPORT" in str(denied.module_error) or "family" in str(denied.module_error)


def test_numpy_works_inside(zygote):
    code = "import numpy as np\ndef run():\n    a = np.arange(12.0).reshape(3, 4)\n    return {'value': a @ a.T, 'fft': np.abs(np.fft.fft(np.ones(4)))}\n"
    result = zygote.run(job(code))
    assert result.termination == OK, result
    assert np.allclose(value(result), np.arange(12.0).reshape(3, 4) @ np.arange(12.0).reshape(3, 4).T)
    assert np.allclose(result.cases["run"].arrays["fft"], [4, 0, 0, 0])




def test_stale_slot_cgroups_of_dead_processes_are_swept():
    from grader.sandbox import executor as executor_module

    own = executor_module._own_cgroup("memory")
    parent = f"/sys/fs/cgroup/memory{own}" if own is not None else ""
    if not own or not os.path.isdir(parent):
        pytest.skip("no cgroup v1 memory controller here")
    dead_pid = 4_194_000  # above the default pid_max: never a live process
    stale = os.path.join(parent, f"grader-{dead_pid}-0")
    os.makedirs(stale, exist_ok=True)
    executor_module._swept.discard(parent)
    executor = ZygoteExecutor(slots=1)
    executor.close()
    assert not os.path.exists(stale)


def test_default_executor_is_shared_and_sized_from_the_environment(monkeypatch):
    import grader.sandbox as sandbox

    monkeypatch.setattr(sandbox, "_default", None)
    monkeypatch.setenv("GRADER_SLOTS", "2")
    first = sandbox.default_executor()
    try:
        assert first is sandbox.default_executor()
        assert len(first.uids) == 2
        assert first.run(job("def run():\n    return {'value': 5}\n")).termination == OK
    finally:
        first.close()


def test_no_state_crosses_jobs_in_the_same_slot():
    """An abstract UNIX socket kept alive after its job (its own descriptor in flight in a
    socket cycle, which the kernel frees only later) must not be reachable by the next job: a job
    cannot name, reach or serve a socket at all (seccomp), only use a socketpair."""
    name = f"\\0dlgrade-crossjob-{os.getpid()}-{time.monotonic_ns()}"
    leave_behind = f"""
        import array, socket
        def run():
            listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            for step in (lambda: listener.bind({name!r}), lambda: listener.listen(8)):
                try:
                    step()
                except OSError as error:
                    return {{'value': type(error).__name__}}
            a, b = socket.socketpair()
            fds = array.array('i', [listener.fileno(), a.fileno(), b.fileno()])
            a.sendmsg([b'x'], [(socket.SOL_SOCKET, socket.SCM_RIGHTS, fds)])
            b.sendmsg([b'x'], [(socket.SOL_SOCKET, socket.SCM_RIGHTS, fds)])
            return {{'value': 'left a listener'}}
    """
    reach = f"""
        import socket
        def run():
            probe = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            try:
                probe.connect({name!r})
                return {{'value': 'reached'}}
            except OSError as error:
                return {{'value': type(error).__name__}}
    """
    datagram = f"""
        import socket
        def run():
            sender = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
            try:
                sender.sendto(b'x', {name!r})
                return {{'value': 'sent'}}
            except OSError as error:
                return {{'value': type(error).__name__}}
    """
    executor = ZygoteExecutor(slots=1)
    try:
        assert value(executor.run(job(leave_behind))) == "PermissionError"
        for _ in range(3):
            assert value(executor.run(job(reach))) == "PermissionError"
            assert value(executor.run(job(datagram))) != "sent"
    finally:
        executor.close()

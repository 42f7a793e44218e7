"""``python -m grader bench``: sandbox overhead and throughput, measured in one run.

Wall-clock figures depend on what else the machine runs; the CPU figures (this process, the
zygotes and every job they reaped) much less: they say what the sandbox costs per grading and how
many gradings per second that leaves on ``WORKERS`` cores.

Every mode grades the same correct submission (the question's own reference, submitted as if a
student wrote it) with the same seeds; the reference results are cached up front in every mode, so
each grading costs one student job and the numbers compare the executors, not the NumPy work.
  * in-process: no isolation at all (the baseline for overhead)
  * zygote: the product's sandbox (fork per job from a warm parent)
  * fresh: a new interpreter per job under bubblewrap (the usual design, for the throughput ratio)
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from grader.api import grade_code, load_question
from grader.harness.inprocess import InProcessExecutor
from grader.job import Executor
from grader.question import CodeQuestion

SEEDS = tuple(range(8))
WORKERS = 2
# A job runs NumPy on one thread (sandbox.layout.clean_environment); so must the baseline, or the
# in-process numbers measure BLAS threads fighting over the cores instead of the sandbox's cost.
ONE_THREAD = {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}


def _latencies(question: CodeQuestion, executor: Executor, count: int) -> list[float]:
    latencies = []
    for index in range(count):
        started = time.perf_counter()
        result = grade_code(question, question.reference, seed=SEEDS[index % len(SEEDS)], executor=executor)
        latencies.append((time.perf_counter() - started) * 1000)
        if result.status != "passed":
            raise SystemExit(f"bench: the reference did not pass ({result.status}: {result.message})")
    return latencies


def _throughput(question: CodeQuestion, executor: Executor, count: int) -> float:
    def one(index: int) -> str:
        return grade_code(question, question.reference, seed=SEEDS[index % len(SEEDS)], executor=executor).status

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        statuses = list(pool.map(one, range(count)))
    elapsed = time.perf_counter() - started
    if set(statuses) != {"passed"}:
        raise SystemExit(f"bench: some gradings did not pass: {sorted(set(statuses))}")
    return count / elapsed


def measure(question: CodeQuestion, jobs: int) -> dict[str, Any]:
    from grader.sandbox import FreshExecutor, ZygoteExecutor

    inprocess = InProcessExecutor()
    zygote = ZygoteExecutor(slots=WORKERS)
    fresh = FreshExecutor()
    try:
        _latencies(question, zygote, len(SEEDS) * 2)  # warm the zygotes and the reference cache
        _latencies(question, inprocess, len(SEEDS))
        fresh_jobs = max(10, jobs // 8)
        cpu_before = _cpu_ms(zygote.zygote_pids)
        inprocess_ms = _latencies(question, inprocess, jobs)
        inprocess_cpu = (_cpu_ms(zygote.zygote_pids) - cpu_before) / jobs
        cpu_before = _cpu_ms(zygote.zygote_pids)
        zygote_ms = _latencies(question, zygote, jobs)
        zygote_cpu = (_cpu_ms(zygote.zygote_pids) - cpu_before) / jobs
        fresh_ms = _latencies(question, fresh, fresh_jobs)
        zygote_rate = _throughput(question, zygote, jobs)
        fresh_rate = _throughput(question, fresh, fresh_jobs)
    finally:
        zygote.close()
        fresh.close()
    numbers: dict[str, Any] = {
        "question": question.slug,
        "checks": len(question.checks),
        "jobs": jobs,
        "fresh_jobs": fresh_jobs,
        "workers": WORKERS,
        "inprocess_ms_median": statistics.median(inprocess_ms),
        "zygote_ms_median": statistics.median(zygote_ms),
        "zygote_ms_p95": _p95(zygote_ms),
        "fresh_ms_median": statistics.median(fresh_ms),
        "zygote_gradings_per_s": zygote_rate,
        "inprocess_cpu_ms": inprocess_cpu,
        "zygote_cpu_ms": zygote_cpu,
        # what the CPU time allows on 2 cores, whatever else the machine runs meanwhile
        "zygote_cpu_gradings_per_s": WORKERS * 1000 / zygote_cpu,
        "fresh_gradings_per_s": fresh_rate,
    }
    numbers["zygote_overhead_ms_median"] = numbers["zygote_ms_median"] - numbers["inprocess_ms_median"]
    numbers["zygote_overhead_cpu_ms"] = zygote_cpu - inprocess_cpu
    numbers["zygote_vs_fresh_throughput"] = zygote_rate / fresh_rate
    numbers["fresh_vs_zygote_latency"] = numbers["fresh_ms_median"] / numbers["zygote_ms_median"]
    return {key: (round(value, 3) if isinstance(value, float) else value) for key, value in numbers.items()}


def _cpu_ms(zygote_pids: list[int]) -> float:
    """CPU time of this process (the grader: encoding, decoding, checks) and of the zygotes with
    every job they forked and reaped: a grading's whole cost, which a busy machine does not inflate
    the way it inflates wall-clock times."""
    own = os.times()
    total = (own.user + own.system) * 1000
    tick = os.sysconf("SC_CLK_TCK")
    for pid in zygote_pids:
        with open(f"/proc/{pid}/stat") as stream:
            fields = stream.read().rsplit(")", 1)[1].split()
        total += sum(int(value) for value in fields[11:15]) * 1000 / tick  # utime stime cutime cstime
    return total


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]


TARGETS = (
    ("zygote_overhead_ms_median", "<=", 4.0, "median sandbox overhead per grading (ms)"),
    ("zygote_gradings_per_s", ">=", 150.0, "gradings/s, 2 zygotes"),
    ("zygote_vs_fresh_throughput", ">=", 8.0, "throughput vs fresh-interpreter sandbox (x)"),
)


def run_bench(args: argparse.Namespace) -> int:
    if any(os.environ.get(name) != value for name, value in ONE_THREAD.items()):
        # NumPy is loaded already: start again with one BLAS thread, as the jobs have
        os.execve(sys.executable, [sys.executable, "-m", "grader", *sys.argv[1:]],
                  {**os.environ, **ONE_THREAD})
    numbers = measure(load_question(args.bundle, args.question), args.jobs)
    if args.json:
        print(json.dumps(numbers))
        return 0
    print(f"grader bench: {numbers['question']} ({numbers['checks']} checks), "
          f"{numbers['jobs']} gradings per mode ({numbers['fresh_jobs']} fresh), {WORKERS} workers")
    print(f"  in-process (no isolation)  median {numbers['inprocess_ms_median']:8.2f} ms")
    print(f"  zygote sandbox             median {numbers['zygote_ms_median']:8.2f} ms  "
          f"p95 {numbers['zygote_ms_p95']:.2f} ms  {numbers['zygote_gradings_per_s']:7.1f} gradings/s")
    print(f"  fresh interpreter sandbox  median {numbers['fresh_ms_median']:8.2f} ms  "
          f"{'':>14}{numbers['fresh_gradings_per_s']:7.1f} gradings/s")
    print(f"  CPU per grading: in-process {numbers['inprocess_cpu_ms']:.2f} ms, zygote sandbox "
          f"{numbers['zygote_cpu_ms']:.2f} ms (grader + zygote + job; overhead "
          f"{numbers['zygote_overhead_cpu_ms']:.2f} ms) = {numbers['zygote_cpu_gradings_per_s']:.1f} "
          f"gradings/s on {WORKERS} cores")
    for key, op, target, label in TARGETS:
        value = numbers[key]
        met = value <= target if op == "<=" else value >= target
        print(f"  {label:<48} {value:8.2f}  target {op} {target:g}  {'met' if met else 'NOT MET'}")
    return 0

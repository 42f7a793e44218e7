"""``python -m grader``: grade a file, run one on a question's examples, validate a bundle, run the benchmark.

Contract (keep stable): ``grade <bundle-dir> <question-slug> <submission.py> --json`` prints exactly
one JSON object and exits 0 whenever a verdict was reached, passed or not. Exit 2: bad arguments,
unknown bundle or question, unreadable file (a message on stderr, nothing on stdout). Exit 3:
grading could not run (the sandbox failed, or the grader itself raised); with ``--json`` stdout
still holds one object, ``{"status": "error", "message": ...}``.
"""

from __future__ import annotations

import argparse
import json
import secrets
import sys
import traceback
from pathlib import Path
from typing import Any

from grader.errors import BundleError, GraderUnavailable
from grader.result import ERROR
from grader.sanitize import clean_text, json_safe

EXIT_USAGE = 2
EXIT_UNAVAILABLE = 3


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m grader", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)

    grade = commands.add_parser("grade", help="grade one submission file")
    grade.add_argument("bundle", help="bundle folder, e.g. assignments/ch07-cnn")
    grade.add_argument("question", help="code question slug, e.g. convolution")
    grade.add_argument("submission", help="the student's .py file")
    grade.add_argument("--json", action="store_true", help="print one JSON object")
    grade.add_argument("--seed", type=int, default=None,
                       help="input seed (default: a fresh one per run, printed with the result; "
                            "give it to reproduce a run)")
    grade.add_argument("--reveal-hidden", action="store_true",
                       help="show hidden checks' names and messages (the staff view); by default "
                            "the output is what the student sees")
    grade.add_argument("--lang", choices=("ko", "en"), default="en", help="language of hints")
    grade.add_argument("--executor", choices=("zygote", "fresh", "inprocess"), default="zygote",
                       help="zygote (default) is the sandbox; inprocess has NO isolation")

    run = commands.add_parser(
        "run", help="run code on a question's public examples and a scratch cell (no grading); "
                    "prints one JSON object")
    run.add_argument("bundle", help="bundle folder, e.g. assignments/ch07-cnn")
    run.add_argument("question", help="code question slug, e.g. convolution")
    run.add_argument("code", help="the student's .py file")
    cell = run.add_mutually_exclusive_group()
    cell.add_argument("--scratch", default="", help="the scratch cell's source, run after the module "
                                                    "in its namespace (e.g. 'Convolution(W, b).forward(x)')")
    cell.add_argument("--scratch-file", default=None, help="read the scratch cell from this file")
    run.add_argument("--seed", type=int, default=None,
                     help="seeds np.random in the scratch cell (default: a fresh one per run)")
    run.add_argument("--executor", choices=("zygote", "fresh", "inprocess"), default="zygote",
                     help="zygote (default) is the sandbox; inprocess has NO isolation")
    run.set_defaults(json=True)  # always JSON, even {"status": "error"} when it could not run

    validate = commands.add_parser("validate", help="check a bundle's code questions")
    validate.add_argument("bundle")

    references = commands.add_parser(
        "check-references", help="grade every code question's reference against its checks")
    references.add_argument("bundle")

    folder = commands.add_parser("grade-folder", help="grade every .py file in a folder into a CSV")
    folder.add_argument("bundle")
    folder.add_argument("question")
    folder.add_argument("folder")
    folder.add_argument("--out", default="-", help="CSV file (default: stdout)")
    folder.add_argument("--workers", type=int, default=2)
    folder.add_argument("--seed", type=int, default=0)
    folder.add_argument("--executor", choices=("zygote", "fresh", "inprocess"), default="zygote")

    bench = commands.add_parser("bench", help="measure sandbox overhead and throughput")
    bench.add_argument("--json", action="store_true")
    bench.add_argument("--jobs", type=int, default=200, help="gradings per measurement")
    bench.add_argument("--bundle", default=str(Path(__file__).resolve().parent.parent / "assignments" / "ch07-cnn"))
    bench.add_argument("--question", default="convolution")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        if args.command == "grade":
            return _grade(args)
        if args.command == "run":
            return _run(args)
        if args.command == "validate":
            return _validate(args)
        if args.command == "check-references":
            return _check_references(args)
        if args.command == "grade-folder":
            return _grade_folder(args)
        from grader.bench import run_bench

        return run_bench(args)
    except BundleError as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_USAGE
    except GraderUnavailable as error:
        return _could_not_run(args, f"grading could not run: {error}")
    except Exception as error:  # a bug, or data that slipped past the checks: never a bare crash
        traceback.print_exc(file=sys.stderr)
        return _could_not_run(args, f"grading failed: {type(error).__name__}: {error}")


def _could_not_run(args: argparse.Namespace, message: str) -> int:
    message = clean_text(message[:2000])
    print(f"error: {message}", file=sys.stderr)
    if getattr(args, "json", False):
        write_json({"status": ERROR, "message": message})
    return EXIT_UNAVAILABLE


def write_json(data: Any) -> None:
    """One JSON object on one line: strict JSON (no NaN/Infinity), valid UTF-8 whatever the
    locale says stdout's encoding is."""
    _write_stdout(json.dumps(json_safe(data), ensure_ascii=False, allow_nan=False))


def _write_stdout(text: str) -> None:
    data = (clean_text(text) + "\n").encode("utf-8")
    sys.stdout.flush()
    buffer = getattr(sys.stdout, "buffer", None)
    if buffer is None:  # a text-only stream (tests redirecting stdout)
        sys.stdout.write(data.decode("utf-8"))
    else:
        buffer.write(data)
    sys.stdout.flush()


def make_executor(name: str):  # type: ignore[no-untyped-def]
    if name == "inprocess":
        from grader.harness.inprocess import InProcessExecutor

        return InProcessExecutor()
    if name == "fresh":
        from grader.sandbox import FreshExecutor

        return FreshExecutor()
    from grader.sandbox import default_executor

    return default_executor()


def _grade(args: argparse.Namespace) -> int:
    from grader.api import grade_code, load_question

    question = load_question(args.bundle, args.question)
    try:
        code = Path(args.submission).read_bytes()
    except OSError as error:
        print(f"error: cannot read {args.submission}: {error.strerror}", file=sys.stderr)
        return EXIT_USAGE
    # Fresh inputs per run: feedback on one run describes inputs the next run never gets.
    seed = secrets.randbelow(2**63) if args.seed is None else args.seed
    result = grade_code(question, code, seed=seed, executor=make_executor(args.executor),
                        lang=args.lang)
    shown = result.to_dict() if args.reveal_hidden else result.public_dict()
    if args.json:
        write_json(shown)
    else:
        _write_stdout(render_report(shown))
    return 0


def _run(args: argparse.Namespace) -> int:
    """``run``: what the Run button shows, as JSON (grader/run.py); exit 0 whenever it ran."""
    from grader.api import load_question
    from grader.run import run_code

    question = load_question(args.bundle, args.question)
    try:
        code = Path(args.code).read_bytes()
        scratch = Path(args.scratch_file).read_bytes() if args.scratch_file else args.scratch
    except OSError as error:
        print(f"error: cannot read {error.filename}: {error.strerror}", file=sys.stderr)
        return EXIT_USAGE
    seed = secrets.randbelow(2**63) if args.seed is None else args.seed
    write_json(run_code(question, code, scratch, executor=make_executor(args.executor), seed=seed))
    return 0


def _validate(args: argparse.Namespace) -> int:
    """Every question of the bundle: code questions by the grader, the others by the question
    kinds (the top-level ``kinds`` package next to ``grader``: plain Python, no Django). Reports
    every problem, not only the first."""
    from grader.bundle import read_bundle
    from grader.question import code_question_from_source
    from kinds import get_kind

    bundle = read_bundle(args.bundle)
    problems = 0
    for source in bundle.questions:
        where = str(source.dir / "question.yaml")
        try:
            if source.kind == "code":
                question = code_question_from_source(source)
                print(f"ok  {source.slug}: {len(question.checks)} checks, {question.max_score:g} points")
            else:
                get_kind(source.kind).validate(source.spec, where)
                print(f"ok  {source.slug}: {source.kind}")
        except BundleError as error:
            problems += 1
            print(f"BAD {source.slug}: {error}")
        except KeyError as error:  # unknown kind
            problems += 1
            print(f"BAD {source.slug}: {where}: kind: {error.args[0]}")
    if problems:
        print(f"{problems} question(s) with problems", file=sys.stderr)
        return 1
    return 0


def _check_references(args: argparse.Namespace) -> int:
    from grader.batch import all_passed, check_references

    outcomes = check_references(args.bundle, make_executor("zygote"))
    for slug, result in outcomes:
        print(f"{'ok ' if result.status == 'passed' else 'BAD'} {slug}: {result.status} "
              f"{result.score:g}/{result.max_score:g}")
        if result.status != "passed":
            print(render_report(result.to_dict()))
    return 0 if all_passed(outcomes) else 1


def _grade_folder(args: argparse.Namespace) -> int:
    from grader.api import load_question
    from grader.batch import grade_folder, progress_bar, write_csv

    question = load_question(args.bundle, args.question)
    folder = Path(args.folder)
    if not folder.is_dir():
        print(f"error: {folder} is not a folder", file=sys.stderr)
        return EXIT_USAGE
    rows = grade_folder(question, folder.glob("*.py"), seed=args.seed,
                        executor=make_executor(args.executor), workers=args.workers,
                        progress=progress_bar())
    if args.out == "-":
        write_csv(rows, sys.stdout)
    else:
        with open(args.out, "w", newline="", encoding="utf-8") as stream:
            write_csv(rows, stream)
        print(f"wrote {len(rows)} rows to {args.out}", file=sys.stderr)
    return 0


def render_report(result: dict[str, Any]) -> str:
    """A readable report of a verdict as ``GradeResult.to_dict()`` or ``public_dict()`` gives it."""
    lines = [f"{result['question']}: {result['status'].upper()}  {result['score']:g} / "
             f"{result['max_score']:g}  (seed {result['seed']})"]
    if result["message"]:
        lines.append(result["message"])
    for check in result["checks"]:
        mark = "PASS" if check["passed"] else "FAIL"
        hidden = " [hidden]" if check["hidden"] else ""
        lines.append(f"  [{mark}] {check['name']}{hidden}  {check['score']:g}/{check['max_score']:g}")
        for line in check["message"].splitlines():
            lines.append(f"         {line}")
        if check["hint"]:
            lines.append(f"         hint: {check['hint']}")
    if result["output"]:
        lines.append("--- your output ---")
        lines.append(result["output"].rstrip())
    timing = result["timings"].get("total_ms")
    if timing is not None:
        lines.append(f"(graded in {timing:.1f} ms)")
    return "\n".join(lines)

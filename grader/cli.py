"""``python -m grader``: grade a file, validate a bundle, run the benchmark.

Contract (keep stable): ``grade <bundle-dir> <question-slug> <submission.py> --json`` prints exactly
one JSON object and exits 0 whenever a verdict was reached, passed or not. Exit 2: bad arguments,
unknown bundle or question, unreadable file. Exit 3: the sandbox could not run.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from grader.errors import BundleError, GraderUnavailable
from grader.result import GradeResult

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
    grade.add_argument("--seed", type=int, default=0, help="input seed (default 0)")
    grade.add_argument("--lang", choices=("ko", "en"), default="en", help="language of hints")
    grade.add_argument("--executor", choices=("zygote", "fresh", "inprocess"), default="zygote",
                       help="zygote (default) is the sandbox; inprocess has NO isolation")

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
        print(f"error: grading could not run: {error}", file=sys.stderr)
        return EXIT_UNAVAILABLE


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
    result = grade_code(question, code, seed=args.seed, executor=make_executor(args.executor),
                        lang=args.lang)
    if args.json:
        print(json.dumps(result.to_dict(), ensure_ascii=False))
    else:
        print(render_report(result))
    return 0


def _validate(args: argparse.Namespace) -> int:
    """Every question of the bundle: code questions by the grader, the others by the platform's
    question kinds (plain Python, no Django). Reports every problem, not only the first."""
    from grader.bundle import read_bundle
    from grader.question import code_question_from_source

    bundle = read_bundle(args.bundle)
    get_kind = _platform_kinds()
    problems = 0
    for source in bundle.questions:
        where = str(source.dir / "question.yaml")
        try:
            if source.kind == "code":
                question = code_question_from_source(source)
                print(f"ok  {source.slug}: {len(question.checks)} checks, {question.max_score:g} points")
            elif get_kind is None:
                print(f"ok  {source.slug}: {source.kind} (not checked: the platform's kinds are not installed)")
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


def _platform_kinds():  # type: ignore[no-untyped-def]
    """``get_kind`` of the platform's question kinds when this checkout has them, else None."""
    kinds_dir = Path(__file__).resolve().parent.parent / "platform"
    if not (kinds_dir / "assessments" / "kinds" / "__init__.py").is_file():
        return None
    if str(kinds_dir) not in sys.path:
        sys.path.append(str(kinds_dir))
    from assessments.kinds import get_kind

    return get_kind


def _check_references(args: argparse.Namespace) -> int:
    from grader.batch import all_passed, check_references

    outcomes = check_references(args.bundle, make_executor("zygote"))
    for slug, result in outcomes:
        print(f"{'ok ' if result.status == 'passed' else 'BAD'} {slug}: {result.status} "
              f"{result.score:g}/{result.max_score:g}")
        if result.status != "passed":
            print(render_report(result))
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


def render_report(result: GradeResult) -> str:
    lines = [f"{result.question}: {result.status.upper()}  {result.score:g} / {result.max_score:g}"
             f"  (seed {result.seed})"]
    if result.message:
        lines.append(result.message)
    for check in result.checks:
        mark = "PASS" if check.passed else "FAIL"
        hidden = " [hidden]" if check.hidden else ""
        lines.append(f"  [{mark}] {check.name}{hidden}  {check.score:g}/{check.max_score:g}")
        for line in check.message.splitlines():
            lines.append(f"         {line}")
        if check.hint:
            lines.append(f"         hint: {check.hint}")
    if result.output:
        lines.append("--- your output ---")
        lines.append(result.output.rstrip())
    timing = result.timings.get("total_ms")
    if timing is not None:
        lines.append(f"(graded in {timing:.1f} ms)")
    return "\n".join(lines)

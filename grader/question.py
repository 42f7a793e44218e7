"""A code question, validated: what the runner needs to grade a submission against it."""

from __future__ import annotations

import ast
import hashlib
import json
from dataclasses import dataclass, replace
from functools import cached_property
from pathlib import Path
from typing import Any

from grader.bundle import LANGS, QuestionSource, localized, read_question
from grader.checks import COMPARES, unread_from_reference
from grader.crosscheck import CrossCheckSpec, parse_crosschecks
from grader.diagnosis import DiagnosisSpec, parse_diagnosis
from grader.errors import BundleError
from grader.job import CaseSpec, Limits

TEXTBOOK_MODULES = ("util", "functions", "gradient", "layers", "layers_conv")
LIMIT_FIELDS = {"cpu_seconds": float, "wall_seconds": float, "memory_mb": int}


@dataclass(frozen=True)
class CompareSpec:
    kind: str
    params: dict[str, Any]


@dataclass(frozen=True)
class CheckSpec:
    name: str
    probe: str
    args: dict[str, Any]
    points: float
    hidden: bool
    compare: tuple[CompareSpec, ...]
    hint: dict[str, str]
    # Names of checks that must pass for this one to score (e.g. the large-input backward check
    # that only backpropagation finishes in time): see grader/checks/requirements.py.
    requires: tuple[str, ...] = ()
    # Opted into the faulty-part diagnosis when it fails (grader/diagnosis.py): small checks only.
    diagnose: bool = False


@dataclass(frozen=True)
class ExampleSpec:
    """A public example a student can run (the Run button): fixed inputs, shown with the reference's
    results. Never graded; ``compare`` decides only whether it shows as matching."""

    name: str
    title: dict[str, str]
    probe: str
    args: dict[str, Any]
    compare: tuple[CompareSpec, ...]
    seed: int = 0  # fixed in question.yaml: an example's inputs are the same for everyone

    def case_spec(self) -> CaseSpec:
        return CaseSpec(name=self.name, probe=self.probe, args=self.args,
                        seed=case_seed(self.seed, f"example:{self.name}"))


@dataclass(frozen=True)
class CodeQuestion:
    slug: str
    title: dict[str, str]
    template: str
    reference: str
    probes: str
    textbook: tuple[str, ...]
    limits: Limits
    checks: tuple[CheckSpec, ...]
    content_hash: str
    examples: tuple[ExampleSpec, ...] = ()  # public examples for the Run button (grader/run.py)
    diagnosis: DiagnosisSpec | None = None  # which own part makes a check fail (grader/diagnosis.py)
    crosschecks: tuple[CrossCheckSpec, ...] = ()  # the code against the student's numeric answers

    @property
    def max_score(self) -> float:
        return float(sum(check.points for check in self.checks))

    def case_specs(self, seed: int) -> tuple[CaseSpec, ...]:
        return tuple(
            CaseSpec(name=c.name, probe=c.probe, args=c.args, seed=case_seed(seed, c.name), quiet=c.hidden)
            for c in self.checks
        )

    def reference_case_specs(self, seed: int) -> tuple[CaseSpec, ...]:
        """``case_specs`` for the reference's job: values only the student's side is read for (a
        gradient check's finite differences) are skipped when the probe defers them."""
        return tuple(replace(case, skip=skip)
                     for case, skip in zip(self.case_specs(seed), self._reference_skips, strict=True))

    @cached_property
    def _reference_skips(self) -> tuple[tuple[str, ...], ...]:
        return tuple(unread_from_reference([(c.kind, c.params) for c in check.compare]) for check in self.checks)


def case_seed(seed: int, name: str) -> int:
    """Each check gets its own stream, so adding a check never changes another check's inputs."""
    digest = hashlib.sha256(f"{seed}:{name}".encode()).digest()
    return int.from_bytes(digest[:8], "big") & (2**63 - 1)


def load_code_question(bundle_dir: str | Path, slug: str) -> CodeQuestion:
    return code_question_from_source(read_question(bundle_dir, slug))


def code_question_from_source(source: QuestionSource) -> CodeQuestion:
    where = str(source.dir / "question.yaml")
    spec = source.spec
    if source.kind != "code":
        raise BundleError(where, "kind", f"is {source.kind!r}, not a code question")
    probe_names = _function_names(source.files["probes"], str(source.dir / "probes.py"))
    for name in ("template", "reference"):
        _function_names(source.files[name], str(source.dir / f"{name}.py"))  # must parse
    textbook = spec.get("textbook", ["util", "functions", "gradient", "layers"])
    if not isinstance(textbook, list) or not set(textbook) <= set(TEXTBOOK_MODULES):
        raise BundleError(where, "textbook", f"must be a list drawn from {TEXTBOOK_MODULES}")
    if "layers_conv" in textbook and "layers" not in textbook:
        raise BundleError(where, "textbook", "layers_conv needs layers")
    raw_checks = spec.get("checks")
    if not isinstance(raw_checks, list) or not raw_checks:
        raise BundleError(where, "checks", "must be a non-empty list")
    checks = tuple(
        _check(raw, f"checks[{index}]", where, probe_names) for index, raw in enumerate(raw_checks)
    )
    names = [check.name for check in checks]
    if len(set(names)) != len(names):
        raise BundleError(where, "checks", "check names must be unique")
    _validate_requires(checks, where)
    diagnosis = parse_diagnosis(spec.get("diagnose"), where, probe_names)
    if diagnosis is None and any(check.diagnose for check in checks):
        raise BundleError(where, "diagnose", "checks say diagnose: true, but the question has no diagnose: {probe, whole, uses}")
    examples = _examples(spec.get("examples", []), where, probe_names)
    return CodeQuestion(
        slug=source.slug,
        title=localized(spec.get("title"), where, "title"),
        template=source.files["template"],
        reference=source.files["reference"],
        probes=source.files["probes"],
        textbook=tuple(textbook),
        limits=_limits(spec.get("limits", {}), where),
        checks=checks,
        content_hash=source.content_hash,
        examples=examples,
        diagnosis=diagnosis,
        crosschecks=parse_crosschecks(spec.get("crosschecks"), where, probe_names),
    )


def _function_names(source: str, path: str) -> set[str]:
    try:
        tree = ast.parse(source, filename=path)
    except SyntaxError as error:
        raise BundleError(path, f"line {error.lineno}", f"syntax error: {error.msg}") from None
    return {node.name for node in tree.body if isinstance(node, ast.FunctionDef)}


def _compares(compares: Any, field: str, where: str, kinds: dict[str, Any]) -> tuple[CompareSpec, ...]:
    if not isinstance(compares, list) or not compares:
        raise BundleError(where, f"{field}.compare", "must be a non-empty list")
    parsed = []
    for index, item in enumerate(compares):
        item_field = f"{field}.compare[{index}]"
        if not isinstance(item, dict) or item.get("kind") not in kinds:
            raise BundleError(where, f"{item_field}.kind", f"must be one of {sorted(kinds)}")
        params = {key: value for key, value in item.items() if key != "kind"}
        try:
            kinds[item["kind"]].validate(params)
        except ValueError as error:
            raise BundleError(where, item_field, str(error)) from None
        parsed.append(CompareSpec(kind=item["kind"], params=params))
    return tuple(parsed)


def _check(raw: Any, field: str, where: str, probes: set[str]) -> CheckSpec:
    if not isinstance(raw, dict):
        raise BundleError(where, field, "must be a mapping")
    name = raw.get("name")
    if not isinstance(name, str) or not name.strip():
        raise BundleError(where, f"{field}.name", "missing")
    probe = raw.get("probe")
    if probe not in probes:
        raise BundleError(where, f"{field}.probe", f"{probe!r} is not a function in probes.py")
    args = raw.get("args", {})
    if not isinstance(args, dict):
        raise BundleError(where, f"{field}.args", "must be a mapping")
    points = raw.get("points", 1)
    if not isinstance(points, (int, float)) or isinstance(points, bool) or points < 0:
        raise BundleError(where, f"{field}.points", "must be a number >= 0")
    parsed = _compares(raw.get("compare"), field, where, COMPARES)
    hint = raw.get("hint")
    hints = localized(hint, where, f"{field}.hint") if hint is not None else dict.fromkeys(LANGS, "")
    requires = raw.get("requires", [])
    if not isinstance(requires, list) or not all(isinstance(n, str) and n.strip() for n in requires):
        raise BundleError(where, f"{field}.requires", "must be a list of check names")
    return CheckSpec(
        name=name.strip(), probe=probe, args=args, points=float(points),
        hidden=bool(raw.get("hidden", False)), compare=parsed, hint=hints,
        requires=tuple(dict.fromkeys(n.strip() for n in requires)),
        diagnose=_diagnose_flag(raw.get("diagnose", False), field, where),
    )


# Examples show the student's value next to the reference's, key by key: only the compare kinds
# that name one value. (selfgrad compares two values of the student's own run: nothing to show.)
EXAMPLE_COMPARES = {kind: COMPARES[kind] for kind in ("allclose", "equal")}
MAX_EXAMPLES = 8
MAX_EXAMPLE_ARGS_BYTES = 16 * 1024
RESERVED_EXAMPLE_PREFIX = "__"  # case names of the Run job's own cases (the scratch cell)


def _examples(raw: Any, where: str, probes: set[str]) -> tuple[ExampleSpec, ...]:
    """``examples:``: public, fixed inputs for the Run button. Each is
    ``{name, title: {ko, en}, probe, args, compare, seed?}``; see assignments/README.md."""
    if not isinstance(raw, list):
        raise BundleError(where, "examples", "must be a list of examples")
    if len(raw) > MAX_EXAMPLES:
        raise BundleError(where, "examples", f"at most {MAX_EXAMPLES} examples (a Run shows them all)")
    examples = tuple(_example(item, f"examples[{index}]", where, probes) for index, item in enumerate(raw))
    names = [example.name for example in examples]
    if len(set(names)) != len(names):
        raise BundleError(where, "examples", "example names must be unique")
    return examples


def _example(raw: Any, field: str, where: str, probes: set[str]) -> ExampleSpec:
    if not isinstance(raw, dict):
        raise BundleError(where, field, "must be a mapping {name, title, probe, args, compare}")
    unknown = set(raw) - {"name", "title", "probe", "args", "compare", "seed"}
    if unknown:
        raise BundleError(where, field, f"unknown field(s) {sorted(unknown)}; an example has name, "
                          "title, probe, args, compare and optionally seed")
    name = raw.get("name")
    if not isinstance(name, str) or not name.strip():
        raise BundleError(where, f"{field}.name", "missing")
    if name.strip().startswith(RESERVED_EXAMPLE_PREFIX) or len(name) > 200:
        raise BundleError(where, f"{field}.name", f"must not start with {RESERVED_EXAMPLE_PREFIX!r} "
                          "and must be at most 200 characters")
    title = localized(raw.get("title"), where, f"{field}.title")
    probe = raw.get("probe")
    if probe not in probes:
        raise BundleError(where, f"{field}.probe", f"{probe!r} is not a function in probes.py")
    args = raw.get("args", {})
    if not isinstance(args, dict):
        raise BundleError(where, f"{field}.args", "must be a mapping")
    try:
        encoded = json.dumps(args, allow_nan=False)
    except (TypeError, ValueError):
        raise BundleError(where, f"{field}.args", "must hold only numbers, text, booleans, lists and "
                          "mappings (the inputs are given literally)") from None
    if len(encoded) > MAX_EXAMPLE_ARGS_BYTES:
        raise BundleError(where, f"{field}.args", f"too large (over {MAX_EXAMPLE_ARGS_BYTES} bytes as "
                          "JSON); an example is small enough to read")
    seed = raw.get("seed", 0)
    if not isinstance(seed, int) or isinstance(seed, bool) or not 0 <= seed < 2**63:
        raise BundleError(where, f"{field}.seed", "must be an integer >= 0 (fixed: the same inputs for "
                          "everyone)")
    compare = _compares(raw.get("compare"), field, where, EXAMPLE_COMPARES)
    return ExampleSpec(name=name.strip(), title=title, probe=probe, args=args, compare=compare,
                       seed=seed)


def _diagnose_flag(raw: Any, field: str, where: str) -> bool:
    if not isinstance(raw, bool):
        raise BundleError(where, f"{field}.diagnose", "must be true or false")
    return raw


def _validate_requires(checks: tuple[CheckSpec, ...], where: str) -> None:
    """A required check exists, is another check, and requires nothing itself: one level keeps
    every gate decidable (no cycles) and easy to explain to a student."""
    by_name = {check.name: check for check in checks}
    for index, check in enumerate(checks):
        for name in check.requires:
            field = f"checks[{index}].requires"
            if name not in by_name:
                raise BundleError(where, field, f"{name!r} is not the name of a check")
            if name == check.name:
                raise BundleError(where, field, "a check cannot require itself")
            if by_name[name].requires:
                raise BundleError(where, field, f"{name!r} has requires of its own (one level only)")


def _limits(raw: Any, where: str) -> Limits:
    if not isinstance(raw, dict) or not set(raw) <= set(LIMIT_FIELDS):
        raise BundleError(where, "limits", f"must be a mapping with keys among {sorted(LIMIT_FIELDS)}")
    values = {}
    for key, value in raw.items():
        if not isinstance(value, (int, float)) or isinstance(value, bool) or value <= 0:
            raise BundleError(where, f"limits.{key}", "must be a positive number")
        values[key] = LIMIT_FIELDS[key](value)
    limits = Limits(**values)
    if limits.memory_mb < 256:
        raise BundleError(where, "limits.memory_mb", "must be at least 256 (NumPy needs it)")
    return limits

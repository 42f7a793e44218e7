"""The faulty-part diagnosis: which of the student's own layers makes a failing check fail.

A question opts in with ``diagnose: {probe, whole, uses}`` and marks its small checks
``diagnose: true`` (see assignments/README.md). After the verdict, every such check that failed
by itself gets *variants*: its probe rerun in one more job of the student's code, with the
check's own seed and arguments, and with one of the student's own parts (a layer's ``forward`` or
``backward``, a helper function, a whole layer class; last, all of them at once) replaced by the
textbook's (``grader/harness/substitute.py``; only ``common.*`` modules the question offers). Here,
outside the sandbox, each variant's data is compared with the check's reference data by the
check's own compares; the smallest replacement that makes the check pass is named in one more
line of its message, e.g. "Your SimpleConvNet is right once your `Pooling.backward` is replaced
by a correct one — look there." A correct submission runs no diagnosis, and the diagnosis never
changes a score: a module that fakes its variants can mislead only its own feedback.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from grader.checks import COMPARES
from grader.errors import BundleError
from grader.harness.substitute import ALL, MAX_VARIANTS, META
from grader.job import OK, CaseResult, CaseSpec, JobResult, Limits

if TYPE_CHECKING:
    from grader.question import CheckSpec, CodeQuestion
    from grader.result import CheckOutcome, GradeResult

# A variant is one small rerun per case; a module that makes them slow gets cut off here, not
# after the question's whole limit (the diagnosis is a courtesy, paid only by failing code).
CPU_SECONDS, WALL_SECONDS = 2.0, 4.0
PART = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,39}(\.(forward|backward))?")
MAX_PARTS = 12
CASE_SUFFIX = " · diagnosis "

FIXED = {
    "ko": "진단: 여러분의 {parts} 을(를) 올바른 구현으로 바꾸면 {whole} 의 결과가 맞습니다 — 그 부분을 살펴보세요.",
    "en": "Diagnosis: your {whole} is right once your {parts} {verb} replaced by {correct} — look there.",
}
WHOLE = {
    "ko": "진단: {parts}은 맞습니다 ({why}). 잘못은 {whole} 이(가) 그것들을 쓰는 방식({uses})에 있습니다.",
    "en": "Diagnosis: the {parts} are right ({why}); the fault is in how {whole} uses them ({uses}).",
}
WHY = {
    "ko": {"replaced": "여러분의 {names} 을(를) 올바른 구현으로 바꿔도 여전히 틀립니다",
           "textbook": "모두 교과서의 것입니다"},
    "en": {"replaced": "it stays wrong with correct ones in place of your {names}",
           "textbook": "they are all the textbook's"},
}
PARTS = {"ko": {"layers": "계층들", "functions": "함수들"}, "en": {"layers": "layers", "functions": "functions"}}


@dataclass(frozen=True)
class DiagnosisSpec:
    probe: str  # the probes.py function that runs one variant (grader.harness.substitute.run_variant)
    whole: str  # the class under test, never replaced (e.g. SimpleConvNet)
    uses: str  # where that class uses its parts, for the message (e.g. "predict / loss / gradient")


def parse_diagnosis(raw: Any, where: str, probes: set[str]) -> DiagnosisSpec | None:
    if raw is None:
        return None
    if not isinstance(raw, dict) or set(raw) != {"probe", "whole", "uses"}:
        raise BundleError(where, "diagnose", "must be a mapping {probe, whole, uses}")
    if raw["probe"] not in probes:
        raise BundleError(where, "diagnose.probe", f"{raw['probe']!r} is not a function in probes.py")
    if not isinstance(raw["whole"], str) or not raw["whole"].isidentifier():
        raise BundleError(where, "diagnose.whole", "must be the name of the class under test")
    if not isinstance(raw["uses"], str) or not raw["uses"].strip():
        raise BundleError(where, "diagnose.uses", "must say where that class uses its parts")
    return DiagnosisSpec(probe=raw["probe"], whole=raw["whole"], uses=raw["uses"].strip())


def diagnose(question: CodeQuestion, outcome: GradeResult, student: JobResult, reference: JobResult,
             *, seed: int, run: Callable[[tuple[CaseSpec, ...], Limits], JobResult], lang: str) -> float:
    """Add a diagnosis line to each opted-in check that failed by itself; returns the ms spent.

    ``run(cases, limits)`` runs the student's code on ``cases``. Nothing is run when no such
    check failed; any failure of the diagnosis itself leaves the feedback as it was.
    """
    spec = question.diagnosis
    if spec is None or student.termination != OK or student.module_error is not None:
        return 0.0
    seeds = {case.name: case.seed for case in question.case_specs(seed)}
    failing = [
        (check, checked) for check, checked in zip(question.checks, outcome.checks, strict=True)
        if check.diagnose and not check.hidden and _failed_by_itself(checked) and check.name in student.cases
    ]
    if not failing:
        return 0.0
    started = time.perf_counter()
    cases = tuple(
        CaseSpec(name=f"{check.name}{CASE_SUFFIX}{index}", probe=spec.probe, seed=seeds[check.name],
                 args={"probe": check.probe, "args": check.args, "index": index, "whole": spec.whole})
        for check, _ in failing for index in range(MAX_VARIANTS)
    )
    limits = replace(question.limits, cpu_seconds=min(question.limits.cpu_seconds, CPU_SECONDS),
                     wall_seconds=min(question.limits.wall_seconds, WALL_SECONDS))
    try:
        variants = run(cases, limits)
    except Exception:  # the sandbox failed: the verdict stands without a diagnosis
        return _ms(started)
    if variants.module_error is None:
        for check, checked in failing:
            found = [variants.cases.get(f"{check.name}{CASE_SUFFIX}{index}") for index in range(MAX_VARIANTS)]
            finding = conclude(check, student.cases[check.name], found, reference.cases[check.name])
            if finding is not None:
                _attach(checked, finding, spec, lang)
    return _ms(started)


def _failed_by_itself(checked: CheckOutcome) -> bool:
    """Failed, and not only because a check it requires failed (grader/checks/requirements.py)."""
    if checked.passed:
        return False
    if "withheld_by" not in checked.details:
        return True
    return any(not compare.get("passed") for compare in checked.details.get("compares", []))


def conclude(check: CheckSpec, original: CaseResult, found: list[CaseResult | None],
             reference: CaseResult) -> dict[str, Any] | None:
    """``{"fixed_by": [parts]}`` (the first variant that passes every compare of the check),
    ``{"whole": True, "replaced": [parts]}`` (nothing does, and every part was covered), or None.

    "The fault is in the whole" needs the last variant (everything replaced) to be still wrong
    the way the check was: wrong values, or the same exception. Another exception may only mean
    the textbook's layers do not fit the student's network (another constructor, other attribute
    names), which says nothing. Nor does a check that failed before the student's code ran (the
    probe's own "self.params has no W3")."""
    last: CaseResult | None = None
    for case in found:
        if case is None or case.error is not None:
            continue
        name, replaced = case.meta.get(f"{META}variant"), _parts(case.meta.get(f"{META}replaced"))
        if not isinstance(name, str) or replaced is None or not (name == ALL or PART.fullmatch(name)):
            continue
        unchanged = case.meta.get(f"{META}unchanged") is True
        if name == ALL and (unchanged or _fails_alike(original, case.meta.get(f"{META}error"))):
            last = case
        if replaced and not unchanged and f"{META}error" not in case.meta and _passes(check, case, reference):
            return {"fixed_by": replaced}
    if last is None or last.meta.get(f"{META}conclusive") is not True:
        return None
    if original.error is not None and not original.error.get("traceback"):
        return None
    return {"whole": True, "replaced": _parts(last.meta.get(f"{META}replaced")) or []}


def _fails_alike(original: CaseResult, error: Any) -> bool:
    if error is None:
        return True  # ran to the end: its values decide (they are wrong, or it would be a fix)
    return original.error is not None and original.error.get("type") == error


def _parts(value: Any) -> list[str] | None:
    if not isinstance(value, list) or len(value) > MAX_PARTS:
        return None
    if not all(isinstance(item, str) and PART.fullmatch(item) for item in value):
        return None
    return list(value)


def _passes(check: CheckSpec, case: CaseResult, reference: CaseResult) -> bool:
    data = CaseResult(name=check.name, arrays=case.arrays,
                      meta={key: value for key, value in case.meta.items() if not key.startswith(META)})
    try:
        return all(COMPARES[spec.kind].compare(spec.params, data, reference).passed for spec in check.compare)
    except Exception:
        return False


def _attach(checked: CheckOutcome, finding: dict[str, Any], spec: DiagnosisSpec, lang: str) -> None:
    lang = lang if lang in FIXED else "en"
    if "fixed_by" in finding:
        parts = finding["fixed_by"]
        line = FIXED[lang].format(
            whole=spec.whole, parts=_join(parts, lang), verb="is" if len(parts) == 1 else "are",
            correct="a correct one" if len(parts) == 1 else "correct ones")
    else:
        replaced = finding["replaced"]
        functions = bool(replaced) and all("." not in part and not part[:1].isupper() for part in replaced)
        why = (WHY[lang]["replaced"].format(names=_join(replaced, lang)) if replaced
               else WHY[lang]["textbook"])
        line = WHOLE[lang].format(parts=PARTS[lang]["functions" if functions else "layers"], why=why,
                                  whole=spec.whole, uses=spec.uses)
    checked.message = f"{checked.message}\n{line}" if checked.message else line
    checked.details = checked.details | {"diagnosis": finding | {"message": line}}


def _join(parts: list[str], lang: str) -> str:
    quoted = [f"`{part}`" for part in parts]
    if lang == "ko" or len(quoted) == 1:
        return ", ".join(quoted)
    return ", ".join(quoted[:-1]) + f" and {quoted[-1]}"


def _ms(since: float) -> float:
    return round((time.perf_counter() - since) * 1000, 3)

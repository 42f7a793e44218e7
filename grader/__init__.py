"""The grader: a plain Python library and CLI that grades NumPy code in a sandbox.

It never imports Django. The web side calls :func:`grade_code`; the CLI is ``python -m grader``.
"""

from grader.api import grade_code, load_question
from grader.errors import BundleError, GraderUnavailable
from grader.result import CheckOutcome, GradeResult

__all__ = [
    "BundleError",
    "CheckOutcome",
    "GradeResult",
    "GraderUnavailable",
    "grade_code",
    "load_question",
]

"""Errors the grader raises when grading could not run at all (never for bad student code)."""


class BundleError(Exception):
    """A bundle or question definition is broken. Names the file and the field."""

    def __init__(self, path: str, field: str, problem: str) -> None:
        super().__init__(f"{path}: {field}: {problem}")
        self.path = path
        self.field = field
        self.problem = problem


class GraderUnavailable(Exception):
    """The sandbox could not run a job (infrastructure failure, not the student's fault)."""

"""What `steward check` reports: a problem at a place in a file, with the fix in its message."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, slots=True)
class Problem:
    """One finding. ``line`` and ``column`` are 1-based, as editors count them."""

    file: str
    line: int
    column: int
    code: str
    message: str
    severity: Severity = Severity.ERROR

    def format(self) -> str:
        return (
            f"{self.file}:{self.line}:{self.column}: {self.severity}[{self.code}]: {self.message}"
        )

    def as_error(self) -> Problem:
        return Problem(self.file, self.line, self.column, self.code, self.message, Severity.ERROR)


class RegisterError(Exception):
    """A register could not be loaded; ``problems`` holds every error found in the file."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(p.format() for p in problems))

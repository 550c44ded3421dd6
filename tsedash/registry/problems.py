"""Problems found in a registry: errors block every command, warnings are shown and let pass."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from tsedash.errors import InputError


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, order=True)
class Problem:
    """One finding, located so a person can jump to it: `file:line: severity: where: reason`."""

    file: str
    line: int
    where: str
    message: str
    severity: Severity = Severity.ERROR
    code: str = ""  # warnings a registry may acknowledge: name-case, namespace-pattern, …

    def __str__(self) -> str:
        loc = f"{self.file}:{self.line}" if self.line > 0 else self.file
        where = f"{self.where}: " if self.where else ""
        return f"{loc}: {self.severity.value}: {where}{self.message}"

    def as_dict(self) -> dict[str, object]:
        return {
            "file": self.file,
            "line": self.line,
            "where": self.where,
            "message": self.message,
            "severity": self.severity.value,
            "code": self.code,
        }


def sort_problems(problems: Iterable[Problem]) -> list[Problem]:
    """Stable, reading order: by file, then line, then text."""
    return sorted(set(problems), key=lambda p: (p.file, p.line, p.where, p.message))


class RegistryError(InputError):
    """A registry that cannot be used; carries every problem found, not just the first."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems = sort_problems(problems)
        errors = [p for p in self.problems if p.severity is Severity.ERROR]
        first = str(errors[0]) if errors else "registry has errors"
        more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        super().__init__(first + more)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity is Severity.ERROR]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity is Severity.WARNING]

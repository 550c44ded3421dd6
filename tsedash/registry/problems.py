"""Problems found in a registry: errors block every command, warnings are shown and let pass."""

from __future__ import annotations

from collections.abc import Iterable

from tsedash.errors import InputError
from tsedash.findings import Finding, Severity, sort_findings

__all__ = ["Problem", "RegistryError", "Severity", "sort_problems"]


# A registry problem is the project's one finding model, located by file, line and entry.
Problem = Finding
sort_problems = sort_findings


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

"""Lint: valid PromQL that follows the field's practice and the registry's metric contract.

One module per rule under `tsedash.lint.rules` (kebab-case name, description, severity, pure
check); exclusions with reasons in `.lint.yaml`. See docs in README.md ("Lint").
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tsedash.lint.core import DashboardContext, LintFinding, Severity
from tsedash.lint.exclusions import Exclusion, LintConfigError, load_exclusions
from tsedash.lint.rules import RULES, RULES_BY_NAME
from tsedash.provisioning.render import read_dashboards
from tsedash.registry import Registry

__all__ = [
    "RULES",
    "RULES_BY_NAME",
    "Exclusion",
    "LintConfigError",
    "LintFinding",
    "LintReport",
    "Severity",
    "lint_dashboards",
    "lint_dir",
    "load_exclusions",
]


@dataclass
class LintReport:
    findings: list[LintFinding] = field(default_factory=list)
    excluded: list[tuple[LintFinding, Exclusion]] = field(default_factory=list)
    unused: list[Exclusion] = field(default_factory=list)

    @property
    def errors(self) -> list[LintFinding]:
        return [f for f in self.findings if f.severity is Severity.ERROR]

    @property
    def warnings(self) -> list[LintFinding]:
        return [f for f in self.findings if f.severity is Severity.WARNING]

    def failed(self, strict: bool) -> bool:
        return bool(self.errors or (strict and (self.warnings or self.unused)))


def lint_dashboards(
    items: Iterable[tuple[str, dict[str, Any]]],
    registry: Registry,
    exclusions: list[Exclusion] | None = None,
) -> LintReport:
    exclusions = exclusions or []
    report = LintReport()
    used: set[int] = set()
    for file, model in items:
        ctx = DashboardContext(file, model, registry)
        for rule in RULES:
            for issue in rule.check(ctx):
                finding = LintFinding(
                    file,
                    uid=ctx.uid,
                    panel=issue.panel,
                    ref_id=issue.ref_id,
                    code=rule.name,
                    severity=rule.severity,
                    message=issue.message,
                    expr=issue.expr,
                )
                match = next((e for e in exclusions if e.matches(finding)), None)
                if match is None:
                    report.findings.append(finding)
                else:
                    report.excluded.append((finding, match))
                    used.add(id(match))
    report.findings.sort(key=LintFinding.sort_key)
    report.unused = [e for e in exclusions if id(e) not in used]
    return report


def lint_dir(out: Path, registry: Registry, exclusions: list[Exclusion]) -> LintReport:
    items = [(str(path), model) for path, model in read_dashboards(out)]
    return lint_dashboards(items, registry, exclusions)

"""target-job: every selector is scoped by a `job` matcher."""

from __future__ import annotations

from collections.abc import Iterator

from tsedash.lint.core import DashboardContext, Rule, Severity, Target


def check(ctx: DashboardContext, target: Target) -> Iterator[str]:
    for sel in target.selectors:
        if not any(name == "job" for name, _, _ in sel.matchers()):
            yield (f"`{sel.metric}` has no job matcher: another job's series would mix in")


RULE = Rule(
    "target-job",
    "Every selector has a job matcher (a registry job or $service).",
    Severity.WARNING,
    target=check,
)

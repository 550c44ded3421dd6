"""target-job: every selector is scoped by a `job` matcher."""

from __future__ import annotations

from collections.abc import Iterator

from tsedash.lint.core import DashboardContext, Issue, Rule, Severity


def check(ctx: DashboardContext) -> Iterator[Issue]:
    for target in ctx.targets:
        for sel in target.selectors:
            if not any(name == "job" for name, _, _ in sel.matchers()):
                yield target.issue(
                    f"`{sel.metric}` has no job matcher: another job's series would mix in"
                )


RULE = Rule(
    "target-job",
    "Every selector has a job matcher (a registry job or $service).",
    Severity.WARNING,
    check,
)

"""target-promql: every expression is valid PromQL once Grafana's variables are expanded."""

from __future__ import annotations

from collections.abc import Iterator

from tsedash.lint.core import DashboardContext, Issue, Rule, Severity


def check(ctx: DashboardContext) -> Iterator[Issue]:
    for target in ctx.targets:
        if target.error:
            yield target.issue(f"invalid PromQL: {target.error}")


RULE = Rule("target-promql", "Expressions are valid PromQL.", Severity.ERROR, check)

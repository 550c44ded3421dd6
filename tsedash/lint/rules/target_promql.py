"""target-promql: every expression is valid PromQL once Grafana's variables are expanded."""

from __future__ import annotations

from collections.abc import Iterator

from tsedash.lint.core import DashboardContext, Rule, Severity, Target


def check(ctx: DashboardContext, target: Target) -> Iterator[str]:
    if target.error:
        yield (f"invalid PromQL: {target.error}")


RULE = Rule("target-promql", "Expressions are valid PromQL.", Severity.ERROR, target=check)

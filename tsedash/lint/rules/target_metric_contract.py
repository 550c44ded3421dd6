"""target-metric-contract: every metric is declared in the registry or is a known one."""

from __future__ import annotations

import difflib
from collections.abc import Iterator

from tsedash.lint.core import DashboardContext, Issue, Rule, Severity

# Metrics of the metric contract that no service type declares (the standard exposition).
KNOWN_METRICS = frozenset(
    {
        "up",
        "ALERTS",
        "http_requests_total",
        "container_memory_usage_bytes",
        "container_cpu_usage_seconds_total",
    }
)


def contract(ctx: DashboardContext) -> set[str]:
    declared = {m.name for s in ctx.registry.services.values() for m in s.metrics}
    return declared | KNOWN_METRICS


def check(ctx: DashboardContext) -> Iterator[Issue]:
    known = contract(ctx)
    for target in ctx.targets:
        for sel in target.selectors:
            if sel.metric and sel.metric not in known:
                close = difflib.get_close_matches(sel.metric, sorted(known), n=1)
                hint = f"; did you mean `{close[0]}`?" if close else "; declare it in the registry"
                yield target.issue(f"metric `{sel.metric}` is not in the metric contract{hint}")


RULE = Rule(
    "target-metric-contract",
    "Every metric is declared in the registry or is a known infrastructure/cAdvisor metric.",
    Severity.ERROR,
    check,
)

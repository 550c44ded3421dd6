"""target-metric-contract: every metric is the ecosystem's standard exposition, declared, or one
of the generated recording rules' series."""

from __future__ import annotations

import difflib
from collections.abc import Iterator

from tsedash.lint.core import DashboardContext, Rule, Severity, Target
from tsedash.registry.exposition import (
    CADVISOR_METRICS,
    PROMETHEUS_METRICS,
    STANDARD_METRICS,
    is_standard,
)
from tsedash.registry.recorded import RECORDED


def declared(ctx: DashboardContext) -> set[str]:
    return {m.name for s in ctx.registry.services.values() for m in s.metrics}


def _known_sorted(ctx: DashboardContext) -> list[str]:
    return sorted(
        declared(ctx) | STANDARD_METRICS | PROMETHEUS_METRICS | CADVISOR_METRICS | RECORDED
    )


def check(ctx: DashboardContext, target: Target) -> Iterator[str]:
    names = ctx.once(declared) | RECORDED
    known = ctx.once(_known_sorted)
    for sel in target.selectors:
        if sel.metric and sel.metric not in names and not is_standard(sel.metric):
            close = difflib.get_close_matches(sel.metric, known, n=1)
            hint = f"; did you mean `{close[0]}`?" if close else "; declare it in the registry"
            yield (
                f"metric `{sel.metric}` is neither the services' standard exposition nor "
                f"declared{hint}"
            )


RULE = Rule(
    "target-metric-contract",
    "Every metric is the standard exposition (RED, process, go/python, readiness), Prometheus' "
    "or cAdvisor's, or declared in the registry.",
    Severity.ERROR,
    target=check,
)

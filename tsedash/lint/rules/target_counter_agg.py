"""target-counter-agg: counters are read through rate(), irate() or increase()."""

from __future__ import annotations

from collections.abc import Iterator

from tsedash.lint.core import DashboardContext, Rule, Severity, Target

COUNTER_FUNCTIONS = ("rate", "irate", "increase", "resets")


def counters(ctx: DashboardContext) -> set[str]:
    declared = {
        m.name for s in ctx.registry.services.values() for m in s.metrics if m.type == "counter"
    }
    return declared | {"http_requests_total", "container_cpu_usage_seconds_total"}


def check(ctx: DashboardContext, target: Target) -> Iterator[str]:
    known = ctx.once(counters)
    for sel in target.selectors:
        is_counter = sel.metric in known or sel.metric.endswith("_total")
        if is_counter and not sel.inside(*COUNTER_FUNCTIONS):
            yield (
                f"counter `{sel.metric}` used raw: its value resets on restart; wrap it in "
                "rate() or increase()"
            )


RULE = Rule(
    "target-counter-agg",
    "Counters are used through rate() or increase(), never raw.",
    Severity.ERROR,
    target=check,
)

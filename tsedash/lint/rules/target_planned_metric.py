"""target-planned-metric: a planned metric is queried only inside a collapsed row.

No service exposes a planned metric yet: a visible panel on it is always empty, and an empty
panel reads as "the entity is idle". Inside a collapsed row whose title says planned, it is a
promise, not a broken panel.
"""

from __future__ import annotations

from collections.abc import Iterator

from tsedash.lint.core import DashboardContext, Rule, Severity, Target


def _in_collapsed_planned_row(ctx: DashboardContext) -> set[int]:
    """ids of panels inside a collapsed row whose title says planned."""
    inside: set[int] = set()
    for row in ctx.model.get("panels", []):
        if (
            not isinstance(row, dict)
            or row.get("type") != "row"
            or row.get("collapsed") is not True
        ):
            continue
        if "planned" not in str(row.get("title", "")).lower():
            continue
        inside.update(id(child) for child in row.get("panels", []) or [])
    return inside


def _planned(ctx: DashboardContext) -> set[str]:
    return {m.name for s in ctx.registry.services.values() for m in s.metrics if m.planned}


def check(ctx: DashboardContext, target: Target) -> Iterator[str]:
    planned = ctx.once(_planned)
    hidden = ctx.once(_in_collapsed_planned_row)
    if id(target.panel) in hidden:
        return
    for sel in target.selectors:
        if sel.metric in planned:
            yield (
                f"metric `{sel.metric}` is planned (no service exposes it) but this panel is "
                "visible: put it in a collapsed row titled planned, or declare it "
                "`state: exposed` once a service serves it"
            )


RULE = Rule(
    "target-planned-metric",
    "Planned metrics are queried only in collapsed rows marked planned.",
    Severity.ERROR,
    target=check,
)

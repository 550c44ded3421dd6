"""panel-units: panels that show numbers say in which unit."""

from __future__ import annotations

from collections.abc import Iterator

from tsedash.lint.core import DashboardContext, Issue, Rule, Severity

NUMERIC_PANELS = frozenset({"timeseries", "stat", "gauge", "bargauge", "table"})


def check(ctx: DashboardContext) -> Iterator[Issue]:
    for panel in ctx.panels():
        if panel.get("type") not in NUMERIC_PANELS:
            continue
        unit = ((panel.get("fieldConfig") or {}).get("defaults") or {}).get("unit")
        if not unit:
            yield Issue("no unit (use `none` for a plain number)", str(panel.get("title", "")))


RULE = Rule("panel-units", "Numeric panels set a unit.", Severity.WARNING, check)

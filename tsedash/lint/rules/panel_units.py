"""panel-units: panels that show numbers say in which unit."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from tsedash.lint.core import DashboardContext, Rule, Severity

NUMERIC_PANELS = frozenset({"timeseries", "stat", "gauge", "bargauge", "table"})


def check(ctx: DashboardContext, panel: dict[str, Any]) -> Iterator[str]:
    if panel.get("type") not in NUMERIC_PANELS:
        return
    unit = ((panel.get("fieldConfig") or {}).get("defaults") or {}).get("unit")
    if not unit:
        yield "no unit (use `none` for a plain number)"


RULE = Rule("panel-units", "Numeric panels set a unit.", Severity.WARNING, panel=check)

"""schemaVersion 14: `sharedCrosshair` becomes `graphTooltip`.

Grafana's step (`schemaversion/v14.go`) always writes `graphTooltip`: `1` when
`sharedCrosshair` is the boolean `true`, `0` otherwise — also when `sharedCrosshair` is
missing, so a `graphTooltip` already there (say `2`, shared tooltip) is overwritten with `0`,
as Grafana does. `sharedCrosshair` is removed. (The frontend coerced truthy values; the backend
counts only `true`.)
"""

from __future__ import annotations

import json

from . import Dashboard, StepContext, step


@step(14)
def v14(dashboard: Dashboard, ctx: StepContext) -> None:
    shared = dashboard.get("sharedCrosshair") is True
    tooltip = 1 if shared else 0
    old = json.dumps(dashboard["graphTooltip"]) if "graphTooltip" in dashboard else "missing"
    changed = type(dashboard.get("graphTooltip")) is not int or dashboard["graphTooltip"] != tooltip
    dashboard["graphTooltip"] = tooltip
    if "sharedCrosshair" in dashboard:
        crosshair = json.dumps(dashboard.pop("sharedCrosshair"))
        ctx.log(f"`sharedCrosshair` {crosshair} → `graphTooltip` {tooltip}")
    elif changed:
        ctx.log(f"no `sharedCrosshair`: `graphTooltip` {old} → {tooltip}")

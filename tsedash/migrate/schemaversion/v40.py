"""schemaVersion 40: the dashboard's `refresh` is always a string.

Grafana's step (`schemaversion/v40.go`): a `refresh` that is not a string (missing, `null`,
`true`, `false`, a number) becomes `""` (no automatic refresh). A string, even one Grafana
would not accept as an interval, is kept.
"""

from __future__ import annotations

import json

from . import Dashboard, StepContext, step


@step(40)
def v40(dashboard: Dashboard, ctx: StepContext) -> None:
    if not isinstance(dashboard.get("refresh"), str):
        was = json.dumps(dashboard["refresh"]) if "refresh" in dashboard else "missing"
        dashboard["refresh"] = ""
        ctx.log(f'`refresh` {was} → "" (no automatic refresh)')

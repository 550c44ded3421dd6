"""schemaVersion 13: nothing changes but the number.

Grafana's backend step (`schemaversion/v13.go`) is a no-op. The frontend's old step turned a
`graph` panel's `grid.threshold1`/`threshold2` into a `thresholds` list; Grafana removed it as
dead code, because `graph` panels are replaced by `timeseries` (with `autoMigrateFrom`) when a
dashboard is loaded, before any schema step could see them. (An intermediate backend version
converted `graph` to `timeseries` in this step; current Grafana does not.)
"""

from __future__ import annotations

from . import Dashboard, StepContext, step


@step(13)
def v13(dashboard: Dashboard, ctx: StepContext) -> None:
    """A no-op, as in Grafana."""

"""schemaVersion 9: nothing changes but the number.

Grafana's backend step (`schemaversion/v9.go`) is a no-op today. The frontend's old step (and
an earlier backend version) dropped the first of three or more comma-separated `thresholds` of
a `singlestat` panel; Grafana removed it because `singlestat` panels are replaced by `stat`
when a dashboard is loaded, which reads the thresholds itself. Kept unchanged here too.
"""

from __future__ import annotations

from . import Dashboard, StepContext, step


@step(9)
def v09(dashboard: Dashboard, ctx: StepContext) -> None:
    """A no-op, as in Grafana."""

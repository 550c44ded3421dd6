"""schemaVersion 4: nothing changes but the number.

Grafana's backend step (`schemaversion/v4.go`) is a no-op. The frontend's old step moved a
`graph` panel's `aliasYAxis` into `seriesOverrides`; Grafana no longer runs it because `graph`
panels are replaced by `timeseries` when a dashboard is loaded, so an `aliasYAxis` stays where
it is (and the replacement ignores it), here as in Grafana.
"""

from __future__ import annotations

from . import Dashboard, StepContext, step


@step(4)
def v04(dashboard: Dashboard, ctx: StepContext) -> None:
    """A no-op, as in Grafana."""

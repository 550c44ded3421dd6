"""schemaVersion 41: `timepicker.time_options` is removed.

Grafana's step (`schemaversion/v41.go`): when `timepicker` is an object, its `time_options`
(unused since Grafana 5) is deleted; everything else in it (`refresh_intervals`, `hidden`, ...)
is kept. A `timepicker` of another shape is left alone.
"""

from __future__ import annotations

from . import Dashboard, StepContext, step


@step(41)
def v41(dashboard: Dashboard, ctx: StepContext) -> None:
    timepicker = dashboard.get("timepicker")
    if isinstance(timepicker, dict) and "time_options" in timepicker:
        del timepicker["time_options"]
        ctx.log("`timepicker.time_options` removed (unused since Grafana 5)")

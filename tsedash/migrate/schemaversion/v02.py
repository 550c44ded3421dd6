"""schemaVersion 2: the legacy `services.filter` moves to `time` and `templating.list`.

Grafana's step (`schemaversion/v2.go`): when `services` is an object whose `filter` is an object,
`filter.time` (when the key is there, whatever its value) becomes the dashboard's `time`,
`filter.list` (likewise) becomes `templating.list` — a missing `templating` is created first —
and `services` is removed. `services` or `filter` of another shape: nothing changes and
`services` stays.

Edge cases as in Grafana: a `list` of `null` is written as is (the frontend wrote `[]`; the
backend does not). A `templating` that exists but is not an object makes Grafana's step panic
(an unchecked type assertion), so it is `Unmigratable` here.

Not done here, as in Grafana: the frontend's old panel upgrades of this version (`graphite` →
`graph`, boolean `legend`, `grid.min`/`max`, `y_format`s) — Grafana dropped them from the
backend step because those panels are replaced by their modern plugins when loaded
(`graph`/`graphite` → `timeseries`), which happens outside the schema steps.
"""

from __future__ import annotations

from . import Dashboard, StepContext, Unmigratable, step


@step(2)
def v02(dashboard: Dashboard, ctx: StepContext) -> None:
    services = dashboard.get("services")
    if not isinstance(services, dict):
        return
    service_filter = services.get("filter")
    if not isinstance(service_filter, dict):
        return
    if "time" in service_filter:
        dashboard["time"] = service_filter["time"]
        ctx.log("`services.filter.time` → `time`")
    if "list" in service_filter:
        if "templating" not in dashboard:
            dashboard["templating"] = {}
        templating = dashboard["templating"]
        if not isinstance(templating, dict):
            raise Unmigratable(
                "/templating", "not an object, so `services.filter.list` cannot move in"
            )
        templating["list"] = service_filter["list"]
        ctx.log("`services.filter.list` → `templating.list`")
    del dashboard["services"]
    ctx.log("`services` removed")

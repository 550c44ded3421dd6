"""schemaVersion 39: the time series → table transformation takes options per query.

Grafana's step (`schemaversion/v39.go`) walks the panels, entering `type: row` panels' nested
`panels` at any depth. In a panel's `transformations` list, an object with `id:
timeSeriesTable` whose `options` is an object holding a `refIdToStat` object gets new
`options`: one entry per `refIdToStat` entry, `{<refId>: {"stat": <stat>}}`. The old options
object is replaced as a whole (its other keys are not kept); an empty `refIdToStat` gives `{}`.
Other transformations, and a `refIdToStat` that is not an object, are left alone.
"""

from __future__ import annotations

from . import Dashboard, StepContext, panel_name, panels_through_rows, step


@step(39)
def v39(dashboard: Dashboard, ctx: StepContext) -> None:
    for pointer, panel in panels_through_rows(dashboard):
        transformations = panel.get("transformations")
        for transformation in transformations if isinstance(transformations, list) else []:
            if not isinstance(transformation, dict) or transformation.get("id") != (
                "timeSeriesTable"
            ):
                continue
            options = transformation.get("options")
            stats = options.get("refIdToStat") if isinstance(options, dict) else None
            if not isinstance(stats, dict):
                continue
            transformation["options"] = {ref_id: {"stat": stat} for ref_id, stat in stats.items()}
            ctx.log(
                f"`timeSeriesTable`: `refIdToStat` → options per query "
                f"({', '.join(map(str, stats)) or 'none'})",
                panel_name(pointer, panel),
            )

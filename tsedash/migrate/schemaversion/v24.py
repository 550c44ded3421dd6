"""schemaVersion 24: the old (Angular) table panel is marked for the table plugin's migration.

Grafana 7.0 replaced the Angular `table` with a React one. Grafana's step
(`schemaversion/v24.go`), for each object of the top-level `panels` whose `type` is `"table"`,
whose `styles` is there and not `null`, and whose `table` is not `"table2"`: it sets
`autoMigrateFrom: "table-old"` and keeps `type: "table"`. That is all it stores: `styles`,
`transform`, `columns` and the other old table keys stay as they are, and the table panel
plugin turns them into `fieldConfig`, overrides and transformations when Grafana's UI loads the
panel (its `tablePanelChangedHandler`, run because of `autoMigrateFrom`). The frontend's own
step wrote `type: "table-old"`, which Grafana's load turns into the same `table` with
`autoMigrateFrom: "table-old"`.

Edge cases as in Grafana: a `table` without `styles` (or with `styles: null`) is taken as a
React table with default settings and left alone, as is one marked `table: "table2"`; a panel
already of type `table-old` is not touched here (Grafana's load marks it the same way).

Knowingly different: nothing for what Grafana stores. Earlier Grafana 12 backends converted
the styles into `fieldConfig` in this very step (and wrote the table plugin's version); the
newer backend read here leaves that to the table plugin, so the conversion is not part of the
schema chain. The frontend also upgraded the
panels of collapsed rows; the backend walks only the top-level panels, and so do we.
"""

from __future__ import annotations

from . import Dashboard, StepContext, panel_name, step, top_panels

MARK = "table-old"


@step(24)
def v24(dashboard: Dashboard, ctx: StepContext) -> None:
    for pointer, panel in top_panels(dashboard):
        if panel.get("type") != "table" or panel.get("styles") is None:
            continue
        if panel.get("table") == "table2":
            continue
        panel["autoMigrateFrom"] = MARK
        ctx.log(
            "old table (with `styles`) marked `autoMigrateFrom: table-old`; the table plugin "
            "converts its styles when Grafana loads it",
            panel_name(pointer, panel),
        )

"""schemaVersion 22: the old table panel's column styles are aligned `auto`.

Grafana's step (`schemaversion/v22.go`), for each panel object — the top-level ones and the
objects of any panel's `panels` list (collapsed rows) — whose `type` is `"table"` and whose
`styles` is a list: every style object gets `align: "auto"`, whatever it had.

Edge cases as in Grafana: styles that are not objects are skipped; a `table` without a `styles`
list is left alone; other panel types are not touched.

Knowingly different: nothing.
"""

from __future__ import annotations

from . import Dashboard, StepContext, all_panels, panel_name, step


@step(22)
def v22(dashboard: Dashboard, ctx: StepContext) -> None:
    for pointer, panel in all_panels(dashboard):
        styles = panel.get("styles")
        if panel.get("type") != "table" or not isinstance(styles, list):
            continue
        changed = 0
        for style in styles:
            if isinstance(style, dict):
                changed += style.get("align") != "auto"
                style["align"] = "auto"
        if changed:
            ctx.log(f"{changed} table style(s): `align` → auto", panel_name(pointer, panel))

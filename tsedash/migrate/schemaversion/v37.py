"""schemaVersion 37: a hidden legend is `showLegend: false` with `displayMode: list`.

Grafana's step (`schemaversion/v37.go`) walks the panels, entering `type: row` panels' nested
`panels` at any depth (rows themselves are not changed). For a panel whose `options.legend` is
an object:

- `displayMode` the string `hidden`, or `showLegend` the boolean `false`: `displayMode` becomes
  `list` and `showLegend` `false` (there were two ways to hide a legend; one is left);
- otherwise `showLegend` becomes `true`, whatever it was (a non-boolean `showLegend` too).

A legend that is not an object (a boolean, `null`, missing) or `options` that is not an object:
left alone. (The frontend's step turned a `legend: true` into `{showLegend: true}`; Grafana's
backend, which migrates what Grafana 12+ saves, leaves it, and so do we.)
"""

from __future__ import annotations

import json

from . import Dashboard, StepContext, panel_name, panels_through_rows, step


@step(37)
def v37(dashboard: Dashboard, ctx: StepContext) -> None:
    for pointer, panel in panels_through_rows(dashboard):
        options = panel.get("options")
        legend = options.get("legend") if isinstance(options, dict) else None
        if not isinstance(legend, dict):
            continue
        name = panel_name(pointer, panel)
        shown = legend.get("showLegend")
        if legend.get("displayMode") == "hidden" or shown is False:
            if legend.get("displayMode") != "list" or shown is not False:
                was = f"`displayMode` {json.dumps(legend.get('displayMode'))}"
                legend["displayMode"] = "list"
                legend["showLegend"] = False
                ctx.log(f"hidden legend ({was}) → `displayMode` list, `showLegend` false", name)
        elif shown is not True:
            was = json.dumps(shown) if "showLegend" in legend else "missing"
            legend["showLegend"] = True
            ctx.log(f"legend: `showLegend` {was} → true", name)

"""schemaVersion 10: an old table style's first threshold is dropped.

Grafana's step (`schemaversion/v10.go`), on the top-level panels and the panels still inside
pre-v16 `rows` (`collectPanelsIncludingRows`): for a panel whose `type` is `table`, each style
object of its `styles` list whose `thresholds` is a list of three or more values loses the first
one (a baseline no threshold used). Fewer than three, another shape, or another panel type:
unchanged.
"""

from __future__ import annotations

import json

from . import Dashboard, StepContext, panel_name, panels_including_rows, step


@step(10)
def v10(dashboard: Dashboard, ctx: StepContext) -> None:
    for pointer, panel in panels_including_rows(dashboard):
        styles = panel.get("styles")
        if panel.get("type") != "table" or not isinstance(styles, list):
            continue
        for index, style in enumerate(styles):
            thresholds = style.get("thresholds") if isinstance(style, dict) else None
            if isinstance(thresholds, list) and len(thresholds) >= 3:
                style["thresholds"] = thresholds[1:]
                ctx.log(
                    f"style {index}: first of {len(thresholds)} `thresholds` "
                    f"({json.dumps(thresholds[0])}) dropped",
                    panel_name(pointer, panel),
                )

"""schemaVersion 35: a time series whose axes are all hidden keeps its time axis.

Grafana's step (`schemaversion/v35.go`): for each **top-level** panel of type `timeseries` that
has a `fieldConfig` object whose `defaults.custom.axisPlacement` is the string `hidden`, an
override is appended to `fieldConfig.overrides`:

    {"matcher": {"id": "byType", "options": "time"},
     "properties": [{"id": "custom.axisPlacement", "value": "auto"}]}

`overrides` missing or not a list is replaced by a list holding just that override. Panels
without `fieldConfig`, or of another type, are left alone.

Knowingly as the backend, not the frontend: the frontend's step also reached the panels of
collapsed rows; Grafana's backend, which migrates every dashboard Grafana 12+ saves, reaches
only the top-level panels, and so do we.
"""

from __future__ import annotations

from typing import Any

from . import Dashboard, StepContext, panel_name, step, top_panels

TIME_AXIS_OVERRIDE: dict[str, Any] = {
    "matcher": {"id": "byType", "options": "time"},
    "properties": [{"id": "custom.axisPlacement", "value": "auto"}],
}


@step(35)
def v35(dashboard: Dashboard, ctx: StepContext) -> None:
    for pointer, panel in top_panels(dashboard):
        field_config = panel.get("fieldConfig")
        if panel.get("type") != "timeseries" or not isinstance(field_config, dict):
            continue
        defaults = field_config.get("defaults")
        custom = defaults.get("custom") if isinstance(defaults, dict) else None
        if not isinstance(custom, dict) or custom.get("axisPlacement") != "hidden":
            continue
        overrides = field_config.get("overrides")
        kept = overrides if isinstance(overrides, list) else []
        field_config["overrides"] = [
            *kept,
            {
                "matcher": dict(TIME_AXIS_OVERRIDE["matcher"]),
                "properties": [dict(p) for p in TIME_AXIS_OVERRIDE["properties"]],
            },
        ]
        ctx.log(
            "all axes hidden: override `byType: time` → `custom.axisPlacement: auto` added "
            "(the time axis stays visible)",
            panel_name(pointer, panel),
        )

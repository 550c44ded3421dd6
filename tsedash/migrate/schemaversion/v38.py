"""schemaVersion 38: table cells' `displayMode` becomes `cellOptions`.

Grafana's step (`schemaversion/v38.go`) walks the panels, entering `type: row` panels' nested
`panels` at any depth. For a panel of type `table` with objects `fieldConfig`,
`fieldConfig.defaults` and `fieldConfig.defaults.custom` (any of them missing: the panel is
skipped, overrides included):

- `custom.displayMode`, when present, is removed; when it was a string, `custom.cellOptions` is
  set from it;
- every override property (objects in `fieldConfig.overrides[].properties`) with `id`
  `custom.displayMode` becomes `custom.cellOptions`, its string `value` converted the same way
  (a non-string value is kept as it is).

The conversion: `basic` → `{type: gauge, mode: basic}` (the legacy name of the gauge),
`gradient-gauge` → `{type: gauge, mode: gradient}`, `lcd-gauge` → `{type: gauge, mode: lcd}`,
`color-background` → `{type: color-background, mode: gradient}`, `color-background-solid` →
`{type: color-background, mode: basic}`, anything else `x` → `{type: x}`.

Knowingly as the backend: the frontend's step converted the overrides of a table panel whose
defaults have no `custom` object too; Grafana's backend skips that panel, and so do we.
"""

from __future__ import annotations

from typing import Any

from . import Dashboard, StepContext, panel_name, panels_through_rows, step

_GAUGE_MODES = {"basic": "basic", "gradient-gauge": "gradient", "lcd-gauge": "lcd"}
_BACKGROUND_MODES = {"color-background": "gradient", "color-background-solid": "basic"}


@step(38)
def v38(dashboard: Dashboard, ctx: StepContext) -> None:
    for pointer, panel in panels_through_rows(dashboard):
        field_config = panel.get("fieldConfig")
        if panel.get("type") != "table" or not isinstance(field_config, dict):
            continue
        defaults = field_config.get("defaults")
        custom = defaults.get("custom") if isinstance(defaults, dict) else None
        if not isinstance(custom, dict):
            continue
        name = panel_name(pointer, panel)
        if "displayMode" in custom:
            mode = custom.pop("displayMode")
            if isinstance(mode, str):
                custom["cellOptions"] = cell_options(mode)
                ctx.log(f"`displayMode` {mode} → `cellOptions` {_shown(custom)}", name)
            else:
                ctx.log("`displayMode` of no known form removed", name)
        _overrides(field_config, name, ctx)


def _overrides(field_config: dict[str, Any], name: str, ctx: StepContext) -> None:
    overrides = field_config.get("overrides")
    for i, override in enumerate(overrides if isinstance(overrides, list) else []):
        properties = override.get("properties") if isinstance(override, dict) else None
        for prop in properties if isinstance(properties, list) else []:
            if isinstance(prop, dict) and prop.get("id") == "custom.displayMode":
                prop["id"] = "custom.cellOptions"
                if isinstance(prop.get("value"), str):
                    prop["value"] = cell_options(prop["value"])
                ctx.log(f"override {i}: `custom.displayMode` → `custom.cellOptions`", name)


def cell_options(display_mode: str) -> dict[str, str]:
    """Grafana's `migrateTableDisplayModeToCellOptions`."""
    if display_mode in _GAUGE_MODES:
        return {"type": "gauge", "mode": _GAUGE_MODES[display_mode]}
    if display_mode in _BACKGROUND_MODES:
        return {"type": "color-background", "mode": _BACKGROUND_MODES[display_mode]}
    return {"type": display_mode}


def _shown(custom: dict[str, Any]) -> str:
    options = custom["cellOptions"]
    return ", ".join(f"{k}: {v}" for k, v in options.items())

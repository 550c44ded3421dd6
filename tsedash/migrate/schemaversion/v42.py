"""schemaVersion 42: a field hidden from the visualization is hidden from the tooltip too.

Grafana's step (`schemaversion/v42.go`) walks every panel and, inside each, its nested
`panels` at any depth. In `fieldConfig.overrides[].properties[]`, a property with `id`
`custom.hideFrom` whose `value` is an object with `viz` the boolean `true` gets `tooltip:
true` (an existing `tooltip: false` is overwritten). `fieldConfig.defaults.custom.hideFrom` is
not touched, nor a `viz` that is truthy without being `true`.
"""

from __future__ import annotations

from . import Dashboard, StepContext, panel_name, panels_at_any_depth, step


@step(42)
def v42(dashboard: Dashboard, ctx: StepContext) -> None:
    for pointer, panel in panels_at_any_depth(dashboard):
        field_config = panel.get("fieldConfig")
        overrides = field_config.get("overrides") if isinstance(field_config, dict) else None
        for i, override in enumerate(overrides if isinstance(overrides, list) else []):
            properties = override.get("properties") if isinstance(override, dict) else None
            for prop in properties if isinstance(properties, list) else []:
                if not isinstance(prop, dict) or prop.get("id") != "custom.hideFrom":
                    continue
                value = prop.get("value")
                if isinstance(value, dict) and value.get("viz") is True:
                    if value.get("tooltip") is not True:
                        ctx.log(
                            f"override {i}: hidden from the visualization → "
                            "`hideFrom.tooltip` true",
                            panel_name(pointer, panel),
                        )
                    value["tooltip"] = True

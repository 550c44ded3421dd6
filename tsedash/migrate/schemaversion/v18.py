"""schemaVersion 18: the gauge panel's `options-gauge` becomes `options`.

Grafana's step (`schemaversion/v18.go`), for each object of the top-level `panels` that has an
`options-gauge` object: the panel's `options` is replaced by a new object holding

- `valueOptions`: the `unit`, `stat`, `decimals`, `prefix` and `suffix` that `options-gauge`
  has (whatever their values, `null` included; absent keys stay absent);
- `thresholds`: the `options-gauge` thresholds in reverse order, when they are a non-empty
  list;
- every other key of `options-gauge` as it is, except `options` (a key an old bug wrote);

and `options-gauge` is removed. The panel's previous `options` are lost, as in Grafana.

Edge cases as in Grafana's backend: `thresholds` that are an empty list or not a list are
dropped (the frontend kept them); an `options-gauge` that is not an object is left alone.

Knowingly different: nothing. The frontend also upgraded the panels of collapsed rows; the
backend step read for this version walks only the top-level panels, and so do we.
"""

from __future__ import annotations

from typing import Any

from . import Dashboard, StepContext, panel_name, step, top_panels

VALUE_OPTION_KEYS = ("unit", "stat", "decimals", "prefix", "suffix")
# Keys of `options-gauge` not copied as they are into the new `options`.
NOT_COPIED = {*VALUE_OPTION_KEYS, "thresholds", "options"}


@step(18)
def v18(dashboard: Dashboard, ctx: StepContext) -> None:
    for pointer, panel in top_panels(dashboard):
        gauge = panel.get("options-gauge")
        if isinstance(gauge, dict):
            panel["options"] = gauge_options(gauge)
            del panel["options-gauge"]
            ctx.log("`options-gauge` → `options` (with `valueOptions`)", panel_name(pointer, panel))


def gauge_options(gauge: dict[str, Any]) -> dict[str, Any]:
    options: dict[str, Any] = {
        "valueOptions": {key: gauge[key] for key in VALUE_OPTION_KEYS if key in gauge}
    }
    thresholds = gauge.get("thresholds")
    if isinstance(thresholds, list) and thresholds:
        options["thresholds"] = list(reversed(thresholds))
    options.update({key: value for key, value in gauge.items() if key not in NOT_COPIED})
    return options

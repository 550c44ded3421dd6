"""schemaVersion 30: value mappings in the new format; `tooltipOptions` → `tooltip`.

Grafana's step (`schemaversion/v30.go`) walks the top-level panels and the `panels` nested one
level in any of them (collapsed rows), and for each:

**Value mappings**, in `fieldConfig.defaults.mappings` (with the panel's
`fieldConfig.defaults.thresholds`) and in each override property whose `id` is `mappings`
(without thresholds). A non-empty list is rebuilt:

- a mapping whose `type` is a non-empty string is already new: a `value` mapping's `options`
  (an object) are merged into one consolidated value mapping (a `value` mapping whose `options`
  is not an object disappears); any other new mapping is kept as it is, in order.
- a legacy mapping (`type` the number 1 or 2, truncated; other types are dropped):
  - type 1, value to text: a `value` of `null` is dropped; the string `"null"` becomes a
    `special` mapping `{match: "null", result: {text}}`; any other value becomes an entry of
    the consolidated value mapping, keyed by the value as Go writes it (`1.0` → `"1"`, `true`
    → `"true"`, an object or list → `""`).
  - type 2, range to text: a `range` mapping `{from, to, result: {text}}`, `from` and `to` read
    as numbers (a missing or unreadable one is 0, as Go's failed `ParseFloat` gives).
  - the result gets a `color` when the mapping's `text` reads as a number and thresholds are
    given: the color of the threshold step that number falls in, scanned as the frontend's
    `getActiveThreshold` scans (steps in order, a `null` step value counting as 0, a missing or
    unreadable one ending the scan); no steps: the fallback `#808080`.
- the consolidated value mapping, when it has any entry, goes first.

**Tooltip**: on `timeseries`, `xychart` and `xychart2` panels, `options.tooltipOptions` is
renamed `options.tooltip`.

Knowingly different: when nothing of a non-empty list survives (only dropped legacy types),
Grafana's backend writes `null` (its save clean-up then removes the key); we write `[]`, as the
frontend did. Mappings already in the new format are rebuilt too (value mappings merged and
moved first), as Grafana rebuilds them.
"""

from __future__ import annotations

import math
import re
from decimal import Decimal
from typing import Any

from . import Dashboard, StepContext, all_panels, panel_name, step
from .v29 import go_int

FALLBACK_COLOR = "#808080"
TOOLTIP_PANELS = ("timeseries", "xychart", "xychart2")
# Go's `strconv.ParseFloat` on decimal input (its hex and underscore forms are left out).
_GO_FLOAT = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")
_GO_SPECIAL = re.compile(r"[+-]?(inf|infinity)|nan", re.IGNORECASE)


@step(30)
def v30(dashboard: Dashboard, ctx: StepContext) -> None:
    for pointer, panel in all_panels(dashboard):
        name = panel_name(pointer, panel)
        _upgrade_panel_mappings(panel, name, ctx)
        _rename_tooltip_options(panel, name, ctx)


def _upgrade_panel_mappings(panel: dict[str, Any], name: str, ctx: StepContext) -> None:
    field_config = panel.get("fieldConfig")
    if not isinstance(field_config, dict):
        return
    defaults = field_config.get("defaults")
    if isinstance(defaults, dict) and isinstance(defaults.get("mappings"), list):
        thresholds = defaults.get("thresholds")
        old = defaults["mappings"]
        new = upgrade_mappings(old, thresholds if isinstance(thresholds, dict) else None)
        if new != old:
            defaults["mappings"] = new
            ctx.log(f"`fieldConfig.defaults.mappings`: {_summary(old, new)}", name)
    overrides = field_config.get("overrides")
    for i, override in enumerate(overrides if isinstance(overrides, list) else []):
        properties = override.get("properties") if isinstance(override, dict) else None
        for prop in properties if isinstance(properties, list) else []:
            if isinstance(prop, dict) and prop.get("id") == "mappings":
                old = prop.get("value")
                if isinstance(old, list):
                    new = upgrade_mappings(old, None)
                    if new != old:
                        prop["value"] = new
                        ctx.log(f"override {i} `mappings`: {_summary(old, new)}", name)


def _rename_tooltip_options(panel: dict[str, Any], name: str, ctx: StepContext) -> None:
    options = panel.get("options")
    if (
        panel.get("type") in TOOLTIP_PANELS
        and isinstance(options, dict)
        and "tooltipOptions" in options
    ):
        options["tooltip"] = options.pop("tooltipOptions")
        ctx.log("`options.tooltipOptions` → `options.tooltip`", name)


def _summary(old: list[Any], new: list[Any]) -> str:
    kinds = ", ".join(str(m.get("type")) for m in new if isinstance(m, dict)) or "none left"
    return f"{len(old)} mapping(s) → {len(new)} in the new format ({kinds})"


def upgrade_mappings(old: list[Any], thresholds: dict[str, Any] | None) -> list[Any]:
    """Grafana's `upgradeValueMappings`, as described in the module's docstring."""
    if not old:
        return old
    value_options: dict[str, Any] = {}
    has_values = False
    out: list[Any] = []
    for mapping in old:
        if not isinstance(mapping, dict):
            continue
        kind = mapping.get("type")
        if isinstance(kind, str) and kind:
            if kind != "value":
                out.append(mapping)
            elif isinstance(mapping.get("options"), dict):
                value_options.update(mapping["options"])
                has_values = True
            continue
        color = _threshold_color(mapping, thresholds)
        legacy_type = go_int(kind, -1)
        if legacy_type == 1 and "value" in mapping and mapping["value"] is not None:
            result = _result(mapping, color)
            if mapping["value"] == "null":
                out.append({"type": "special", "options": {"match": "null", "result": result}})
            else:
                value_options[go_string(mapping["value"])] = result
                has_values = True
        elif legacy_type == 2:
            out.append(
                {
                    "type": "range",
                    "options": {
                        "from": _json_number(go_parse_float(go_string(mapping.get("from")))),
                        "to": _json_number(go_parse_float(go_string(mapping.get("to")))),
                        "result": _result(mapping, color),
                    },
                }
            )
    if has_values:
        out.insert(0, {"type": "value", "options": value_options})
    return out


def _result(mapping: dict[str, Any], color: Any) -> dict[str, Any]:
    result = {"text": mapping.get("text")}
    if color is not None:
        result["color"] = color
    return result


def _threshold_color(mapping: dict[str, Any], thresholds: dict[str, Any] | None) -> Any:
    """The color of the step the mapping's numeric text falls in (`getActiveThresholdColor`)."""
    text = mapping.get("text")
    if thresholds is None or not isinstance(text, str):
        return None
    number = go_parse_float(text)
    if number is None:
        return None
    steps = thresholds.get("steps")
    if not isinstance(steps, list) or not steps:
        return FALLBACK_COLOR
    active = steps[0] if isinstance(steps[0], dict) else None
    for step_ in steps:
        if not isinstance(step_, dict):
            continue
        if "value" not in step_:
            break
        limit = 0.0 if step_["value"] is None else _go_float(step_["value"])
        if limit is None or not number >= limit:
            break
        active = step_
    return active.get("color") if active is not None else None


def _go_float(value: Any) -> float | None:
    """Go's `ConvertToFloat`: a number, or a string such as `"700px"`."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        return go_parse_float(value.removesuffix("px"))
    return None


def go_parse_float(text: str) -> float | None:
    """Go's `strconv.ParseFloat(text, 64)`: `None` where Go reports an error."""
    if _GO_FLOAT.fullmatch(text):
        number = float(text)
        return None if math.isinf(number) else number  # out of range is an error in Go
    if _GO_SPECIAL.fullmatch(text):
        return float(text.lower().replace("infinity", "inf"))
    return None


def go_string(value: Any) -> str:
    """Go's `stringifyValue`: strings as they are, numbers as Go's `FormatFloat(v, 'f', -1)`,
    booleans `true`/`false`, anything else the empty string."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "NaN"
        if math.isinf(value):
            return "+Inf" if value > 0 else "-Inf"
        text = format(Decimal(repr(value)), "f")
        return text.rstrip("0").rstrip(".") if "." in text else text
    return ""


def _json_number(value: float | None) -> int | float:
    """A float as Go's JSON writes it: integral values without a fraction; what Go could not
    parse is 0 (a non-finite number, which Go's JSON could not write at all, too)."""
    if value is None or not math.isfinite(value):
        return 0
    return int(value) if value.is_integer() and abs(value) < 2**53 else value

"""schemaVersion 28: singlestat panels become stat panels; variables lose their tag properties.

Grafana's step (`schemaversion/v28.go`), as its backend does it:

**Which panels.** Each panel object of `panels` whose `type` is `singlestat` or
`grafana-singlestat-panel`, or whose `autoMigrateFrom` is one of them (a panel Grafana's load
already turned into `stat`); a `row` is not migrated itself but its `panels` are, recursively.
A non-row panel's own `panels` are not walked.

**The panel.** `autoMigrateFrom` is set to the old type unless it is already there; `type`
becomes `stat`, `pluginVersion` the stat version Grafana writes for an automatic migration
(`12.1.0`). `fieldConfig` is created (`{defaults: {}, overrides: []}`) when missing or `null`.
The rule that picks the migration is `autoMigrateFrom` when it is a string, else the old type:

- **`grafana-singlestat-panel`** (the singlestat *plugin*): Grafana's rule is that this panel
  gets the stat panel's defaults only — options `reduceOptions` `{calcs: [lastNotNull], fields:
  "", values: false}`, `orientation` auto, `colorMode` value, `graphMode` area, `justifyMode`
  auto, `textMode` auto, `wideLayout` true, `showPercentChange` false, `percentChangeColorMode`
  standard; `fieldConfig.defaults.thresholds` green/red at 80 (replacing any) and
  `mappings: []`. Its `format`, `valueName`, `thresholds`, value maps and colours are *not*
  carried over (the frontend never ran the singlestat conversion for it either).
- **`singlestat`** (and any other type that reaches here): the Angular options are read from
  the panel when it has any of `valueName`, `tableColumn`, `format`, `decimals`,
  `nullPointMode`, `nullText`, `thresholds`, `colors`, `valueMaps`, `gauge`, `sparkline`,
  `colorBackground`, `colorValue` (else none are), and become:
  - `reduceOptions.calcs`: `valueName` through Grafana's table (`avg`/`mean` → mean, `current`,
    `last` and `name` → lastNotNull, `first` → firstNotNull, `total`/`sum` → sum, `min`, `max`,
    `median`, `count`), `mean` for anything else; `fields` `/^<tableColumn>$/` for a non-empty
    `tableColumn`; `orientation` horizontal; `graphMode` area when `sparkline.show` is true
    (then `sparkline.lineColor` → a fixed `color`), none otherwise; `colorMode` background
    (`colorBackground` true), value (`colorValue` true) or none; `textMode` name when
    `valueName` is `name`.
  - `thresholds` (a non-empty comma string) with `colors` (a list): one step per colour, the
    first at `null`, the next ones at the parsed numbers (a step whose number does not parse,
    or that has no number left, gets no `value`); an empty string with a `colors` list, or no
    thresholds at all, gives Grafana's default green/red-at-80 (existing
    `fieldConfig.defaults.thresholds` are kept in that last case).
  - `format` → `unit`, `decimals` → `decimals` and `nullPointMode` → `nullValueMode` (whatever
    their values), `nullText` → `noValue`, `gauge.show` true → `min`/`max` from
    `gauge.minValue`/`maxValue`; unit `percent` gets min 0/max 100 and `percentunit` 0/1 where
    none is set.
  - value mappings (`mappings`, always written): the kind is decided as Grafana's Go code does —
    range maps when `rangeMaps` is non-empty and `mappingType` is 1, value maps when `valueMaps`
    is non-empty and `mappingType` is 2, and when `mappingType` is missing, value maps if there
    are any, else range maps. **A `mappingType` of 1 with value maps only, or of 2 with range
    maps only, gives no mappings at all**: Grafana compares the JSON number with the Go integer
    1/2 and they never match, so those exports lose their mappings, here as in Grafana. Each
    old map without a `type` becomes one mapping (`value: "null"` or a range `from`/`to` of
    `"null"` → a `special` null match, a value → `{type: value, options: {<value as Go prints
    it>: {text, color}}}`, a range → `{type: range, options: {from, to, result}}` with numeric
    strings parsed); a map carrying a `type` gives nothing (same integer comparison). The
    colour is the threshold step the map's `text` falls in when it parses as a number.
  The new options are merged into the panel's `options` object (replacing it when it is not
  one), then the stat defaults above fill what is missing.

**Clean-up.** The Angular keys (`colors`, `thresholds`, `valueMaps`, `rangeMaps`, `gauge`,
`format`, `sparkline`, `valueName`, `legend`, `grid`, ... and `autoMigrateFrom`) are removed, and
then every key but those Grafana keeps through a panel-type change (`id`, `gridPos`, `type`,
`title`, `targets`, `datasource`, `links`, `description`, `repeat…`, `timeFrom`, `timeShift`,
`hideTimeOverride`, `transparent`, `pluginVersion`, `fieldConfig`, `options`, `maxDataPoints`,
`interval`, `cacheTimeout`, `queryCachingTTL`, `minSpan`, `collapsed`, `panels`, `scopedVars`,
...) — so `transformations`, `maxPerRow` and `libraryPanel` go too. Targets without a string
`refId` get the next free letter.

**Variables.** On each object of `templating.list`: `tags` is removed; `tagsQuery` and
`tagValuesQuery` when they are neither `""` nor `null`; `useTags` when it is neither `false`
nor `null`.

Grafana itself fails (here `Unmigratable`) on a singlestat whose `type` is not a string,
whose `fieldConfig` is not an object or has no `defaults` object, whose `gauge` is not an
object, whose `valueMaps`/`rangeMaps` are not lists or hold non-objects where they are read,
and on thresholds or ranges of `inf`/`NaN`, which it cannot store.

Knowingly different: nothing in what is stored. (The frontend's own v28 block called
`migrateSinglestat` only for panels still typed `singlestat`, which Grafana's load never leaves.)
"""

from __future__ import annotations

import math
import re
from decimal import Decimal
from typing import Any

from . import Dashboard, StepContext, Unmigratable, panel_name, step

# The version Grafana writes on a panel it migrated to stat on its own.
STAT_PLUGIN_VERSION = "12.1.0"
SINGLESTAT = "singlestat"
SINGLESTAT_PLUGIN = "grafana-singlestat-panel"
ANGULAR_KEYS = (
    "valueName",
    "tableColumn",
    "format",
    "decimals",
    "nullPointMode",
    "nullText",
    "thresholds",
    "colors",
    "valueMaps",
    "gauge",
    "sparkline",
    "colorBackground",
    "colorValue",
)
# Grafana's `valueName` → reducer table for this step (not the legend's).
REDUCERS = {
    "min": "min",
    "max": "max",
    "mean": "mean",
    "avg": "mean",
    "median": "median",
    "sum": "sum",
    "count": "count",
    "first": "firstNotNull",
    "last": "lastNotNull",
    "name": "lastNotNull",
    "current": "lastNotNull",
    "total": "sum",
}
LEGACY_KEYS = (
    "colors",
    "thresholds",
    "valueMaps",
    "grid",
    "legend",
    "mappingTypes",
    "gauge",
    "autoMigrateFrom",
    "colorBackground",
    "colorValue",
    "format",
    "mappingType",
    "nullPointMode",
    "postfix",
    "postfixFontSize",
    "prefix",
    "prefixFontSize",
    "rangeMaps",
    "sparkline",
    "tableColumn",
    "valueFontSize",
    "valueName",
    "aliasYAxis",
    "bars",
    "dashLength",
    "dashes",
    "fill",
    "fillGradient",
    "lineInterpolation",
    "lineWidth",
    "pointRadius",
    "points",
    "spaceLength",
    "stack",
    "steppedLine",
    "xAxis",
    "yAxes",
    "yAxis",
    "zIndex",
)
# What survives Grafana's panel-type change (its `mustKeepProps` for this step).
KEPT_KEYS = frozenset(
    (
        "id",
        "gridPos",
        "type",
        "title",
        "scopedVars",
        "repeat",
        "repeatPanelId",
        "repeatDirection",
        "repeatedByRow",
        "minSpan",
        "collapsed",
        "panels",
        "targets",
        "datasource",
        "timeFrom",
        "timeShift",
        "hideTimeOverride",
        "description",
        "links",
        "fullscreen",
        "isEditing",
        "isViewing",
        "hasRefreshed",
        "events",
        "cacheTimeout",
        "queryCachingTTL",
        "cachedPluginOptions",
        "transparent",
        "pluginVersion",
        "fieldConfig",
        "options",
        "maxDataPoints",
        "interval",
        "autoMigrateFrom",
    )
)
REF_LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"

_DECIMAL = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")
_HEX = re.compile(r"[+-]?0[xX](?:[0-9a-fA-F]+\.?[0-9a-fA-F]*|\.[0-9a-fA-F]+)[pP][+-]?\d+")
_SPECIAL = re.compile(r"[+-]?(?:inf|infinity)|nan", re.IGNORECASE)


@step(28)
def v28(dashboard: Dashboard, ctx: StepContext) -> None:
    panels = dashboard.get("panels")
    if isinstance(panels, list):
        _walk(panels, "/panels", ctx)
    templating = dashboard.get("templating")
    variables = templating.get("list") if isinstance(templating, dict) else None
    if isinstance(variables, list):
        for variable in variables:
            if isinstance(variable, dict):
                _drop_tag_properties(variable, ctx)


def _walk(panels: list[Any], at: str, ctx: StepContext) -> None:
    for index, panel in enumerate(panels):
        if not isinstance(panel, dict):
            continue
        pointer = f"{at}/{index}"
        if panel.get("type") == "row":
            nested = panel.get("panels")
            if isinstance(nested, list):
                _walk(nested, f"{pointer}/panels", ctx)
            continue
        if _is_singlestat(panel):
            migrate_singlestat(panel, pointer, ctx)


def _is_singlestat(panel: dict[str, Any]) -> bool:
    """Still a singlestat, or one Grafana's load already typed `stat` (`autoMigrateFrom`)."""
    kinds = (SINGLESTAT, SINGLESTAT_PLUGIN)
    return panel.get("type") in kinds or panel.get("autoMigrateFrom") in kinds


def migrate_singlestat(panel: dict[str, Any], pointer: str, ctx: StepContext) -> None:
    """Turn one singlestat panel into a stat panel, in place, as Grafana's step does."""
    original = panel.get("type")
    if not isinstance(original, str):
        raise Unmigratable(f"{pointer}/type", "not a string: Grafana's stat migration fails on it")
    name = panel_name(pointer, panel)
    before = set(panel)
    panel.setdefault("autoMigrateFrom", original)
    source = panel["autoMigrateFrom"] if isinstance(panel["autoMigrateFrom"], str) else original
    panel["type"] = "stat"
    panel["pluginVersion"] = STAT_PLUGIN_VERSION
    defaults = _field_defaults(panel, pointer)
    go_ints: list[dict[str, Any]] = []  # threshold steps whose value Grafana holds as a Go int
    if source == SINGLESTAT_PLUGIN:
        options = stat_default_options()
        defaults["thresholds"] = _default_thresholds(go_ints)
        defaults["mappings"] = []
    else:
        options = _angular_options(panel, defaults, go_ints, pointer)
    existing = panel.get("options")
    if isinstance(existing, dict):
        existing.update(options)
    else:
        panel["options"] = options
    _percent_range(defaults)
    for key, value in stat_default_options().items():
        panel["options"].setdefault(key, value)
    for key in LEGACY_KEYS:
        panel.pop(key, None)
    for key in [key for key in panel if key not in KEPT_KEYS]:
        del panel[key]
    _ensure_ref_ids(panel)
    if source == SINGLESTAT_PLUGIN:
        how = "the singlestat plugin: the stat panel's defaults only"
    else:
        how = f"reducer {panel['options']['reduceOptions']['calcs'][0]}"
    ctx.log(f"{source} → stat ({how})", name)
    if dropped := sorted(before - set(panel)):
        ctx.log(f"removed with the old panel type: {', '.join(dropped)}", name)


def stat_default_options() -> dict[str, Any]:
    """The stat panel's default options, as Grafana fills them in."""
    return {
        "colorMode": "value",
        "graphMode": "area",
        "justifyMode": "auto",
        "percentChangeColorMode": "standard",
        "showPercentChange": False,
        "textMode": "auto",
        "wideLayout": True,
        "reduceOptions": {"calcs": ["lastNotNull"], "fields": "", "values": False},
        "orientation": "auto",
    }


def _default_thresholds(go_ints: list[dict[str, Any]]) -> dict[str, Any]:
    red = {"color": "red", "value": 80}
    go_ints.append(red)
    return {"mode": "absolute", "steps": [{"color": "green", "value": None}, red]}


def _field_defaults(panel: dict[str, Any], pointer: str) -> dict[str, Any]:
    if panel.get("fieldConfig") is None:
        panel["fieldConfig"] = {"defaults": {}, "overrides": []}
    field_config = panel["fieldConfig"]
    if not isinstance(field_config, dict):
        raise Unmigratable(
            f"{pointer}/fieldConfig", "not an object: Grafana's stat migration fails on it"
        )
    defaults = field_config.get("defaults")
    if not isinstance(defaults, dict):
        raise Unmigratable(
            f"{pointer}/fieldConfig/defaults",
            "missing or not an object: Grafana's stat migration fails on it",
        )
    return defaults


def _angular_options(
    panel: dict[str, Any], defaults: dict[str, Any], go_ints: list[dict[str, Any]], pointer: str
) -> dict[str, Any]:
    angular = panel if any(key in panel for key in ANGULAR_KEYS) else {}
    value_name = angular.get("valueName")
    reducer = REDUCERS.get(value_name, "mean") if isinstance(value_name, str) else "mean"
    options: dict[str, Any] = {
        "reduceOptions": {"calcs": [reducer], "fields": "", "values": False},
        "orientation": "horizontal",
    }
    _thresholds(angular, defaults, go_ints, pointer)
    if "thresholds" not in defaults:
        defaults["thresholds"] = _default_thresholds(go_ints)
    table_column = angular.get("tableColumn")
    if isinstance(table_column, str) and table_column:
        options["reduceOptions"]["fields"] = f"/^{table_column}$/"
    if isinstance(angular.get("format"), str):
        defaults["unit"] = angular["format"]
    if "decimals" in angular:
        defaults["decimals"] = angular["decimals"]
    if "nullPointMode" in angular:
        defaults["nullValueMode"] = angular["nullPointMode"]
    if isinstance(angular.get("nullText"), str):
        defaults["noValue"] = angular["nullText"]
    defaults["mappings"] = _mappings(angular, defaults.get("thresholds"), go_ints, pointer)
    _display(angular, defaults, options, pointer)
    return options


def _display(
    angular: dict[str, Any], defaults: dict[str, Any], options: dict[str, Any], pointer: str
) -> None:
    """Sparkline, colour mode, text mode and gauge range."""
    sparkline = angular.get("sparkline")
    if isinstance(sparkline, dict) and sparkline.get("show") is True:
        options["graphMode"] = "area"
        if isinstance(sparkline.get("lineColor"), str):
            defaults["color"] = {"mode": "fixed", "fixedColor": sparkline["lineColor"]}
    else:
        options["graphMode"] = "none"
    if angular.get("colorBackground") is True:
        options["colorMode"] = "background"
    elif angular.get("colorValue") is True:
        options["colorMode"] = "value"
    else:
        options["colorMode"] = "none"
    if angular.get("valueName") == "name":
        options["textMode"] = "name"
    gauge = angular.get("gauge")
    if gauge is None:
        return
    if not isinstance(gauge, dict):
        raise Unmigratable(
            f"{pointer}/gauge", "not an object: Grafana's stat migration fails on it"
        )
    if gauge.get("show") is True:
        defaults["min"] = gauge.get("minValue")
        defaults["max"] = gauge.get("maxValue")


def _thresholds(
    angular: dict[str, Any], defaults: dict[str, Any], go_ints: list[dict[str, Any]], pointer: str
) -> None:
    text, colors = angular.get("thresholds"), angular.get("colors")
    if not isinstance(text, str) or not isinstance(colors, list):
        return
    if not text:
        defaults["thresholds"] = _default_thresholds(go_ints)
        return
    values = text.split(",")
    steps: list[dict[str, Any]] = []
    for index, color in enumerate(colors):
        threshold: dict[str, Any] = {"color": color}
        if index == 0:
            threshold["value"] = None
        elif index - 1 < len(values):
            number = go_parse_float(values[index - 1].strip())
            if number is not None:
                threshold["value"] = _storable(number, f"{pointer}/thresholds")
        steps.append(threshold)
    defaults["thresholds"] = {"mode": "absolute", "steps": steps}


def _non_empty_list(angular: dict[str, Any], key: str, pointer: str) -> bool:
    value = angular.get(key)
    if value is None:
        return False
    if not isinstance(value, list):
        raise Unmigratable(f"{pointer}/{key}", "not a list: Grafana's stat migration fails on it")
    return bool(value)


def _is_json_number(value: Any, number: int) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and value == number


def _mappings(
    angular: dict[str, Any], thresholds: Any, go_ints: list[dict[str, Any]], pointer: str
) -> list[dict[str, Any]]:
    mapping_type = angular.get("mappingType")
    has_values = _non_empty_list(angular, "valueMaps", pointer)
    has_ranges = _non_empty_list(angular, "rangeMaps", pointer)
    # Only the kinds Grafana's code decides itself match its `case 1`/`case 2`: a JSON number
    # kept as it came never equals the Go integer.
    kind = None
    if has_ranges and _is_json_number(mapping_type, 1):
        kind = "rangeMaps"
    elif has_values and _is_json_number(mapping_type, 2):
        kind = "valueMaps"
    elif mapping_type is None:
        kind = "valueMaps" if has_values else "rangeMaps" if has_ranges else None
    if kind is None:
        return []
    mappings = []
    for index, old in enumerate(angular[kind]):
        if not isinstance(old, dict):
            raise Unmigratable(
                f"{pointer}/{kind}/{index}", "not an object: Grafana's stat migration fails on it"
            )
        mapping = upgrade_angular_mapping(old, thresholds, go_ints, f"{pointer}/{kind}/{index}")
        if mapping is not None:
            mappings.append(mapping)
    return mappings


def upgrade_angular_mapping(
    old: dict[str, Any], thresholds: Any, go_ints: list[dict[str, Any]], pointer: str
) -> dict[str, Any] | None:
    """One old value or range map as Grafana's step converts it (None: dropped)."""
    result = {
        "text": old.get("text"),
        "color": _threshold_color(old.get("text"), thresholds, go_ints),
    }
    if old.get("type") is not None:
        return None
    if old.get("value") is not None:
        if old["value"] == "null":
            return {"type": "special", "options": {"match": "null", "result": result}}
        return {"type": "value", "options": {go_print(old["value"]): result}}
    low, high = old.get("from"), old.get("to")
    if low is None and high is None:
        return None
    if "null" in (low, high):
        return {"type": "special", "options": {"match": "null", "result": result}}
    return {
        "type": "range",
        "options": {
            "from": _range_end(low, f"{pointer}/from"),
            "to": _range_end(high, f"{pointer}/to"),
            "result": result,
        },
    }


def _range_end(value: Any, pointer: str) -> Any:
    if not isinstance(value, str):
        return value
    number = go_parse_float(value)
    return None if number is None else _storable(number, pointer)


def _threshold_color(text: Any, thresholds: Any, go_ints: list[dict[str, Any]]) -> Any:
    """The colour of the threshold step a numeric `text` falls in (Grafana's
    `getActiveThreshold`: from the last step down, the first at `null` or at or below it)."""
    number = go_parse_float(text) if isinstance(text, str) else None
    steps = thresholds.get("steps") if isinstance(thresholds, dict) else None
    if number is None or not isinstance(steps, list):
        return None
    for candidate in reversed(steps):
        if not isinstance(candidate, dict) or "value" not in candidate:
            continue
        value = candidate["value"]
        if value is None:
            return candidate.get("color")
        # Grafana's own default step holds a Go int, which its comparison skips.
        if any(candidate is own for own in go_ints):
            continue
        if isinstance(value, int | float) and not isinstance(value, bool) and number >= value:
            return candidate.get("color")
    return None


def _percent_range(defaults: dict[str, Any]) -> None:
    unit = defaults.get("unit")
    top = {"percent": 100, "percentunit": 1}.get(unit) if isinstance(unit, str) else None
    if top is None:
        return
    if defaults.get("min") is None:
        defaults["min"] = 0
    if defaults.get("max") is None:
        defaults["max"] = top


def _ensure_ref_ids(panel: dict[str, Any]) -> None:
    targets = panel.get("targets")
    if not isinstance(targets, list):
        return
    taken = {t["refId"] for t in targets if isinstance(t, dict) and isinstance(t.get("refId"), str)}
    index = 0
    for target in targets:
        if not isinstance(target, dict) or (
            isinstance(target.get("refId"), str) and target["refId"]
        ):
            continue
        while index < len(REF_LETTERS):
            if REF_LETTERS[index] not in taken:
                target["refId"] = REF_LETTERS[index]
                taken.add(REF_LETTERS[index])
                break
            index += 1
        index += 1


def _drop_tag_properties(variable: dict[str, Any], ctx: StepContext) -> None:
    removed = []
    if "tags" in variable:
        removed.append("tags")
    for key in ("tagsQuery", "tagValuesQuery"):
        if key in variable and variable[key] != "" and variable[key] is not None:
            removed.append(key)
    if (
        "useTags" in variable
        and variable["useTags"] is not False
        and variable["useTags"] is not None
    ):
        removed.append("useTags")
    for key in removed:
        del variable[key]
    if removed:
        ctx.log(f"variable {variable.get('name', '?')}: removed {', '.join(removed)}")


def go_parse_float(text: str) -> float | None:
    """Go's `strconv.ParseFloat(text, 64)`: the number, or None where Go reports an error
    (malformed, or out of range)."""
    if _DECIMAL.fullmatch(text):
        number = float(text)
        return None if math.isinf(number) else number
    if _HEX.fullmatch(text):
        try:
            return float.fromhex(text)
        except OverflowError:
            return None
    if _SPECIAL.fullmatch(text):
        return float(text)
    return None


def _storable(number: float, pointer: str) -> int | float:
    """A parsed number as Go's JSON encoder writes it; Grafana cannot store inf or NaN."""
    if not math.isfinite(number):
        raise Unmigratable(pointer, f"{number} is not a finite number: Grafana cannot store it")
    return int(number) if number.is_integer() and abs(number) < 1e21 else number


def go_print(value: Any) -> str:
    """`fmt.Sprintf("%v", value)` for a JSON value as Go decodes it (numbers are float64)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    if value is None:
        return "<nil>"
    if isinstance(value, int | float):
        return _go_shortest(float(value))
    if isinstance(value, list):
        return "[" + " ".join(go_print(item) for item in value) + "]"
    if isinstance(value, dict):
        return "map[" + " ".join(f"{k}:{go_print(value[k])}" for k in sorted(value)) + "]"
    return str(value)


def _go_shortest(number: float) -> str:
    """`strconv.FormatFloat(number, 'g', -1, 64)`: shortest digits, exponent form when the
    exponent is below -4 or at least 6 (so 1e+06, 123456, 1.5e-05)."""
    if math.isnan(number):
        return "NaN"
    if math.isinf(number):
        return "+Inf" if number > 0 else "-Inf"
    sign = "-" if math.copysign(1.0, number) < 0 else ""
    if number == 0:
        return sign + "0"
    _, digit_tuple, exponent = Decimal(repr(abs(number))).as_tuple()
    digits = "".join(map(str, digit_tuple)).rstrip("0") or "0"
    assert isinstance(exponent, int)
    point = len("".join(map(str, digit_tuple))) + exponent  # where the decimal point falls
    power = point - 1
    if power < -4 or power >= 6:
        mantissa = digits[0] + ("." + digits[1:] if len(digits) > 1 else "")
        return f"{sign}{mantissa}e{'-' if power < 0 else '+'}{abs(power):02d}"
    if point <= 0:
        return f"{sign}0.{'0' * -point}{digits}"
    if point >= len(digits):
        return sign + digits + "0" * (point - len(digits))
    return f"{sign}{digits[:point]}.{digits[point:]}"

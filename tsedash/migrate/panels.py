"""Angular panels to their React successors, as Grafana does it when it loads a dashboard.

Not a schema step. Grafana's frontend gives every panel of an Angular type its replacement the
moment it reads the panel (`PanelModel.restoreModel` → `getPanelPluginToMigrateTo`: `graph` →
`timeseries`, or `barchart`/`bargauge`/`histogram` by its x-axis mode; `singlestat` and
`grafana-singlestat-panel` → `stat`; `table-old` → `table`; three community panels →
`piechart`, `geomap`, `state-timeline`) and records the old type in `autoMigrateFrom`; the
backend does the same to the top-level panels it saves (`applyPanelAutoMigration`,
`migration_type` below). When the new plugin loads, its panel-change handler converts the old
options (`plugin.onPanelTypeChanged(panel, autoMigrateFrom, {angular: <the old panel>},
fieldConfig)`), and what survives a panel-type change is kept (`mustKeepProps`). Read in
grafana/grafana: `public/app/features/dashboard/state/PanelModel.ts`,
`getPanelPluginToMigrateTo.ts`, the handlers named below, and the backend's
`schemaversion/angular_migration.go`.

Reproduced here, for every panel (collapsed rows' included):

- `graph` → `timeseries`: `graphPanelChangedHandler` / `flotToGraphOptions`
  (`public/app/plugins/panel/timeseries/migrations.ts`), JavaScript's reading of values kept
  where it decides the result (truthiness, `isNumber`, `Number("…")`, `v * 10`);
- `singlestat`, `grafana-singlestat-panel` → `stat`: the stat plugin's handler, which Grafana's
  backend ports as schema step 28 (`schemaversion.v28.migrate_singlestat`, one implementation);
- `table-old` → `table` (an Angular table, marked by step 24 or typed `table-old`):
  `tablePanelChangedHandler` (`public/app/plugins/panel/table/migrations.ts`).

Then, for every panel that is not a row, what a panel plugin does to the field config when it
loads (`getPanelOptionsWithDefaults` → `applyFieldConfigDefaults`): `cleanProperties` drops the
`fieldConfig.defaults` members no plugin registers (the standard options are `unit`, `min`,
`max`, `decimals`, `displayName`, `color`, `noValue`, `links`, `actions`, `mappings`,
`thresholds`, `fieldMinMax`; `custom` is the plugin's own and is kept whole), so the
`nullValueMode` the graph and singlestat conversions carry over goes; `fixThresholds` gives
thresholds without a `mode` the absolute mode and thresholds without steps (missing, `""`,
`null`) an empty list.

Knowingly not reproduced: the handlers of `barchart`, `bargauge`, `histogram`, `piechart`,
`geomap` and `state-timeline` (those panels get their new type and `autoMigrateFrom`, exactly as
Grafana stores them, and Grafana's plugin converts their options when the dashboard is opened);
the option and field-config defaults each plugin merges in when it loads, the custom options
and override properties it does not register, and standard options a plugin disables (they
depend on each plugin's code).

Where Grafana's handler itself throws (a JavaScript TypeError: `thresholds` that are a string,
a `null` series override, table `styles` that are not a list), the panel is `Unmigratable`.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from functools import cmp_to_key
from typing import Any, TypeGuard

from tsedash.migrate.schemaversion import Dashboard, StepContext, Unmigratable, panel_name
from tsedash.migrate.schemaversion.v28 import SINGLESTAT, SINGLESTAT_PLUGIN, migrate_singlestat

# The `Change.version` of what this module logs: not a schema version, not the load defaults.
PANEL_MIGRATION = -1

AUTO_MIGRATE_ANGULAR = {
    "graph": "timeseries",
    "table-old": "table",
    SINGLESTAT: "stat",
    SINGLESTAT_PLUGIN: "stat",
    "grafana-piechart-panel": "piechart",
    "grafana-worldmap-panel": "geomap",
    "natel-discrete-panel": "state-timeline",
}
# Panels removed from Grafana whose successor reads their options as they are.
AUTO_MIGRATE_REMOVED = {"heatmap-new": "heatmap"}
# What a panel-type change keeps (`mustKeepProps`), besides `options` and the repeat layout's
# `maxPerRow`; everything else of the old panel is the old plugin's and goes with it.
MUST_KEEP = frozenset(
    {
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
        "cacheTimeout",
        "queryCachingTTL",
        "transparent",
        "pluginVersion",
        "transformations",
        "fieldConfig",
        "maxDataPoints",
        "interval",
        "libraryPanel",
        "options",
        "maxPerRow",
    }
)
# The field options every panel plugin registers (`getAllStandardFieldConfigs`), and `custom`.
STANDARD_FIELD_OPTIONS = frozenset(
    {
        "unit",
        "min",
        "max",
        "decimals",
        "displayName",
        "color",
        "noValue",
        "links",
        "actions",
        "mappings",
        "thresholds",
        "fieldMinMax",
        "custom",
    }
)
# `fieldReducers` ids and their aliases, as the graph legend's value flags name them.
REDUCERS = {
    "lastNotNull": "lastNotNull",
    "current": "lastNotNull",
    "last": "last",
    "firstNotNull": "firstNotNull",
    "first": "first",
    "min": "min",
    "max": "max",
    "mean": "mean",
    "avg": "mean",
    "sum": "sum",
    "total": "sum",
    "count": "count",
    "range": "range",
    "delta": "delta",
    "step": "step",
    "diff": "diff",
    "logmin": "logmin",
    "allIsZero": "allIsZero",
    "allIsNull": "allIsNull",
    "changeCount": "changeCount",
    "distinctCount": "distinctCount",
    "diffperc": "diffperc",
    "allValues": "allValues",
    "uniqueValues": "uniqueValues",
    "median": "median",
    "variance": "variance",
    "stdDev": "stdDev",
}
NEG_INF = float("-inf")  # JavaScript's -Infinity; written as null, as JSON.stringify writes it
_REGEX_ALIAS = re.compile(r"^([/~@;%#'])(.*?)\1([gimsuy]*)\Z")
_JS_DECIMAL = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")
_JS_INT_PREFIX = re.compile(r"[+-]?\d+")


def migration_type(panel: dict[str, Any], backend: bool = False) -> str:
    """`getPanelPluginToMigrateTo`: the type an Angular panel becomes, "" for any other.
    `backend`: as the backend's save-time `applyPanelAutoMigration` decides it (no removed
    plugins; a graph legend's `values` counts only when it is the boolean `true`)."""
    kind = panel.get("type")
    if not isinstance(kind, str):
        return ""
    if kind in AUTO_MIGRATE_REMOVED and not backend:
        return AUTO_MIGRATE_REMOVED[kind]
    if kind == "graph":
        xaxis = panel.get("xaxis")
        mode = xaxis.get("mode") if isinstance(xaxis, dict) else None
        if mode == "series":
            values = _get(panel.get("legend"), "values")
            shown = values is True if backend else truthy(values)
            return "bargauge" if shown else "barchart"
        return "histogram" if mode == "histogram" else "timeseries"
    return AUTO_MIGRATE_ANGULAR.get(kind, "")


def migrate_panels(dashboard: Dashboard, ctx: StepContext) -> None:
    """Every Angular panel as Grafana loads it, in place, each change logged."""
    ctx.version = PANEL_MIGRATION
    for pointer, panel in _panels(dashboard):
        if panel.get("type") == "row":
            continue
        new = migration_type(panel)
        if new:
            panel["autoMigrateFrom"] = panel["type"]
            panel["type"] = new
        source = panel.get("autoMigrateFrom")
        if not isinstance(source, str) or not source:
            continue
        handler = _HANDLERS.get((str(panel.get("type")), source))
        name = panel_name(pointer, panel)
        if handler is None:
            if new:
                ctx.log(
                    f"{source} → {new} (`autoMigrateFrom: {source}`, as Grafana stores it; "
                    f"Grafana's {new} plugin converts the old options when the dashboard is "
                    "opened, which tsedash does not reproduce)",
                    name,
                )
            continue
        handler(panel, pointer, ctx)
    for pointer, panel in _panels(dashboard):
        if panel.get("type") == "text":
            text_plugin_migration(panel, panel_name(pointer, panel), ctx)
        if panel.get("type") != "row":
            plugin_field_config(panel, panel_name(pointer, panel), ctx)


TEXT_MODES = ("code", "html", "markdown")


def text_plugin_migration(panel: dict[str, Any], name: str, ctx: StepContext) -> None:
    """`textPanelMigrationHandler` (`public/app/plugins/panel/text/`), which Grafana runs when
    the text plugin loads a panel saved by another version: the Angular text panel's `content`
    and `mode` become its options (for a panel older than 7.1), and a mode that is none of
    code, html, markdown (the removed `text` mode, or none) becomes markdown."""
    options = panel.get("options")
    if not isinstance(options, dict):
        options = {}
    if "content" in panel and "mode" in panel:
        content, mode = panel.pop("content"), panel.pop("mode")
        if _parse_float(panel.get("pluginVersion")) < 7.1:
            options = {"content": content, "mode": mode}
            ctx.log("the Angular text panel's `content` and `mode` → its options", name)
        else:
            ctx.log("`content` and `mode` beside the options of a text panel of 7.1+ removed", name)
    if options.get("mode") not in TEXT_MODES:
        ctx.log(f"text mode {json_text(options.get('mode'))} → markdown", name)
        options = {**options, "mode": "markdown"}
    panel["options"] = options


def _parse_float(version: Any) -> float:
    """`parseFloat(panel.pluginVersion || '6.1')`; NaN compares false, so it counts as high."""
    text = version if isinstance(version, str) and version else "6.1"
    match = re.match(r"\s*[+-]?(\d+\.?\d*|\.\d+)", text)
    return float(match.group()) if match else math.inf


def json_text(value: Any) -> str:
    return "none" if value is None else repr(value) if not isinstance(value, str) else value


def plugin_field_config(panel: dict[str, Any], name: str, ctx: StepContext) -> None:
    """`cleanProperties` on the standard options and `fixThresholds` (module docstring)."""
    config = panel.get("fieldConfig")
    defaults = config.get("defaults") if isinstance(config, dict) else None
    if not isinstance(defaults, dict):
        return
    unknown = [key for key in defaults if key not in STANDARD_FIELD_OPTIONS]
    for key in unknown:
        del defaults[key]
    if unknown:
        ctx.log(f"field options no panel plugin registers removed: {', '.join(unknown)}", name)
    fixed = _fix_thresholds(defaults.get("thresholds"))
    overrides = config.get("overrides") if isinstance(config, dict) else None
    for override in overrides if isinstance(overrides, list) else []:
        props = _get(override, "properties")
        for prop in props if isinstance(props, list) else []:
            if _get(prop, "id") == "thresholds":
                fixed = _fix_thresholds(prop.get("value")) or fixed
    if fixed:
        ctx.log("thresholds without a mode or steps: the absolute mode, no steps", name)


def _fix_thresholds(thresholds: Any) -> bool:
    """`fixThresholds`: whether it changed anything (a null base value is -Infinity already)."""
    if not isinstance(thresholds, dict):
        return False
    changed = False
    if not truthy(thresholds.get("mode")):
        thresholds["mode"] = "absolute"
        changed = True
    if not truthy(thresholds.get("steps")):
        changed = changed or thresholds.get("steps") != []
        thresholds["steps"] = []
    return changed


def _panels(dashboard: Dashboard) -> list[tuple[str, dict[str, Any]]]:
    """Top-level panels, each followed by the panels of its row."""
    out: list[tuple[str, dict[str, Any]]] = []
    panels = dashboard.get("panels")
    for i, panel in enumerate(panels if isinstance(panels, list) else []):
        if not isinstance(panel, dict):
            continue
        out.append((f"/panels/{i}", panel))
        nested = panel.get("panels")
        for j, inner in enumerate(nested if isinstance(nested, list) else []):
            if isinstance(inner, dict):
                out.append((f"/panels/{i}/panels/{j}", inner))
    return out


def _stat(panel: dict[str, Any], pointer: str, ctx: StepContext) -> None:
    """The stat plugin's handler is what schema step 28 ports: the panel goes back to its old
    type, and step 28's conversion takes it from there."""
    panel["type"] = panel.pop("autoMigrateFrom")
    migrate_singlestat(panel, pointer, ctx)


def _timeseries(panel: dict[str, Any], pointer: str, ctx: StepContext) -> None:
    angular = _options_to_remember(panel)
    field_config = panel.get("fieldConfig")
    converted = GraphConversion(angular, field_config, pointer)
    panel["fieldConfig"] = converted.field_config
    _assign_options(panel, converted.options)
    dropped = _keep_after_type_change(panel)
    name = panel_name(pointer, panel)
    ctx.log(f"graph → timeseries ({converted.summary()})", name)
    if dropped:
        ctx.log(f"removed with the old panel type: {', '.join(dropped)}", name)


def _table(panel: dict[str, Any], pointer: str, ctx: StepContext) -> None:
    angular = _options_to_remember(panel)
    transformations, field_config = table_old_to_table(panel, angular, pointer)
    panel["transformations"] = transformations
    panel["fieldConfig"] = field_config
    _assign_options(panel, {})
    dropped = _keep_after_type_change(panel)
    name = panel_name(pointer, panel)
    styles = angular.get("styles")
    count = len(styles) if isinstance(styles, list) else 0
    shown = (
        f"{count} column style(s) → field config and {len(field_config['overrides'])} override(s)"
    )
    if transformations:
        shown += f"; transformations {', '.join(str(t.get('id')) for t in transformations)}"
    ctx.log(f"table-old → table ({shown})", name)
    if dropped:
        ctx.log(f"removed with the old panel type: {', '.join(dropped)}", name)


_HANDLERS: dict[tuple[str, str], Callable[[dict[str, Any], str, StepContext], None]] = {
    ("timeseries", "graph"): _timeseries,
    ("stat", SINGLESTAT): _stat,
    ("stat", SINGLESTAT_PLUGIN): _stat,
    ("table", "table-old"): _table,
}


def _options_to_remember(panel: dict[str, Any]) -> dict[str, Any]:
    """`getOptionsToRemember`: the old panel's own properties, handed to the new plugin."""
    return {k: v for k, v in panel.items() if k not in MUST_KEEP or k == "options"}


def _assign_options(panel: dict[str, Any], options: dict[str, Any]) -> None:
    """`Object.assign(panel.options, handlerResult)`."""
    existing = panel.get("options")
    panel["options"] = {**existing, **options} if isinstance(existing, dict) else dict(options)


def _keep_after_type_change(panel: dict[str, Any]) -> list[str]:
    dropped = sorted(k for k in panel if k not in MUST_KEEP)
    for key in dropped:
        del panel[key]
    return [k for k in dropped if k != "autoMigrateFrom"]


# --- JavaScript's reading of values ---------------------------------------------------------


def truthy(value: Any) -> bool:
    """JavaScript truthiness: `[]` and `{}` are true, `0`, `""`, `null`, `false` are not."""
    if value is None or value is False:
        return False
    if isinstance(value, int | float) and not isinstance(value, bool):
        return value != 0 and not math.isnan(value)
    if isinstance(value, str):
        return value != ""
    return True


def is_number(value: Any) -> TypeGuard[int | float]:
    """lodash `isNumber`: a JSON number (not a boolean, not a numeric string)."""
    return isinstance(value, int | float) and not isinstance(value, bool)


def js_number(value: Any) -> float | None:
    """`Number(value)` for a JSON value; None for NaN (and for ±Infinity, which JSON cannot
    hold: JSON.stringify writes null)."""
    if value is None or value is False:
        return 0
    if value is True:
        return 1
    if is_number(value):
        return value if math.isfinite(value) else None
    if isinstance(value, str):
        text = value.strip(" \t\n\r\v\f\u00a0\ufeff")
        if text == "":
            return 0
        if _JS_DECIMAL.fullmatch(text):
            number = float(text)
            return _whole(number) if math.isfinite(number) else None
        if re.fullmatch(r"0[xX][0-9a-fA-F]+", text):
            return int(text, 16)
        return None
    if isinstance(value, list):
        return 0 if not value else js_number(value[0]) if len(value) == 1 else None
    return None


def _whole(number: float) -> int | float:
    """A whole float as an int (JSON has one kind of number; `30.0` is written `30`)."""
    if isinstance(number, float) and number.is_integer():
        return int(number)
    return number


def js_times(value: Any, factor: float) -> int | float | None:
    """`value * factor` (JavaScript coerces; NaN is written as null)."""
    number = js_number(value)
    return None if number is None else _whole(number * factor)


def js_parse_int(value: Any) -> int | None:
    """`parseInt(value, 10)`: the leading whole number of its text; None for NaN."""
    text = _js_string(value).lstrip(" \t\n\r\v\f\u00a0\ufeff")
    match = _JS_INT_PREFIX.match(text)
    return int(match.group()) if match else None


def _js_string(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if is_number(value):
        return (
            str(_whole(value))
            if math.isfinite(value)
            else ("Infinity" if value > 0 else "-Infinity")
        )
    return value if isinstance(value, str) else ""


UNDEFINED = object()  # a missing member, which JavaScript reads as NaN where null is 0


def js_greater(a: Any, b: Any) -> bool:
    """`a > b`: strings compare as strings, anything else as numbers (NaN: false)."""
    if isinstance(a, str) and isinstance(b, str):
        return a > b
    x, y = _relational(a), _relational(b)
    return x is not None and y is not None and x > y


def _relational(value: Any) -> float | None:
    """A value as `>` reads it: undefined is NaN (None here), null is 0."""
    return None if value is UNDEFINED else js_number(value)


def _member(value: Any, key: str) -> Any:
    """`value[key]` keeping a missing member apart from a null one (UNDEFINED)."""
    return value.get(key, UNDEFINED) if isinstance(value, dict) else UNDEFINED


def _strict_equal(a: Any, b: Any) -> bool:
    """`a === b` on JSON values: objects only equal themselves."""
    if isinstance(a, dict | list) or isinstance(b, dict | list):
        return a is b
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a == b
    if is_number(a) and is_number(b):
        return a == b
    return type(a) is type(b) and a == b


def _get(value: Any, key: str) -> Any:
    """`value?.[key]` for a JSON value (only objects have named properties here)."""
    return value.get(key) if isinstance(value, dict) else None


def _at(value: Any, index: int) -> Any:
    """`value[index]`: a list's item, an object's `"<index>"` member, a string's character."""
    if isinstance(value, list | str):
        return value[index] if index < len(value) else None
    if isinstance(value, dict):
        return value.get(str(index))
    return None


def _mapping(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _omit_nil(data: dict[str, Any]) -> dict[str, Any]:
    """lodash `omitBy(data, isNil)`."""
    return {k: v for k, v in data.items() if v is not None}


# --- graph → timeseries ---------------------------------------------------------------------


class GraphConversion:
    """`flotToGraphOptions({...angular, fieldConfig: prevFieldConfig})`, step by step."""

    def __init__(self, angular: dict[str, Any], field_config: Any, pointer: str) -> None:
        self.angular = angular
        self.pointer = pointer
        self.carried: list[str] = []
        self.ignored: set[str] = set()
        self.overrides = self._overrides(field_config)
        yaxes = angular.get("yaxes")
        self.yaxes = [] if yaxes is None else yaxes
        y1 = axis_field_config(_at(self.yaxes, 0))
        defaults = _get(field_config, "defaults")
        if truthy(defaults):
            y1 = {**(defaults if isinstance(defaults, dict) else {}), **y1}
        self.y1 = y1
        self.dash = {
            "fill": "dash" if truthy(angular.get("dashes")) else "solid",
            "dash": [
                _or_default(angular.get("dashLength"), 10),
                _or_default(angular.get("spaceLength"), 10),
            ],
        }
        self.fill_below_to = False
        self._alias_colors()
        self._series_overrides()
        self.options = self._options()
        self._custom()
        self._thresholds()
        self._hidden_time_axis()
        self.field_config: dict[str, Any] = {
            "defaults": _omit_nil(self.y1),
            "overrides": self.overrides,
        }

    def summary(self) -> str:
        unit = self.field_config["defaults"].get("unit")
        legend = self.options["legend"]
        parts = [f"unit {unit}"] if unit else []
        if self.overrides:
            parts.append(f"{len(self.overrides)} override(s)")
        parts += self.carried
        shown = legend["displayMode"] if legend.get("showLegend", True) else "hidden"
        parts.append(f"legend {shown}")
        if self.ignored:
            parts.append(f"not carried over: {', '.join(sorted(self.ignored))}")
        return "; ".join(parts)

    def _overrides(self, field_config: Any) -> list[Any]:
        overrides = _get(field_config, "overrides")
        if overrides is None:
            return []
        if not isinstance(overrides, list):
            raise Unmigratable(
                f"{self.pointer}/fieldConfig/overrides",
                "not a list: Grafana's graph migration fails on it",
            )
        return overrides

    def _alias_colors(self) -> None:
        colors = self.angular.get("aliasColors")
        if not truthy(colors) or not isinstance(colors, dict | list):
            return
        items = colors.items() if isinstance(colors, dict) else enumerate(colors)
        for alias, color in items:
            if truthy(color):
                self.overrides.append(
                    {
                        "matcher": {"id": "byName", "options": str(alias)},
                        "properties": [
                            {"id": "color", "value": {"mode": "fixed", "fixedColor": color}}
                        ],
                    }
                )

    def _series_overrides(self) -> None:
        overrides = self.angular.get("seriesOverrides")
        if not isinstance(overrides, list):
            return  # a string's characters have no alias; anything else has no length
        for i, override in enumerate(overrides):
            if override is None:
                raise Unmigratable(
                    f"{self.pointer}/seriesOverrides/{i}",
                    "null: Grafana's graph migration fails on it",
                )
            alias = _get(override, "alias")
            if not truthy(alias):
                continue
            rule = self._series_override(override, alias)
            if rule["properties"]:
                self.overrides.append(rule)

    def _series_override(self, override: dict[str, Any], alias: Any) -> dict[str, Any]:
        regex = isinstance(alias, str) and _REGEX_ALIAS.match(alias) is not None
        props: list[dict[str, Any]] = []
        rule = {
            "matcher": {"id": "byRegexp" if regex else "byName", "options": alias},
            "properties": props,
        }
        dash: dict[str, Any] | None = None
        for key, value in override.items():
            if key in ("alias", "$$hashKey"):
                continue
            if key in ("dashLength", "spaceLength", "dashes"):
                dash = dash or {"fill": self.dash["fill"], "dash": list(self.dash["dash"])}
                if key == "dashes":
                    dash["fill"] = "dash" if truthy(value) else "solid"
                else:
                    dash["dash"][0 if key == "dashLength" else 1] = value
                continue
            made = self._override_property(key, value)
            if made is None:
                self.ignored.add(f"seriesOverrides.{key}")
            props += made or []
        if dash is not None:
            props.append({"id": "custom.lineStyle", "value": dash})
        return rule

    def _override_property(self, key: str, value: Any) -> list[dict[str, Any]] | None:
        """The properties one series-override key becomes; None for a key Grafana ignores."""
        if key == "yaxis":
            if not (is_number(value) and value == 2):
                return []
            return y2_properties(self.y1, axis_field_config(_at(self.yaxes, 1)))
        if key == "fill":
            return [{"id": "custom.fillOpacity", "value": js_times(value, 10)}]
        if key == "fillBelowTo":
            self.fill_below_to = True
            return [{"id": "custom.fillBelowTo", "value": value}]
        if key == "fillGradient":
            if not truthy(value):
                return []
            return [
                {"id": "custom.fillGradient", "value": "opacity"},
                {"id": "custom.fillOpacity", "value": js_times(value, 10)},
            ]
        if key == "points":
            return [{"id": "custom.showPoints", "value": "always" if truthy(value) else "never"}]
        if key == "bars":
            if truthy(value):
                return [
                    {"id": "custom.drawStyle", "value": "bars"},
                    {"id": "custom.fillOpacity", "value": 100},
                ]
            return [{"id": "custom.drawStyle", "value": "line"}]
        if key == "lines":
            return [{"id": "custom.lineWidth", "value": 0}]  # any value: the lines are hidden
        if key == "linewidth":
            return [{"id": "custom.lineWidth", "value": value}]
        if key == "pointradius":
            doubled = js_times(value, 2)
            return [{"id": "custom.pointSize", "value": None if doubled is None else 2 + doubled}]
        if key == "stack":
            return [{"id": "custom.stacking", "value": {"mode": "normal", "group": value}}]
        if key == "color":
            return [{"id": "color", "value": {"fixedColor": value, "mode": "fixed"}}]
        if key == "transform":
            shown = "negative-Y" if value == "negative-Y" else "constant"
            return [{"id": "custom.transform", "value": shown}]
        return None

    def _custom(self) -> None:
        a = self.angular
        graph = self.y1.get("custom")
        if graph is None:
            graph = {}
        if not isinstance(graph, dict):
            raise Unmigratable(
                f"{self.pointer}/fieldConfig/defaults/custom",
                "not an object: Grafana's graph migration fails on it",
            )
        graph["drawStyle"] = (
            "bars" if truthy(a.get("bars")) else "line" if truthy(a.get("lines")) else "points"
        )
        if truthy(a.get("points")):
            graph["showPoints"] = "always"
            if is_number(a.get("pointradius")):
                graph["pointSize"] = _whole(2 + a["pointradius"] * 2)
        elif graph["drawStyle"] != "points":
            graph["showPoints"] = "never"
        graph["lineWidth"] = a.get("linewidth")
        if self.dash["fill"] != "solid":
            graph["lineStyle"] = self.dash
        if self.fill_below_to:
            graph["fillOpacity"] = 35
        elif is_number(a.get("fill")):
            graph["fillOpacity"] = _whole(a["fill"] * 10)
        gradient = a.get("fillGradient")
        if is_number(gradient) and gradient > 0:
            graph["gradientMode"] = "opacity"
            graph["fillOpacity"] = _whole(gradient * 10)
        graph["spanNulls"] = a.get("nullPointMode") == "connected"
        if truthy(a.get("steppedLine")):
            graph["lineInterpolation"] = "stepAfter"
        if graph["drawStyle"] == "bars":
            graph["fillOpacity"] = 100
        if truthy(a.get("stack")):
            graph["stacking"] = {"mode": "normal", "group": "A"}
            self.carried.append("stacked")
        self.y1["custom"] = _omit_nil(graph)
        self.y1["nullValueMode"] = a.get("nullPointMode")
        for key in ("percentage", "timeRegions", "alert"):
            if truthy(a.get(key)):
                self.ignored.add(key)

    def _options(self) -> dict[str, Any]:
        legend: dict[str, Any] = {
            "displayMode": "list",
            "showLegend": True,
            "placement": "bottom",
            "calcs": [],
        }
        tooltip = {"mode": "single", "sort": "none"}
        config = self.angular.get("legend")
        if truthy(config):
            if truthy(_get(config, "show")):
                legend["displayMode"] = "table" if truthy(_get(config, "alignAsTable")) else "list"
            else:
                legend["showLegend"] = False
            if truthy(_get(config, "rightSide")):
                legend["placement"] = "right"
            if truthy(_get(config, "values")) and isinstance(config, dict):
                legend["calcs"] = [
                    REDUCERS[k] for k, v in config.items() if truthy(v) and k in REDUCERS
                ]
            if truthy(_get(config, "sideWidth")):
                legend["width"] = _get(config, "sideWidth")
        shared = self.angular.get("tooltip")
        if truthy(shared) and isinstance(shared, dict):
            if "shared" in shared:
                tooltip["mode"] = "multi" if truthy(shared["shared"]) else "single"
            if "sort" in shared and truthy(shared.get("shared")):
                sort = shared["sort"]
                number = sort if is_number(sort) else None
                tooltip["sort"] = "asc" if number == 1 else "desc" if number == 2 else "none"
        return {"legend": legend, "tooltip": tooltip}

    def _thresholds(self) -> None:
        old = self.angular.get("thresholds")
        if not truthy(old) or not _js_length(old):
            return
        if not isinstance(old, list):
            raise Unmigratable(
                f"{self.pointer}/thresholds",
                "not a list: Grafana's graph migration fails on it (`thresholds.sort`)",
            )
        if any(t is None for t in old):
            raise Unmigratable(
                f"{self.pointer}/thresholds/{old.index(None)}",
                "null: Grafana's graph migration fails on it",
            )
        ordered = sorted(
            old,
            key=cmp_to_key(
                lambda a, b: 1 if js_greater(_member(a, "value"), _member(b, "value")) else -1
            ),
        )
        steps: list[dict[str, Any]] = []
        area = line = False
        for i, threshold in enumerate(ordered):
            after = ordered[i + 1] if i + 1 < len(ordered) else None
            area = area or truthy(_get(threshold, "fill"))
            line = line or truthy(_get(threshold, "line"))
            value = _member(threshold, "value")
            if _get(threshold, "op") == "gt":
                steps.append({"value": value, "color": _threshold_color(threshold)})
            if _get(threshold, "op") == "lt":
                if not steps:
                    steps.append({"value": NEG_INF, "color": _threshold_color(threshold)})
                if (
                    truthy(after)
                    and _get(after, "op") == "gt"
                    and js_greater(_member(after, "value"), value)
                ):
                    steps.append({"value": value, "color": "transparent"})
                elif truthy(after) and _get(after, "op") == "lt":
                    steps.append({"value": value, "color": _threshold_color(after)})
                else:
                    steps.append({"value": value, "color": "transparent"})
        if steps and steps[0]["value"] != NEG_INF:
            steps.insert(0, {"color": "transparent", "value": NEG_INF})
        mode = "line+area" if line and area else "area" if area else "line"
        self.y1["custom"]["thresholdsStyle"] = {"mode": mode}
        self.y1["thresholds"] = {
            "mode": "absolute",
            "steps": [_step_json(step) for step in steps],
        }
        self.carried.append("thresholds")

    def _hidden_time_axis(self) -> None:
        xaxis = self.angular.get("xaxis")
        if truthy(xaxis) and _get(xaxis, "show") is False and _get(xaxis, "mode") == "time":
            self.overrides.append(
                {
                    "matcher": {"id": "byType", "options": "time"},
                    "properties": [{"id": "custom.axisPlacement", "value": "hidden"}],
                }
            )


def _step_json(step: dict[str, Any]) -> dict[str, Any]:
    """A threshold step as JSON.stringify writes it: undefined members go (an undefined
    colour too), -Infinity is null."""
    return {
        key: _json_number(value)
        for key, value in step.items()
        if value is not UNDEFINED and not (key == "color" and value is None)
    }


def _js_length(value: Any) -> int:
    return len(value) if isinstance(value, list | str) else 0


def _or_default(value: Any, default: Any) -> Any:
    """`value ?? default`."""
    return default if value is None else value


def _json_number(value: Any) -> Any:
    """A value as JSON.stringify writes it: ±Infinity and NaN become null."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def _threshold_color(threshold: Any) -> Any:
    mode = _get(threshold, "colorMode")
    if mode == "critical":
        return "red"
    if mode == "warning":
        return "orange"
    if mode == "custom":
        fill = _get(threshold, "fillColor")
        return fill if truthy(fill) else _get(threshold, "lineColor")
    return "red"


def axis_field_config(axis: Any) -> dict[str, Any]:
    """`getFieldConfigFromOldAxis`: an old y-axis as field config."""
    if not truthy(axis):
        return {}
    custom: dict[str, Any] = {"axisPlacement": "auto" if truthy(_get(axis, "show")) else "hidden"}
    if truthy(_get(axis, "label")):
        custom["axisLabel"] = axis["label"]
    log = _get(axis, "logBase")
    if truthy(log) and is_number(log) and log in (2, 10):
        custom["scaleDistribution"] = {"type": "log", "log": log}
    return _omit_nil(
        {
            "unit": _get(axis, "format"),
            "decimals": _valid_number(_get(axis, "decimals")),
            "min": _valid_number(_get(axis, "min")),
            "max": _valid_number(_get(axis, "max")),
            "custom": custom,
        }
    )


def _valid_number(value: Any) -> Any:
    """`validNumber`: a number, or a string `Number()` reads as one."""
    if is_number(value):
        return _json_number(value)
    if isinstance(value, str):
        return js_number(value)
    return None


def y2_properties(y1: dict[str, Any], y2: dict[str, Any]) -> list[dict[str, Any]]:
    """`fillY2DynamicValues`: what the right axis has that the left one does not."""
    props = [
        {"id": key, "value": value}
        for key, value in y2.items()
        if key != "custom" and not _strict_equal(value, y1.get(key))
    ]
    left = _mapping(y1.get("custom"))
    right = _mapping(y2.get("custom"))
    props += [
        {"id": f"custom.{key}", "value": value}
        for key, value in right.items()
        if not _strict_equal(value, left.get(key))
    ]
    return props


# --- table-old → table ----------------------------------------------------------------------

TRANSFORMS = {
    "timeseries_to_rows": "seriesToRows",
    "timeseries_to_columns": "seriesToColumns",
    "timeseries_aggregations": "reduce",
    "table": "merge",
}
COLUMN_REDUCERS = {
    "avg": "mean",
    "min": "min",
    "max": "max",
    "total": "sum",
    "current": "lastNotNull",
    "count": "count",
}
CELL_COLOR_MODES = {"cell": "color-background", "row": "color-background", "value": "color-text"}
ALL_FIELDS = "/.*/"


def table_old_to_table(
    panel: dict[str, Any], angular: dict[str, Any], pointer: str
) -> tuple[list[Any], dict[str, Any]]:
    """`tablePanelChangedHandler`: the transformations and field config the old table's
    `transform`, `columns` and `styles` become."""
    styles = angular.get("styles")
    if not isinstance(styles, list):
        raise Unmigratable(f"{pointer}/styles", "not a list: Grafana's table migration fails on it")
    for i, style in enumerate(styles):
        if style is None:
            raise Unmigratable(
                f"{pointer}/styles/{i}", "null: Grafana's table migration fails on it"
            )
    transformations = _table_transformations(panel, angular, pointer)
    found = next((s for s in styles if _get(s, "pattern") == ALL_FIELDS), None)
    at = f"{pointer}/styles/{styles.index(found)}" if found is not None else pointer
    defaults = _style_defaults(found, at)
    overrides = [
        _style_override(style, f"{pointer}/styles/{i}")
        for i, style in enumerate(styles)
        if _get(style, "pattern") != ALL_FIELDS
    ]
    return transformations, {"defaults": defaults, "overrides": overrides}


def _table_transformations(
    panel: dict[str, Any], angular: dict[str, Any], pointer: str
) -> list[Any]:
    existing = panel.get("transformations")
    transformations: list[Any] = [] if existing is None else existing
    if not isinstance(transformations, list):
        raise Unmigratable(
            f"{pointer}/transformations", "not a list: Grafana's table migration fails on it"
        )
    transform = angular.get("transform")
    if not isinstance(transform, str) or transform not in TRANSFORMS:
        return transformations
    options: dict[str, Any] = {"reducers": []}
    if transform == "timeseries_aggregations":
        columns = angular.get("columns")
        if not isinstance(columns, list) or any(c is None for c in columns):
            raise Unmigratable(
                f"{pointer}/columns", "not a list of objects: Grafana's table migration fails on it"
            )
        options["includeTimeField"] = False
        options["reducers"] = [COLUMN_REDUCERS.get(str(_get(c, "value"))) for c in columns]
    transformations.append({"id": TRANSFORMS[transform], "options": options})
    return transformations


def _thresholds_of(thresholds: Any, colors: Any, at: str) -> list[dict[str, Any]]:
    """`generateThresholds`: a base step at -Infinity (null), then one per level."""
    if colors is None:
        raise Unmigratable(f"{at}/colors", "missing: Grafana's table migration fails on it")
    levels = thresholds if isinstance(thresholds, list) else list(thresholds)
    steps = []
    for i, level in enumerate([NEG_INF, *levels]):
        value = level if is_number(level) else js_parse_int(level)
        step: dict[str, Any] = {}
        color = _at(colors, i)
        if color is not None:
            step["color"] = color
        step["value"] = _json_number(value)
        steps.append(step)
    return steps


def _align(value: Any) -> Any:
    return None if value == "auto" else value


def _style_defaults(style: Any, at: str) -> dict[str, Any]:
    """`migrateDefaults`: the `/.*/` style as the field defaults."""
    if not truthy(style):
        return {"custom": {}}
    custom: dict[str, Any] = {}
    if "align" in style:
        custom["align"] = _align(style["align"])
    defaults = _omit_nil(
        {
            "unit": style.get("unit"),
            "decimals": style.get("decimals"),
            "displayName": style.get("alias"),
            "custom": custom,
        }
    )
    thresholds = style.get("thresholds")
    if thresholds is None:
        raise Unmigratable(f"{at}/thresholds", "missing: Grafana's table migration fails on it")
    if _js_length(thresholds):
        defaults["thresholds"] = {
            "mode": "absolute",
            "steps": _thresholds_of(thresholds, style.get("colors"), at),
        }
    if truthy(style.get("colorMode")):
        custom["cellOptions"] = _cell_options(style["colorMode"])
    return defaults


def _cell_options(mode: Any) -> dict[str, Any]:
    kind = CELL_COLOR_MODES.get(mode) if isinstance(mode, str) else None
    return {"type": kind} if kind else {}


def _style_override(style: Any, at: str) -> dict[str, Any]:
    """`migrateTableStyleToOverride`: one column style as an override of its columns."""
    pattern = _get(style, "pattern")
    regex = isinstance(pattern, str) and re.fullmatch(r"/.*/", pattern) is not None
    matcher: dict[str, Any] = {"id": "byRegexp" if regex else "byName"}
    if pattern is not None:
        matcher["options"] = pattern
    props: list[dict[str, Any]] = []

    def get(key: str) -> Any:
        return _get(style, key)

    if truthy(get("alias")):
        props.append({"id": "displayName", "value": get("alias")})
    if truthy(get("unit")):
        props.append({"id": "unit", "value": get("unit")})
    if truthy(get("decimals")):
        props.append({"id": "decimals", "value": get("decimals")})
    if get("type") == "date":
        shown = _js_string(get("dateFormat")) if "dateFormat" in style else "undefined"
        props.append({"id": "unit", "value": f"time: {shown}"})
    if get("type") == "hidden":
        props.append({"id": "custom.hidden", "value": True})
    if truthy(get("link")):
        link = {
            "title": _default_to(get("linkTooltip"), ""),
            "url": _default_to(get("linkUrl"), ""),
            "targetBlank": _default_to(get("linkTargetBlank"), False),
        }
        props.append({"id": "links", "value": [link]})
    if truthy(get("colorMode")):
        props.append({"id": "custom.cellOptions", "value": _cell_options(get("colorMode"))})
    if truthy(get("align")):
        props.append({"id": "custom.align", "value": _align(get("align"))})
    thresholds = get("thresholds")
    if truthy(thresholds) and _js_length(thresholds):
        steps = _thresholds_of(thresholds, get("colors"), at)
        props.append({"id": "thresholds", "value": {"mode": "absolute", "steps": steps}})
    return {"matcher": matcher, "properties": props}


def _default_to(value: Any, default: Any) -> Any:
    """lodash `defaultTo`: the default for null, undefined and NaN."""
    return default if value is None else value

"""Angular panels to their React successors, mapped as Grafana's own panel-change handlers map
them (timeseries `graphPanelChangedHandler` / `flotToGraphOptions`, stat
`statPanelChangedHandler` / `sharedSingleStatPanelChangedHandler`). Each function changes the
panel in place and returns a short account of what it carried over and what it dropped; a
field of a shape it cannot read is a `shapes.ShapeError` at that field's pointer.
"""

from __future__ import annotations

from typing import Any

from tsedash.migrate import shapes
from tsedash.migrate.shapes import number as _number

# Legend values and singlestat `valueName`s → Grafana reducer ids (fieldReducers' aliases).
REDUCERS = {
    "avg": "mean",
    "mean": "mean",
    "current": "lastNotNull",
    "last": "lastNotNull",
    "total": "sum",
    "sum": "sum",
    "min": "min",
    "max": "max",
    "first": "first",
    "delta": "delta",
    "diff": "diff",
    "range": "range",
    "count": "count",
}
GRAPH_KEYS = (
    "aliasColors",
    "bars",
    "dashLength",
    "dashes",
    "fill",
    "fillGradient",
    "grid",
    "hiddenSeries",
    "isNew",
    "legend",
    "lines",
    "linewidth",
    "nullPointMode",
    "percentage",
    "pointradius",
    "points",
    "renderer",
    "seriesOverrides",
    "spaceLength",
    "stack",
    "steppedLine",
    "thresholds",
    "timeRegions",
    "tooltip",
    "xaxis",
    "yaxes",
    "yaxis",
)
SINGLESTAT_KEYS = (
    "colorBackground",
    "colorPostfix",
    "colorPrefix",
    "colorValue",
    "colors",
    "decimals",
    "format",
    "gauge",
    "mappingType",
    "mappingTypes",
    "maxValue",
    "minValue",
    "nullPointMode",
    "nullText",
    "postfix",
    "postfixFontSize",
    "prefix",
    "prefixFontSize",
    "rangeMaps",
    "sparkline",
    "tableColumn",
    "thresholds",
    "valueFontSize",
    "valueMaps",
    "valueName",
)
# Panel fields Grafana's current model no longer has (grafanalib still writes them).
LEGACY_PANEL_KEYS = ("error", "editable", "isNew", "minSpan", "height", "span")


def _axis(axis: Any) -> dict[str, Any]:
    """An old y-axis as field config: unit, decimals, min, max, placement, label, log scale."""
    if not isinstance(axis, dict):
        return {}
    custom: dict[str, Any] = {"axisPlacement": "auto" if axis.get("show", True) else "hidden"}
    if axis.get("label"):
        custom["axisLabel"] = axis["label"]
    if axis.get("logBase") in (2, 10):
        custom["scaleDistribution"] = {"type": "log", "log": axis["logBase"]}
    out: dict[str, Any] = {"custom": custom}
    if axis.get("format"):
        out["unit"] = axis["format"]
    for key in ("decimals", "min", "max"):
        value = _number(axis.get(key))
        if value is not None:
            out[key] = value
    return out


def _thresholds(old: list[dict[str, Any]]) -> tuple[dict[str, Any], str] | None:
    """The graph's threshold lines/areas as threshold steps and a thresholdsStyle mode."""
    colors = {"critical": "red", "warning": "orange"}
    steps: list[dict[str, Any]] = []
    area = line = False
    valued = [({**t, "value": _number(t.get("value"))}) for t in old]
    ordered = sorted((t for t in valued if t["value"] is not None), key=lambda t: t["value"])
    for index, t in enumerate(ordered):
        color = colors.get(
            t.get("colorMode", ""), t.get("fillColor") or t.get("lineColor") or "red"
        )
        area = area or bool(t.get("fill"))
        line = line or bool(t.get("line"))
        if t.get("op") == "lt":
            if not steps:
                steps.append({"color": color, "value": None})
            after = ordered[index + 1] if index + 1 < len(ordered) else None
            nxt = colors.get(after.get("colorMode", ""), "red") if after else "transparent"
            steps.append(
                {
                    "color": nxt if after and after.get("op") == "lt" else "transparent",
                    "value": t["value"],
                }
            )
        else:
            steps.append({"color": color, "value": t["value"]})
    if not steps:
        return None
    if steps[0]["value"] is not None:
        steps.insert(0, {"color": "transparent", "value": None})
    mode = "line+area" if line and area else "area" if area else "line"
    return {"mode": "absolute", "steps": steps}, mode


def _series_override(override: dict[str, Any], ignored: set[str]) -> dict[str, Any] | None:
    alias = str(override.get("alias") or "")
    if not alias:
        return None
    regex = alias.startswith("/") and alias.endswith("/")
    props: list[dict[str, Any]] = []
    for key, value in override.items():
        if key in ("alias", "$$hashKey"):
            continue
        amount = _number(value)
        if key == "fill" and amount is not None:
            props.append({"id": "custom.fillOpacity", "value": amount * 10})
        elif key == "linewidth" and amount is not None:
            props.append({"id": "custom.lineWidth", "value": amount})
        elif key == "lines" and not value:
            props.append({"id": "custom.lineWidth", "value": 0})
        elif key == "bars":
            props.append({"id": "custom.drawStyle", "value": "bars" if value else "line"})
            if value:
                props.append({"id": "custom.fillOpacity", "value": 100})
        elif key == "points":
            props.append({"id": "custom.showPoints", "value": "always" if value else "never"})
        elif key == "stack":
            props.append({"id": "custom.stacking", "value": {"mode": "normal", "group": value}})
        elif key == "color":
            props.append({"id": "color", "value": {"mode": "fixed", "fixedColor": value}})
        elif key == "transform" and value == "negative-Y":
            props.append({"id": "custom.transform", "value": "negative-Y"})
        else:
            ignored.add(f"seriesOverrides.{key}")
    if not props:
        return None
    return {
        "matcher": {"id": "byRegexp" if regex else "byName", "options": alias},
        "properties": props,
    }


def graph_to_timeseries(panel: dict[str, Any], pointer: str = "") -> str:
    yaxes = shapes.sequence(panel, "yaxes", pointer)
    field_config = shapes.mapping(panel, "fieldConfig", pointer)
    config_at = shapes.child(pointer, "fieldConfig")
    defaults = {
        **shapes.mapping(field_config, "defaults", config_at),
        **_axis(yaxes[0] if yaxes else None),
    }
    custom: dict[str, Any] = dict(shapes.mapping(defaults, "custom", f"{config_at}/defaults"))
    overrides: list[dict[str, Any]] = list(shapes.sequence(field_config, "overrides", config_at))
    carried: list[str] = []
    ignored: set[str] = set()
    if defaults.get("unit"):
        carried.append(f"unit {defaults['unit']}")
    for alias, color in shapes.mapping(panel, "aliasColors", pointer).items():
        overrides.append(
            {
                "matcher": {"id": "byName", "options": alias},
                "properties": [{"id": "color", "value": {"mode": "fixed", "fixedColor": color}}],
            }
        )
    for _, override in shapes.mappings(panel, "seriesOverrides", pointer):
        rule = _series_override(override, ignored)
        if rule:
            overrides.append(rule)
    if overrides:
        carried.append(f"{len(overrides)} override(s)")
    custom["drawStyle"] = (
        "bars" if panel.get("bars") else "line" if panel.get("lines", True) else "points"
    )
    radius, width = _number(panel.get("pointradius")), _number(panel.get("linewidth"))
    fill, gradient = _number(panel.get("fill")), _number(panel.get("fillGradient"))
    if panel.get("points"):
        custom["showPoints"] = "always"
        if radius is not None:
            custom["pointSize"] = 2 + radius * 2
    elif custom["drawStyle"] != "points":
        custom["showPoints"] = "never"
    if width is not None:
        custom["lineWidth"] = width
    if fill is not None:
        custom["fillOpacity"] = fill * 10
    if gradient is not None and gradient > 0:
        custom["gradientMode"] = "opacity"
        custom["fillOpacity"] = gradient * 10
    if panel.get("dashes"):
        custom["lineStyle"] = {
            "fill": "dash",
            "dash": [panel.get("dashLength") or 10, panel.get("spaceLength") or 10],
        }
    custom["spanNulls"] = panel.get("nullPointMode") == "null"
    if panel.get("steppedLine"):
        custom["lineInterpolation"] = "stepAfter"
    if custom["drawStyle"] == "bars":
        custom["fillOpacity"] = 100
    if panel.get("stack"):
        custom["stacking"] = {"mode": "normal", "group": "A"}
        carried.append("stacked")
    if panel.get("percentage"):
        ignored.add("percentage")
    thresholds = _thresholds([t for _, t in shapes.mappings(panel, "thresholds", pointer)])
    if thresholds:
        defaults["thresholds"], style = thresholds
        custom["thresholdsStyle"] = {"mode": style}
        carried.append("thresholds")
    defaults["custom"] = custom
    legend_in = shapes.mapping(panel, "legend", pointer)
    legend: dict[str, Any] = {"displayMode": "list", "placement": "bottom", "calcs": []}
    if legend_in:
        if not legend_in.get("show", True):
            legend.update(displayMode="list", showLegend=False)
        elif legend_in.get("alignAsTable"):
            legend["displayMode"] = "table"
        if legend_in.get("rightSide"):
            legend["placement"] = "right"
        if legend_in.get("values"):
            legend["calcs"] = sorted(
                {REDUCERS[k] for k, v in legend_in.items() if v is True and k in REDUCERS}
            )
    tooltip = shapes.mapping(panel, "tooltip", pointer)
    panel["options"] = {
        "legend": legend,
        "tooltip": {"mode": "multi" if tooltip.get("shared") else "single", "sort": "none"},
    }
    panel["fieldConfig"] = {"defaults": defaults, "overrides": overrides}
    for key in (*GRAPH_KEYS, *LEGACY_PANEL_KEYS):
        panel.pop(key, None)
    panel["type"] = "timeseries"
    carried.append(
        f"legend {legend['displayMode'] if legend.get('showLegend', True) else 'hidden'}"
    )
    if ignored:
        carried.append(f"not carried over: {', '.join(sorted(ignored))}")
    return "; ".join(carried)


def _mappings(panel: dict[str, Any], pointer: str) -> list[dict[str, Any]]:
    """valueMaps / rangeMaps in today's value-mapping format."""
    kind = panel.get("mappingType") or (
        1 if panel.get("valueMaps") else 2 if panel.get("rangeMaps") else 0
    )
    out: list[dict[str, Any]] = []
    if kind == 1:
        options = {
            str(m.get("value")): {"text": m.get("text", ""), "index": i}
            for i, m in enumerate(shapes.sequence(panel, "valueMaps", pointer))
            if isinstance(m, dict) and m.get("value") not in (None, "null")
        }
        if options:
            out.append({"type": "value", "options": options})
    elif kind == 2:
        for i, m in enumerate(shapes.sequence(panel, "rangeMaps", pointer)):
            if isinstance(m, dict):
                out.append(
                    {
                        "type": "range",
                        "options": {
                            "from": _number(m.get("from")),
                            "to": _number(m.get("to")),
                            "result": {"text": m.get("text", ""), "index": i},
                        },
                    }
                )
    return out


def singlestat_to_stat(panel: dict[str, Any], pointer: str = "") -> str:
    value_name = str(panel.get("valueName") or "avg")
    calc = REDUCERS.get(value_name, "mean")
    field_config = shapes.mapping(panel, "fieldConfig", pointer)
    config_at = shapes.child(pointer, "fieldConfig")
    defaults: dict[str, Any] = dict(shapes.mapping(field_config, "defaults", config_at))
    carried = [f"{value_name} → {calc}"]
    if panel.get("format"):
        defaults["unit"] = panel["format"]
        carried.append(f"unit {panel['format']}")
    decimals = _number(panel.get("decimals"))
    if decimals is not None:
        defaults["decimals"] = decimals
    if panel.get("nullText"):
        defaults["noValue"] = panel["nullText"]
    written = panel.get("thresholds")
    if written is not None and not isinstance(written, str | int | float):
        raise shapes.ShapeError(
            shapes.child(pointer, "thresholds"),
            f'expected levels such as "50,80", got {shapes.describe(written)}',
        )
    levels = [_number(v) for v in str(written or "").split(",") if v.strip()]
    colors = shapes.sequence(panel, "colors", pointer)
    if levels and colors:
        steps = [{"color": colors[0], "value": None}]
        steps += [{"color": c, "value": v} for c, v in zip(colors[1:], levels, strict=False)]
        defaults["thresholds"] = {"mode": "absolute", "steps": steps}
        carried.append(f"{len(steps)} threshold steps")
    mappings = _mappings(panel, pointer)
    if mappings:
        defaults["mappings"] = mappings
        carried.append("value mappings")
    gauge = shapes.mapping(panel, "gauge", pointer)
    if gauge.get("show"):
        defaults["min"], defaults["max"] = gauge.get("minValue", 0), gauge.get("maxValue", 100)
    sparkline = shapes.mapping(panel, "sparkline", pointer).get("show")
    color_mode = (
        "background"
        if panel.get("colorBackground")
        else "value"
        if panel.get("colorValue")
        else "none"
    )
    lost = [k for k in ("prefix", "postfix") if panel.get(k)]
    panel["options"] = {
        "reduceOptions": {"calcs": [calc], "fields": "", "values": False},
        "orientation": "horizontal",
        "graphMode": "area" if sparkline else "none",
        "colorMode": color_mode,
        "justifyMode": "auto",
        "textMode": "name" if value_name == "name" else "auto",
    }
    panel["fieldConfig"] = {
        "defaults": defaults,
        "overrides": list(shapes.sequence(field_config, "overrides", config_at)),
    }
    for key in (*SINGLESTAT_KEYS, *LEGACY_PANEL_KEYS):
        panel.pop(key, None)
    panel["type"] = "stat"
    carried.append(f"graph {panel['options']['graphMode']}, color {color_mode}")
    if lost:
        carried.append(f"not carried over (stat has none): {', '.join(lost)}")
    return "; ".join(carried)

"""A schema v2 spec read back as the classic (v1) model, the way Grafana's v2 → v1 conversion
lays it out: rows stacked top to bottom, each row's panels below its header.

The validation converts every v2 dashboard back and compares it with the model it came from
(`canonical`), so what the v2 file says is checked to be what the validated v1 said.
"""

from __future__ import annotations

from typing import Any

from tsedash.dashv2.convert import (
    ANGULAR_MIGRATION,
    CURSOR_SYNC,
    HIDE,
    LEGACY_STRING,
    QUERY_OPTIONS,
    REFRESH,
    SORT,
)
from tsedash.sdk import dashboardv2_m, to_plain

GRID_ROW_HEIGHT = 1
VARIABLE_TYPES = {
    "QueryVariable": "query",
    "DatasourceVariable": "datasource",
    "TextVariable": "textbox",
    "CustomVariable": "custom",
    "ConstantVariable": "constant",
    "IntervalVariable": "interval",
    "AdhocVariable": "adhoc",
    "GroupByVariable": "groupby",
    "SwitchVariable": "switch",
}
DERIVED_PANEL_KEYS = ("datasource",)  # v2 keeps it on each query only


def _invert(table: dict[int, str]) -> dict[str, int]:
    return {v: k for k, v in table.items()}


# v2's names back to v1's numbers (once, not per dashboard)
CURSOR_SYNC_NUMBER, HIDE_NUMBER = _invert(CURSOR_SYNC), _invert(HIDE)
REFRESH_NUMBER, SORT_NUMBER = _invert(REFRESH), _invert(SORT)
# The time picker's refresh choices when a dashboard names none (Grafana's, the SDK's).
DEFAULT_REFRESH_INTERVALS: list[str] = to_plain(dashboardv2_m.TimeSettingsSpec())[
    "autoRefreshIntervals"
]


def to_v1(spec: dict[str, Any], uid: str) -> dict[str, Any]:
    """The v1 model of a v2 spec (without `schemaVersion`, which v2 does not carry)."""
    time = spec.get("timeSettings") or {}
    model: dict[str, Any] = {
        "uid": uid,
        "title": spec.get("title", ""),
        "tags": list(spec.get("tags", [])),
        "graphTooltip": CURSOR_SYNC_NUMBER.get(spec.get("cursorSync", "Off"), 0),
        "editable": spec.get("editable", True),
        "time": {"from": time.get("from", "now-6h"), "to": time.get("to", "now")},
        "timezone": time.get("timezone", "browser"),
        "fiscalYearStartMonth": time.get("fiscalYearStartMonth", 0),
        "links": [dict(link) for link in spec.get("links", [])],
        "panels": _panels(spec.get("elements") or {}, spec.get("layout") or {}),
        "templating": {"list": [_variable(v) for v in spec.get("variables", [])]},
        "annotations": {"list": [_annotation(a) for a in spec.get("annotations", [])]},
    }
    for key in ("description", "liveNow", "revision"):
        if key in spec:
            model[key] = spec[key]
    if spec.get("preload"):
        model["preload"] = True
    if time.get("autoRefresh"):
        model["refresh"] = time["autoRefresh"]
    if time.get("weekStart"):
        model["weekStart"] = time["weekStart"]
    picker = _timepicker(time)
    if picker:
        model["timepicker"] = picker
    return model


def _timepicker(time: dict[str, Any]) -> dict[str, Any]:
    picker: dict[str, Any] = {}
    if time.get("quickRanges") is not None:
        picker["quick_ranges"] = [dict(r) for r in time["quickRanges"]]
    if time.get("hideTimepicker"):
        picker["hidden"] = True
    if time.get("nowDelay"):
        picker["nowDelay"] = time["nowDelay"]
    intervals = time.get("autoRefreshIntervals")
    if intervals and intervals != DEFAULT_REFRESH_INTERVALS:
        picker["refresh_intervals"] = list(intervals)
    return picker


# --- panels ------------------------------------------------------------------------------------


def _panels(elements: dict[str, Any], layout: dict[str, Any]) -> list[dict[str, Any]]:
    items = layout.get("spec") or {}
    if layout.get("kind") == "GridLayout":
        return [_placed(elements, item, 0) for item in items.get("items", [])]
    panels: list[dict[str, Any]] = []
    y = 0
    for row in items.get("rows", []):
        row_spec = row.get("spec") or {}
        grid = ((row_spec.get("layout") or {}).get("spec") or {}).get("items", [])
        if row_spec.get("hideHeader"):
            inner = [_placed(elements, item, y) for item in grid]
            panels += inner
            y = max([y, *(p["gridPos"]["y"] + p["gridPos"]["h"] for p in inner)])
            continue
        header = {
            "type": "row",
            "title": row_spec.get("title", ""),
            "collapsed": bool(row_spec.get("collapse")),
            "gridPos": {"h": GRID_ROW_HEIGHT, "w": 24, "x": 0, "y": y},
        }
        if (row_spec.get("repeat") or {}).get("value"):
            header["repeat"] = row_spec["repeat"]["value"]
        inner = [_placed(elements, item, y + GRID_ROW_HEIGHT) for item in grid]
        header["panels"] = inner if header["collapsed"] else []
        panels.append(header)
        if not header["collapsed"]:
            panels += inner
        bottom = [p["gridPos"]["y"] + p["gridPos"]["h"] for p in inner]
        y = y + GRID_ROW_HEIGHT if header["collapsed"] else max([y + GRID_ROW_HEIGHT, *bottom])
    return panels


def _placed(elements: dict[str, Any], item: dict[str, Any], offset: int) -> dict[str, Any]:
    spec = item.get("spec") or {}
    name = (spec.get("element") or {}).get("name", "")
    panel = _panel(elements.get(name) or {})
    panel["gridPos"] = {
        "h": spec.get("height", 3),
        "w": spec.get("width", 6),
        "x": spec.get("x", 0),
        "y": spec.get("y", 0) + offset,
    }
    repeat = spec.get("repeat") or {}
    if repeat.get("value"):
        panel["repeat"] = repeat["value"]
        for key, v1_key in (("direction", "repeatDirection"), ("maxPerRow", "maxPerRow")):
            if key in repeat:
                panel[v1_key] = repeat[key]
    return panel


def _panel(element: dict[str, Any]) -> dict[str, Any]:
    spec = element.get("spec") or {}
    if element.get("kind") == "LibraryPanel":
        ref = spec.get("libraryPanel") or {}
        return {
            "id": spec.get("id"),
            "title": spec.get("title", ""),
            "libraryPanel": {"uid": ref.get("uid", ""), "name": ref.get("name", "")},
        }
    data = (spec.get("data") or {}).get("spec") or {}
    viz = spec.get("vizConfig") or {}
    options = dict((viz.get("spec") or {}).get("options") or {})
    panel: dict[str, Any] = {
        "id": spec.get("id"),
        "type": viz.get("group", ""),
        "title": spec.get("title", ""),
        "description": spec.get("description", ""),
        "options": options,
        "fieldConfig": (viz.get("spec") or {}).get("fieldConfig", {}),
        "targets": [_target(q) for q in data.get("queries", [])],
    }
    # Grafana's conversion keeps the keys a Panel has no field for (and the Angular type a
    # panel came from) here, for its panel migration on load: they read back where they were.
    migration = options.pop(ANGULAR_MIGRATION, None)
    if isinstance(migration, dict):
        panel.update(migration.get("originalOptions") or {})
        if migration.get("autoMigrateFrom") not in (None, "", panel["type"]):
            panel["autoMigrateFrom"] = migration["autoMigrateFrom"]
    if viz.get("version"):
        panel["pluginVersion"] = viz["version"]
    if spec.get("links"):
        panel["links"] = [dict(link) for link in spec["links"]]
    if spec.get("transparent"):
        panel["transparent"] = True
    if data.get("transformations"):
        panel["transformations"] = [_transformation(t) for t in data["transformations"]]
    options = data.get("queryOptions") or {}
    for v1_key in QUERY_OPTIONS:
        if v1_key in options:
            panel[v1_key] = options[v1_key]
    return panel


def _datasource(query: dict[str, Any]) -> dict[str, Any]:
    ds = {"type": query.get("group", "")}
    if (query.get("datasource") or {}).get("name"):
        ds["uid"] = query["datasource"]["name"]
    return ds


def _target(item: dict[str, Any]) -> dict[str, Any]:
    spec = item.get("spec") or {}
    query = spec.get("query") or {}
    target = {
        **(query.get("spec") or {}),
        "refId": spec.get("refId", ""),
        "datasource": _datasource(query),
    }
    if spec.get("hidden"):
        target["hide"] = True
    return target


def _transformation(item: dict[str, Any]) -> dict[str, Any]:
    spec = item.get("spec") or {}
    step: dict[str, Any] = {"id": item.get("group", "")}
    if spec.get("options") is not None:
        step["options"] = spec["options"]
    for key in ("disabled", "filter", "topic"):
        if key in spec:
            step[key] = spec[key]
    return step


# --- variables and annotations -----------------------------------------------------------------


def _variable(item: dict[str, Any]) -> dict[str, Any]:
    spec = dict(item.get("spec") or {})
    kind = VARIABLE_TYPES.get(item.get("kind", ""), item.get("kind", ""))
    var: dict[str, Any] = {"type": kind, "name": spec.pop("name", "")}
    if kind in ("adhoc", "groupby"):  # their datasource is on the kind
        var["datasource"] = _datasource(item)
    if kind == "switch":
        return _switch({**var, **spec})
    hide = spec.pop("hide", "dontHide")
    if hide != "dontHide":
        var["hide"] = HIDE_NUMBER.get(hide, hide)
    if "refresh" in spec:
        var["refresh"] = REFRESH_NUMBER.get(spec.pop("refresh"), 0)
    if "sort" in spec:
        var["sort"] = SORT_NUMBER.get(spec.pop("sort"), 0)
    if kind == "datasource":
        var["query"] = spec.pop("pluginId", "")
    query = spec.pop("query", None)
    if isinstance(query, dict):  # a DataQuery: the datasource and the query move back
        var["datasource"] = _datasource(query)
        inner = query.get("spec") or {}
        # a legacy string, or "" for an empty one (Grafana writes no key then)
        var["query"] = (
            inner.get(LEGACY_STRING, "") if LEGACY_STRING in inner or not inner else inner
        )
    elif query is not None:
        var["query"] = query
    if spec.get("regexApplyTo") == "value":
        del spec["regexApplyTo"]  # Grafana's default, which v1 models leave out
    return {**var, **spec}


def _switch(var: dict[str, Any]) -> dict[str, Any]:
    """A switch variable in v1: its two values as options, the current one selected."""
    current = var.pop("current", "")
    values = [var.pop("enabledValue", "true"), var.pop("disabledValue", "false")]
    var["current"] = {"text": current, "value": current}
    var["options"] = [{"text": v, "value": v, "selected": v == current} for v in values]
    var["hide"] = HIDE_NUMBER.get(var.get("hide", "dontHide"), 0)
    if not var["hide"]:
        del var["hide"]
    return var


def _annotation(item: dict[str, Any]) -> dict[str, Any]:
    spec = dict(item.get("spec") or {})
    query = spec.pop("query", {}) or {}
    out = {**spec.pop("legacyOptions", {}), **spec}
    if query.get("group") or (query.get("datasource") or {}).get("name"):
        out["datasource"] = _datasource(query)
    if query.get("spec"):
        out["target"] = query["spec"]
    return out

"""One form for a v1 model and for the same dashboard read back from v2, so the two compare.

It drops what v2 does not carry or derives again (ids Grafana assigns, `schemaVersion`, a
panel's own datasource, which v2 keeps on each query, `repeatDirection` without a repeat),
values equal to their default (Grafana's empty field config `custom: {}`, an option's
`selected: false` included), and makes each panel's `y` relative to its row: v2 rows have no
position of their own. A row is as Grafana lays it out, whatever its gridPos says: the full
width, one unit high (Grafana's v1 → v2 conversion keeps only its `y`, and its grid draws
every row that way).

What the conversion report says it did not carry is taken out of the v1 model before this
(`report.expected_v1`); nothing else is.
"""

from __future__ import annotations

from typing import Any

from tsedash.dashv2.back import DEFAULT_REFRESH_INTERVALS
from tsedash.dashv2.convert import INTERVAL_ONLY, VARIABLE_DEFAULTS
from tsedash.spec import GRID_COLUMNS

DASHBOARD_DROPPED = ("id", "version", "iteration", "schemaVersion")
DASHBOARD_DEFAULTS: dict[str, Any] = {
    "description": "",
    "preload": False,
    "refresh": "",
    "timepicker": {},
    "graphTooltip": 0,
    "editable": True,
    "liveNow": False,
    "time": {"from": "now-6h", "to": "now"},  # Grafana's, for a dashboard without
    "timezone": "browser",
    "fiscalYearStartMonth": 0,
    "links": [],
    "tags": [],
}
LINK_DEFAULTS: dict[str, Any] = {  # a dashboard link's, as Grafana's conversion fills them in
    "type": "link",
    "icon": "",
    "tooltip": "",
    "tags": [],
    "asDropdown": False,
    "targetBlank": False,
    "includeVars": False,
    "keepTime": False,
}
PANEL_DEFAULTS: dict[str, Any] = {
    "description": "",
    "links": [],
    "transparent": False,
    "transformations": [],
    "pluginVersion": "",
    "options": {},
    "fieldConfig": {"defaults": {}, "overrides": []},
    "targets": [],
    "collapsed": False,
}
TARGET_DEFAULTS: dict[str, Any] = {"hide": False}
TIMEPICKER_DEFAULTS: dict[str, Any] = {
    "hidden": False,
    "nowDelay": "",
    "refresh_intervals": DEFAULT_REFRESH_INTERVALS,
}
ROW_GRID = {"x": 0, "w": GRID_COLUMNS, "h": 1}  # a row as Grafana draws it (y is relative)
# the rest of a library panel is the library's
LIBRARY_PANEL_KEYS = (
    "id",
    "title",
    "gridPos",
    "libraryPanel",
    "repeat",
    "repeatDirection",
    "maxPerRow",
)
EMPTY_FIELD_DEFAULTS: dict[str, Any] = {
    "custom": {}
}  # what Grafana's conversion writes for no field config


def _without_defaults(data: dict[str, Any], defaults: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in data.items() if not (k in defaults and defaults[k] == v)}


def canonical(model: dict[str, Any]) -> dict[str, Any]:
    out = {k: v for k, v in model.items() if k not in DASHBOARD_DROPPED}
    if isinstance(out.get("timepicker"), dict):  # grafanalib spells out Grafana's defaults
        out["timepicker"] = _without_defaults(out["timepicker"], TIMEPICKER_DEFAULTS)
    if isinstance(out.get("links"), list):
        out["links"] = [_without_defaults(link, LINK_DEFAULTS) for link in out["links"]]
    out = _without_defaults(out, DASHBOARD_DEFAULTS)
    out["panels"] = _panels(model.get("panels", []))
    variables = (model.get("templating") or {}).get("list", [])
    out["templating"] = {"list": [_variable(v) for v in variables]}
    annotations = (model.get("annotations") or {}).get("list", [])
    out["annotations"] = {"list": [_annotation(a) for a in annotations]}
    return out


def _annotation(item: dict[str, Any]) -> dict[str, Any]:
    out = dict(item)
    if out.get("builtIn"):
        out["builtIn"] = True  # v1 models often say 1
    else:
        out.pop("builtIn", None)
    return out


def _panels(panels: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out = []
    row_y = -1
    for panel in panels:
        if panel.get("type") == "row":
            row_y = (panel.get("gridPos") or {}).get("y", 0)
            row = _panel(panel, None, row_y)
            row["panels"] = [_panel(p, p.get("datasource"), row_y) for p in panel.get("panels", [])]
            row["gridPos"] = dict(ROW_GRID)
            row.pop("id", None)  # v2 rows have none: Grafana numbers them again
            out.append(row)
        else:
            out.append(_panel(panel, panel.get("datasource"), row_y))
    return out


def _panel(panel: dict[str, Any], default_ds: Any, row_y: int) -> dict[str, Any]:
    if panel.get("libraryPanel"):  # the rest of it comes from the library panel
        panel = {k: v for k, v in panel.items() if k in LIBRARY_PANEL_KEYS}
    panel = dict(panel)
    if isinstance(panel.get("fieldConfig"), dict):
        panel["fieldConfig"] = _field_config(panel["fieldConfig"])
    out = _without_defaults(panel, PANEL_DEFAULTS)
    out.pop("datasource", None)
    if not out.get("repeat"):
        out.pop("repeatDirection", None)
        out.pop("maxPerRow", None)
    pos = dict(panel.get("gridPos") or {})
    pos["y"] = pos.get("y", 0) - row_y - 1
    out["gridPos"] = pos
    if "targets" in out:
        out["targets"] = [
            _without_defaults({"datasource": default_ds, **t}, TARGET_DEFAULTS)
            for t in out["targets"]
        ]
    return out


def _field_config(field_config: dict[str, Any]) -> dict[str, Any]:
    """No defaults, Grafana's `custom: {}` for none, and no overrides are all the same; so
    are an override property without `value` and one with `value: null` (Grafana's table
    migration writes `{"id": "custom.align"}` for `auto`; Go's converter writes the null)."""
    out = dict(field_config)
    if out.get("defaults") == EMPTY_FIELD_DEFAULTS:
        out["defaults"] = {}
    if isinstance(out.get("overrides"), list):
        out["overrides"] = [_override(o) for o in out["overrides"]]
    return {"defaults": {}, "overrides": [], **out}


def _override(override: Any) -> Any:
    properties = override.get("properties") if isinstance(override, dict) else None
    if not isinstance(properties, list):
        return override
    return {
        **override,
        "properties": [
            {k: v for k, v in p.items() if not (k == "value" and v is None)}
            if isinstance(p, dict)
            else p
            for p in properties
        ],
    }


def _variable(var: dict[str, Any]) -> dict[str, Any]:
    var = dict(var)
    if isinstance(var.get("options"), list):  # Grafana writes `selected` on every option
        var["options"] = [_option(o) for o in var["options"]]
    out = _without_defaults(var, VARIABLE_DEFAULTS)
    if var.get("type") != "interval":
        for key in INTERVAL_ONLY:
            out.pop(key, None)
    elif out.get("refresh") == 2:
        del out["refresh"]  # an interval variable always follows the time range
    return out


def _option(option: Any) -> Any:
    if isinstance(option, dict) and option.get("selected") is False:
        return {k: v for k, v in option.items() if k != "selected"}
    return option

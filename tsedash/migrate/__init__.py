"""Import old dashboards (grafanalib output, JSON from Grafana 8-10) the way Grafana migrates them.

Grafana's frontend upgrades a dashboard when it is opened (`DashboardMigrator`, one step per
schemaVersion) and replaces Angular panels (`graph`, `singlestat`) with their React successors.
Provisioning and `/api/dashboards/db` store what they are given, so an old dashboard only ever
works by that browser-side upgrade. This module applies the steps that matter for dashboards of
this kind, on a copy, and says what each changed:

- v14: `sharedCrosshair` → `graphTooltip`; v16: `rows` → panels with `gridPos` (and row panels);
- v33/v36: datasource names → `{type, uid}` refs resolved against the registry's datasource, a
  panel or target without a datasource gets the panel's (or the default) one;
- v28 / Angular removal: `singlestat` → `stat`, `graph` → `timeseries`, options mapped as
  Grafana's own panel-change handlers map them (`panels.py`);
- v37: a hidden legend becomes `showLegend: false`;
- fields that are `null` (grafanalib writes every unset attribute) or obsolete (`hideControls`,
  `style`, `gnetId`, empty `__inputs`, `timepicker.time_options`) are dropped;
- `schemaVersion` becomes the current one.

Nothing is silent: every change is a `Migration` naming the dashboard and the panel.
"""

from __future__ import annotations

import copy
import math
from dataclasses import dataclass
from typing import Any

from tsedash.migrate.panels import LEGACY_PANEL_KEYS, graph_to_timeseries, singlestat_to_stat
from tsedash.registry import Datasource

CURRENT_SCHEMA = 42
GRID_CELL_PX = 30 + 8  # GRID_CELL_HEIGHT + GRID_CELL_VMARGIN, for pre-v16 row heights
# Obsolete, or set by the server on save (`id`, `version`: provisioning and push ignore them).
OBSOLETE_DASHBOARD_KEYS = ("hideControls", "style", "gnetId", "id", "version")
# What Grafana's DashboardModel fills in when a saved dashboard lacks it.
DASHBOARD_DEFAULTS: dict[str, Any] = {
    "panels": [],
    "templating": {"list": []},
    "annotations": {"list": []},
    "time": {"from": "now-6h", "to": "now"},
    "tags": [],
}
# Variable tags went with Grafana 8; today's model has no place for them.
OBSOLETE_VARIABLE_KEYS = ("useTags", "tagsQuery", "tagValuesQuery")
BUILTIN_DATASOURCES = {"-- Grafana --", "-- Mixed --", "-- Dashboard --"}


@dataclass(frozen=True)
class Migration:
    uid: str
    panel: str  # empty for the dashboard itself
    change: str

    def __str__(self) -> str:
        where = f" panel '{self.panel}'" if self.panel else ""
        return f"{self.uid}{where}: {self.change}"

    def as_dict(self) -> dict[str, str]:
        return {"uid": self.uid, "panel": self.panel, "change": self.change}


class _Log:
    def __init__(self, uid: str) -> None:
        self.uid = uid
        self.items: list[Migration] = []

    def __call__(self, change: str, panel: str = "") -> None:
        self.items.append(Migration(self.uid, panel, change))


def _drop_nulls(node: dict[str, Any], deep: bool = True) -> list[str]:
    """Drop `null` fields here (and below, when `deep`); the keys dropped at this level.

    A threshold step's `value: null` means "from -Infinity" and stays.
    """
    dropped = sorted(k for k, v in node.items() if v is None and k != "value")
    for key in dropped:
        del node[key]
    if deep:
        for value in node.values():
            for child in value if isinstance(value, list) else [value]:
                if isinstance(child, dict):
                    _drop_nulls(child)
    return dropped


def _ref(value: Any, datasource: Datasource) -> dict[str, str] | None:
    """A datasource reference for a name, uid or ref; None when it is not the registry's."""
    if isinstance(value, dict):
        return value if value.get("uid") else None
    if isinstance(value, str) and value.startswith("$"):  # a variable: Grafana keeps it as uid
        return {"type": "prometheus", "uid": value}
    if value is None or value in ("default", datasource.name, datasource.uid):
        return {"type": "prometheus", "uid": datasource.uid}
    if isinstance(value, str) and value.lower() in (datasource.name.lower(), datasource.uid):
        return {"type": "prometheus", "uid": datasource.uid}
    return None


def _migrate_datasources(panel: dict[str, Any], datasource: Datasource, log: _Log) -> None:
    title = str(panel.get("title", ""))
    if not panel.get("targets"):
        return
    before = panel.get("datasource")
    if not isinstance(before, dict) and before not in BUILTIN_DATASOURCES:
        ref = _ref(before, datasource)
        if ref is None:
            # What Grafana does with a name it does not know: the name becomes the uid.
            panel["datasource"] = {"uid": str(before)}
            log(
                f"datasource {before!r} is not the registry's ({datasource.name!r}, uid "
                f"{datasource.uid!r}): → {{uid: {before}}}, as Grafana does",
                title,
            )
        else:
            panel["datasource"] = ref
            shown = "none (the default)" if before is None else repr(before)
            log(f"datasource {shown} → {{type: prometheus, uid: {ref['uid']}}}", title)
    filled = named = 0
    for target in panel.get("targets") or []:
        if not isinstance(target, dict) or isinstance(target.get("datasource"), dict):
            continue
        name = target.get("datasource")
        if name is None and isinstance(panel.get("datasource"), dict):
            target["datasource"] = panel["datasource"]  # v36: the panel's datasource
            filled += 1
        elif isinstance(name, str):
            target["datasource"] = _ref(name, datasource) or {"uid": name}  # v33
            named += 1
    if filled:
        log(f"{filled} target(s) got the panel's datasource", title)
    if named:
        log(f"{named} target datasource name(s) → ref", title)


def _migrate_panel(panel: dict[str, Any], datasource: Datasource, log: _Log) -> None:
    title = str(panel.get("title", ""))
    dropped = _drop_nulls(panel)
    legacy = [k for k in LEGACY_PANEL_KEYS if k in panel]
    for key in legacy:
        del panel[key]
    if dropped or legacy:
        log(f"dropped null and obsolete fields: {', '.join(sorted([*dropped, *legacy]))}", title)
    kind = panel.get("type")
    if kind == "graph":
        log(f"graph → timeseries ({graph_to_timeseries(panel)})", title)
    elif kind == "singlestat":
        log(f"singlestat → stat ({singlestat_to_stat(panel)})", title)
    _migrate_datasources(panel, datasource, log)
    field_config = panel.get("fieldConfig")
    if isinstance(field_config, dict) and "overrides" not in field_config and kind != "row":
        field_config["overrides"] = []
    thresholds = ((field_config or {}).get("defaults") or {}).get("thresholds")
    if isinstance(thresholds, dict) and not isinstance(thresholds.get("steps"), list):
        # grafanalib writes `steps: ""`; Grafana reads it as no steps: one base colour.
        log(f"thresholds steps {thresholds.get('steps')!r} → one base step", title)
        thresholds["steps"] = [{"color": "green", "value": None}]
    legend = (panel.get("options") or {}).get("legend")
    if isinstance(legend, dict) and legend.get("displayMode") == "hidden":
        legend["displayMode"] = "list"
        legend["showLegend"] = False
        log("hidden legend → showLegend: false (v37)", title)


def _rows_to_panels(model: dict[str, Any], log: _Log) -> None:
    """Schema v16: each row's panels placed on the grid by their span (12 columns, x2)."""
    rows = model.pop("rows")
    if not rows:
        log("removed the empty pre-v16 `rows` list")
        return
    panels: list[dict[str, Any]] = list(model.get("panels") or [])
    y = max((p["gridPos"]["y"] + p["gridPos"]["h"] for p in panels if "gridPos" in p), default=0)
    every = [*panels, *(p for row in rows for p in row.get("panels") or [])]
    next_id = max((int(p.get("id") or 0) for p in every), default=0) + 1
    for row in rows:
        height = row.get("height") or 250
        height_px = int(str(height).removesuffix("px"))
        h = math.ceil(height_px / GRID_CELL_PX)
        if row.get("title") and row.get("showTitle", True):
            panels.append(
                {
                    "type": "row",
                    "title": row["title"],
                    "id": next_id,
                    "collapsed": False,
                    "panels": [],
                    "gridPos": {"x": 0, "y": y, "w": 24, "h": 1},
                }
            )
            next_id += 1
            y += 1
        x = 0
        for panel in row.get("panels") or []:
            w = max(1, min(24, int((panel.pop("span", None) or 12) * 2)))
            if x + w > 24:
                x, y = 0, y + h
            panel["gridPos"] = {"x": x, "y": y, "w": w, "h": h}
            if not panel.get("id"):
                panel["id"] = next_id
                next_id += 1
            panels.append(panel)
            x += w
        y += h
    model["panels"] = panels
    log(f"{len(rows)} pre-v16 row(s) → panels with gridPos (v16)")


def needs_migration(model: dict[str, Any]) -> bool:
    version = model.get("schemaVersion")
    return not isinstance(version, int) or version < CURRENT_SCHEMA


def migrate_dashboard(
    model: dict[str, Any], datasource: Datasource
) -> tuple[dict[str, Any], list[Migration]]:
    """A migrated copy of `model` and what changed; a current dashboard comes back unchanged."""
    if not needs_migration(model):
        return model, []
    out = copy.deepcopy(model)
    log = _Log(str(out.get("uid", "")))
    dropped = _drop_nulls(out, deep=False)  # panels and variables report their own
    obsolete = [k for k in OBSOLETE_DASHBOARD_KEYS if k in out]
    for key in obsolete:
        del out[key]
    if out.get("__inputs") == []:
        del out["__inputs"]
        obsolete.append("__inputs (empty)")
    if dropped or obsolete:
        log(f"dropped null and obsolete fields: {', '.join(sorted([*dropped, *obsolete]))}")
    if "sharedCrosshair" in out:
        shared = out.pop("sharedCrosshair")
        out["graphTooltip"] = 1 if shared else out.get("graphTooltip", 0)
        log(f"sharedCrosshair {str(shared).lower()} → graphTooltip {out['graphTooltip']} (v14)")
    if "rows" in out:
        _rows_to_panels(out, log)
    timepicker = out.get("timepicker")
    if isinstance(timepicker, dict):
        removed = [k for k in ("time_options", "nowDelay") if k in timepicker]
        removed += _drop_nulls(timepicker)
        for key in removed:
            timepicker.pop(key, None)
        if removed:
            log(f"timepicker: dropped {', '.join(sorted(set(removed)))}")
    for variable in (out.get("templating") or {}).get("list") or []:
        if not isinstance(variable, dict):
            continue
        current = variable.get("current")
        if isinstance(current, dict) and current.get("value") is None:
            # No saved selection: Grafana picks the default (or All) when the dashboard loads.
            del variable["current"]
            log(f"variable {variable.get('name')!r}: empty current selection dropped")
        dropped = _drop_nulls(variable)
        tags = [k for k in OBSOLETE_VARIABLE_KEYS if k in variable]
        for key in tags:
            del variable[key]
        if dropped or tags:
            shown = ", ".join(sorted([*dropped, *tags]))
            log(f"variable {variable.get('name')!r}: dropped null and obsolete fields: {shown}")
        if isinstance(variable, dict) and isinstance(variable.get("datasource"), str):
            ref = _ref(variable["datasource"], datasource)
            if ref is not None:
                variable["datasource"] = ref
                log(f"variable {variable.get('name')!r}: datasource name → ref (v27)")
    for panel in out.get("panels") or []:
        if not isinstance(panel, dict):
            continue
        _migrate_panel(panel, datasource, log)
        for child in panel.get("panels") or []:
            if isinstance(child, dict):
                _migrate_panel(child, datasource, log)
    missing = [k for k in DASHBOARD_DEFAULTS if k not in out]
    for key in missing:
        out[key] = copy.deepcopy(DASHBOARD_DEFAULTS[key])
    if missing:
        log(f"added Grafana's defaults for {', '.join(missing)}")
    log(f"schemaVersion {model.get('schemaVersion')} → {CURRENT_SCHEMA}")
    out["schemaVersion"] = CURRENT_SCHEMA
    return out, log.items

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

Nothing is silent: every change is a `Migration` naming the dashboard and the panel. Each step
reads the fields it changes through `shapes`: a field of a shape it cannot read is a
`ShapeError` naming its JSON pointer in the file as read.
"""

from __future__ import annotations

import copy
import math
from dataclasses import dataclass
from typing import Any

from tsedash.migrate import shapes
from tsedash.migrate.panels import LEGACY_PANEL_KEYS, graph_to_timeseries, singlestat_to_stat
from tsedash.migrate.shapes import ShapeError
from tsedash.registry import Datasource

__all__ = ["CURRENT_SCHEMA", "Migration", "ShapeError", "migrate_dashboard", "needs_migration"]

CURRENT_SCHEMA = 42
GRID_CELL_PX = 30 + 8  # GRID_CELL_HEIGHT + GRID_CELL_VMARGIN, for pre-v16 row heights
MAX_ROW_PX = 100_000  # a pre-v16 row's height; real ones are a few hundred pixels
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


def _datasource(node: dict[str, Any], pointer: str) -> Any:
    value = node.get("datasource")
    if value is not None and not isinstance(value, str | dict):
        raise ShapeError(
            shapes.child(pointer, "datasource"),
            f"expected a datasource name or {{type, uid}}, got {shapes.describe(value)}",
        )
    return value


def _migrate_datasources(
    panel: dict[str, Any], pointer: str, datasource: Datasource, log: _Log
) -> None:
    title = str(panel.get("title", ""))
    targets = shapes.mappings(panel, "targets", pointer)
    if not targets:
        return
    before = _datasource(panel, pointer)
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
    for target_pointer, target in targets:
        name = _datasource(target, target_pointer)
        if isinstance(name, dict):
            continue
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


def _migrate_panel(panel: dict[str, Any], pointer: str, datasource: Datasource, log: _Log) -> None:
    title = str(panel.get("title", ""))
    dropped = _drop_nulls(panel)
    legacy = [k for k in LEGACY_PANEL_KEYS if k in panel]
    for key in legacy:
        del panel[key]
    if dropped or legacy:
        log(f"dropped null and obsolete fields: {', '.join(sorted([*dropped, *legacy]))}", title)
    kind = panel.get("type")
    if kind == "graph":
        log(f"graph → timeseries ({graph_to_timeseries(panel, pointer)})", title)
    elif kind == "singlestat":
        log(f"singlestat → stat ({singlestat_to_stat(panel, pointer)})", title)
    _migrate_datasources(panel, pointer, datasource, log)
    field_config = shapes.mapping(panel, "fieldConfig", pointer)
    if "fieldConfig" in panel and "overrides" not in field_config and kind != "row":
        field_config["overrides"] = []
    defaults = shapes.mapping(field_config, "defaults", shapes.child(pointer, "fieldConfig"))
    thresholds = defaults.get("thresholds")
    if isinstance(thresholds, dict) and not isinstance(thresholds.get("steps"), list):
        # grafanalib writes `steps: ""`; Grafana reads it as no steps: one base colour.
        log(f"thresholds steps {thresholds.get('steps')!r} → one base step", title)
        thresholds["steps"] = [{"color": "green", "value": None}]
    legend = shapes.mapping(panel, "options", pointer).get("legend")
    if isinstance(legend, dict) and legend.get("displayMode") == "hidden":
        legend["displayMode"] = "list"
        legend["showLegend"] = False
        log("hidden legend → showLegend: false (v37)", title)


def _row_height(row: dict[str, Any], pointer: str) -> int:
    """A pre-v16 row's height in grid units (250 px by default; `300px` or 300)."""
    height = row.get("height") or 250
    pixels = shapes.number(str(height).removesuffix("px")) if not isinstance(height, bool) else None
    if pixels is None or not 0 < pixels <= MAX_ROW_PX:
        raise ShapeError(
            shapes.child(pointer, "height"),
            f'expected a height in pixels (1 to {MAX_ROW_PX:,}, e.g. 250 or "250px"), '
            f"got {shapes.describe(height)}",
        )
    return math.ceil(pixels / GRID_CELL_PX)


def _span_width(panel: dict[str, Any], pointer: str) -> int:
    """A pre-v16 panel's `span` (of 12 columns) as a width of 24 columns."""
    span = shapes.numeric(panel, "span", pointer) or 12
    panel.pop("span", None)
    return max(1, min(24, int(span * 2)))


def _panel_id(panel: dict[str, Any], pointer: str) -> int:
    found = shapes.numeric(panel, "id", pointer) or 0
    if not float(found).is_integer():
        raise ShapeError(shapes.child(pointer, "id"), f"expected a whole number, got {found}")
    return int(found)


def _bottom(panels: list[tuple[str, dict[str, Any]]]) -> int:
    """Where the grid's existing panels end (their gridPos y + h)."""
    bottom = 0
    for pointer, panel in panels:
        if "gridPos" not in panel:
            continue
        grid = shapes.mapping(panel, "gridPos", pointer)
        at = shapes.child(pointer, "gridPos")
        y, h = shapes.numeric(grid, "y", at) or 0, shapes.numeric(grid, "h", at) or 0
        bottom = max(bottom, int(y + h))
    return bottom


def _rows_to_panels(model: dict[str, Any], log: _Log, origins: dict[int, str]) -> None:
    """Schema v16: each row's panels placed on the grid by their span (12 columns, x2)."""
    rows = shapes.mappings(model, "rows", "")
    model.pop("rows")
    if not rows:
        log("removed the empty pre-v16 `rows` list")
        return
    existing = shapes.mappings(model, "panels", "")
    row_panels = [
        (row_pointer, row, shapes.mappings(row, "panels", row_pointer)) for row_pointer, row in rows
    ]
    y = _bottom(existing)
    every = [*existing, *(p for _, _, inner in row_panels for p in inner)]
    next_id = max((_panel_id(p, at) for at, p in every), default=0) + 1
    panels = [p for _, p in existing]
    for row_pointer, row, inner in row_panels:
        h = _row_height(row, row_pointer)
        title = shapes.text(row, "title", row_pointer)
        if title and row.get("showTitle", True):
            header = {
                "type": "row",
                "title": title,
                "id": next_id,
                "collapsed": False,
                "panels": [],
                "gridPos": {"x": 0, "y": y, "w": 24, "h": 1},
            }
            origins[id(header)] = row_pointer
            panels.append(header)
            next_id += 1
            y += 1
        x = 0
        for pointer, panel in inner:
            w = _span_width(panel, pointer)
            if x + w > 24:
                x, y = 0, y + h
            panel["gridPos"] = {"x": x, "y": y, "w": w, "h": h}
            if not panel.get("id"):
                panel["id"] = next_id
                next_id += 1
            origins[id(panel)] = pointer
            panels.append(panel)
            x += w
        y += h
    model["panels"] = panels
    log(f"{len(rows)} pre-v16 row(s) → panels with gridPos (v16)")


def _migrate_timepicker(out: dict[str, Any], log: _Log) -> None:
    timepicker = shapes.mapping(out, "timepicker", "")
    removed: list[str] = [k for k in ("time_options", "nowDelay") if k in timepicker]
    removed += _drop_nulls(timepicker)
    for key in removed:
        timepicker.pop(key, None)
    if removed:
        log(f"timepicker: dropped {', '.join(sorted(set(removed)))}")


def _migrate_variables(out: dict[str, Any], datasource: Datasource, log: _Log) -> None:
    templating = shapes.mapping(out, "templating", "")
    for _, variable in shapes.mappings(templating, "list", "/templating"):
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
        if isinstance(variable.get("datasource"), str):
            ref = _ref(variable["datasource"], datasource)
            if ref is not None:
                variable["datasource"] = ref
                log(f"variable {variable.get('name')!r}: datasource name → ref (v27)")


def needs_migration(model: dict[str, Any]) -> bool:
    version = model.get("schemaVersion")
    return not isinstance(version, int) or version < CURRENT_SCHEMA


def migrate_dashboard(
    model: dict[str, Any], datasource: Datasource, in_place: bool = False
) -> tuple[dict[str, Any], list[Migration]]:
    """A migrated copy of `model` and what changed; a current dashboard comes back unchanged.
    `in_place`: migrate `model` itself (a model the caller just read and owns: no copy of a
    50,000-panel dashboard)."""
    if not needs_migration(model):
        return model, []
    out = model if in_place else copy.deepcopy(model)
    version = model.get("schemaVersion")
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
    top: list[Any] = out["panels"] if isinstance(out.get("panels"), list) else []
    origins = {id(p): shapes.child("/panels", i) for i, p in enumerate(top)}
    if "rows" in out:
        _rows_to_panels(out, log, origins)
    _migrate_timepicker(out, log)
    _migrate_variables(out, datasource, log)
    for index, panel in enumerate(shapes.sequence(out, "panels", "")):
        pointer = origins.get(id(panel), shapes.child("/panels", index))
        if not isinstance(panel, dict):
            raise ShapeError(pointer, f"expected a panel (a mapping), got {shapes.describe(panel)}")
        _migrate_panel(panel, pointer, datasource, log)
        for child_pointer, child in shapes.mappings(panel, "panels", pointer):
            _migrate_panel(child, child_pointer, datasource, log)
    missing = [k for k in DASHBOARD_DEFAULTS if k not in out]
    for key in missing:
        out[key] = copy.deepcopy(DASHBOARD_DEFAULTS[key])
    if missing:
        log(f"added Grafana's defaults for {', '.join(missing)}")
    log(f"schemaVersion {version} → {CURRENT_SCHEMA}")
    out["schemaVersion"] = CURRENT_SCHEMA
    return out, log.items

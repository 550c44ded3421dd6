"""What Grafana stores when it saves a dashboard, computed before we save it.

Grafana 12+ rewrites every v1 dashboard it saves, through the resource API and (on newer
releases) through the legacy `/api/dashboards/db` too, which builds a v1 object and saves it
the same way. Read in grafana/grafana:

- `pkg/registry/apis/dashboard/mutate.go` (`mutateDashboard`): drops `uid`, `version`, `id`
  from the spec, strips byte order marks from every string (`util.StripBOMFromInterface`) and
  runs `migration.Migrate(spec, schemaversion.LATEST_VERSION)`.
- `apps/dashboard/pkg/migration/migrate.go` (`migrator.migrate`): `applyFrontendDefaults`, then
  `applyPanelDefaults` on the top-level panels, `ensurePanelsHaveUniqueIds`, the schema steps
  from the dashboard's `schemaVersion` to the server's latest, `cleanupDashboardForSave`; a
  dashboard whose `schemaVersion` ends above that latest is an error (the resource API refuses
  the save; the legacy path of newer Grafana, which saves with field validation `Ignore`,
  stores it unmigrated).
- `apps/dashboard/pkg/migration/frontend_defaults.go`: the defaults and the clean-up below.
- `apps/dashboard/pkg/migration/schemaversion/`: the schema steps, which are tsedash's own
  chain up to 42 (`tsedash.migrate.schemaversion`, one implementation for import and save),
  and `v43.go`, the one step above the schema version tsedash builds (42), here.

`as_stored` is our own implementation of those, applied to our dashboard before it is hashed
for the version note and compared with the live copy. It is exact for what our dashboards hold;
where Grafana's order is unspecified (Go's `sort.Slice` is not stable for panels on the same
grid position) it keeps the given order. Names in a dashboard below schemaVersion 33 resolve
against the datasources given (none: every name is unknown); what it does not reproduce is
caught by reading the dashboard back after each write (tsedash.grafana.sync).
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from tsedash.migrate import drop_unsaved_keys
from tsedash.migrate.panels import migration_type
from tsedash.migrate.schemaversion import TARGET_VERSION, DatasourceInfo, StepContext, migrate_to
from tsedash.migrate.schemaversion.load_defaults import ensure_unique_ids

BUILT = TARGET_VERSION  # the schemaVersion tsedash builds
NEWEST_STEP = 43  # the highest schema step reproduced here (v43)
BOM = "\ufeff"

BUILTIN_ANNOTATION: dict[str, Any] = {
    "datasource": {"uid": "-- Grafana --", "type": "grafana"},
    "name": "Annotations & Alerts",
    "type": "dashboard",
    "iconColor": "rgba(0, 211, 255, 1)",
    "enable": True,
    "hide": True,
    "builtIn": 1,
}
# DashboardModel constructor defaults, set where the key is missing or null.
DASHBOARD_DEFAULTS: dict[str, Any] = {
    "title": "No Title",
    "tags": [],
    "timezone": "",
    "weekStart": "",
    "editable": True,
    "graphTooltip": 0,
    "time": {"from": "now-6h", "to": "now"},
    "timepicker": {},
    "schemaVersion": 0,
    "fiscalYearStartMonth": 0,
    "version": 0,
    "links": [],
}
# PanelModel defaults: added to top-level panels on load, dropped from every panel on save.
PANEL_DEFAULTS: dict[str, Any] = {
    "gridPos": {"x": 0, "y": 0, "h": 3, "w": 6},
    "targets": [{"refId": "A"}],
    "cachedPluginOptions": {},
    "transparent": False,
    "options": {},
    "links": [],
    "fieldConfig": {"defaults": {}, "overrides": []},
    "title": "",
}
DASHBOARD_NOT_PERSISTED = (
    "events",
    "meta",
    "originalTime",
    "originalTemplating",
    "originalLibraryPanels",
    "panelInEdit",
    "panelInView",
    "getVariablesFromState",
    "formatDate",
    "appEventsSubscription",
    "panelsAffectedByVariableChange",
    "lastRefresh",
    "timeRangeUpdatedDuringEditOrView",
    "originalDashboard",
    "variables",
)
PANEL_NOT_PERSISTED = (
    "events",
    "isViewing",
    "isEditing",
    "isInView",
    "hasRefreshed",
    "cachedPluginOptions",
    "plugin",
    "queryRunner",
    "replaceVariables",
    "configRev",
    "hasSavedPanelEditChange",
    "getDisplayTitle",
    "dataSupport",
    "key",
    "isNew",
    "refreshWhenInView",
    "scopedVars",
)
LEGACY_TABLE_KEYS = ("pageSize", "scroll", "fontSize", "showHeader", "sort")
REF_IDS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"


class SchemaTooNew(ValueError):
    """The dashboard's schemaVersion is above the one Grafana migrates to: it refuses it."""


def schema_version(model: dict[str, Any]) -> int:
    """`schemaversion.GetSchemaVersion`: a number, or a numeric string; anything else is 0."""
    value = model.get("schemaVersion")
    if isinstance(value, bool):
        return 0
    if isinstance(value, int | float):
        return int(value)
    if isinstance(value, str):
        try:
            return int(value)
        except ValueError:
            return 0
    return 0


def as_stored(
    model: dict[str, Any], target: int = BUILT, datasources: Iterable[DatasourceInfo] = ()
) -> dict[str, Any]:
    """The v1 dashboard as a Grafana whose migrator targets `target` stores it (a new dict;
    `model` is not changed). Raises SchemaTooNew when `model` is above `target`."""
    dashboard: dict[str, Any] = _without_bom(copy.deepcopy(model))
    _frontend_defaults(dashboard)
    for panel in _dicts(dashboard.get("panels")):
        _panel_defaults(panel)
    ensure_unique_ids(dashboard, StepContext())
    version = schema_version(dashboard)
    dashboard["schemaVersion"] = version
    if version > target:
        raise SchemaTooNew(f"schemaVersion {version} is above {target}")
    if version < BUILT:  # Grafana's chain up to 42: tsedash's own
        migrate_to(dashboard, StepContext(datasources=tuple(datasources)), min(target, BUILT))
        version = schema_version(dashboard)
    for step in range(version + 1, target + 1):
        if step not in STEPS:
            raise ValueError(f"schema step {step} is not reproduced (up to {NEWEST_STEP})")
        STEPS[step](dashboard)
        dashboard["schemaVersion"] = step
    _cleanup(dashboard)
    return dashboard


def as_stored_v2(spec: dict[str, Any]) -> dict[str, Any]:
    """A v2 spec as Grafana stores it: mutate.go strips byte order marks and gives a spec
    without any layout an empty GridLayout; nothing else is rewritten on a v2 save."""
    stored: dict[str, Any] = _without_bom(copy.deepcopy(spec))
    layout = stored.get("layout")
    if not isinstance(layout, dict) or not layout:
        stored["layout"] = {"kind": "GridLayout", "spec": {}}
    return stored


# --- applyFrontendDefaults / applyPanelDefaults ------------------------------------------------


def _frontend_defaults(dashboard: dict[str, Any]) -> None:
    for key, value in DASHBOARD_DEFAULTS.items():
        if dashboard.get(key) is None:
            dashboard[key] = copy.deepcopy(value)
    for key in ("templating", "annotations"):
        holder = dashboard.get(key)
        if isinstance(holder, dict):
            if holder.get("list") is None:
                holder["list"] = []
        else:
            dashboard[key] = {"list": []}
    annotations = dashboard["annotations"].get("list")
    if isinstance(annotations, list) and not any(
        _number(a.get("builtIn")) == 1 for a in _dicts(annotations)
    ):
        dashboard["annotations"]["list"] = [copy.deepcopy(BUILTIN_ANNOTATION), *annotations]
    for variable in _dicts(dashboard["templating"].get("list")):
        current = variable.get("current")
        if isinstance(current, dict) and "value" in current:
            value = current["value"]
            if value is None or (isinstance(value, list) and None in value):
                del current["value"]


def _panel_defaults(panel: dict[str, Any]) -> None:
    for key in ("gridPos", "targets", "cachedPluginOptions", "transparent", "options", "links"):
        if panel.get(key) is None:
            panel[key] = copy.deepcopy(PANEL_DEFAULTS[key])
    if "fieldConfig" not in panel:
        panel["fieldConfig"] = {"defaults": {}, "overrides": []}
    elif isinstance(panel["fieldConfig"], dict) and "overrides" not in panel["fieldConfig"]:
        panel["fieldConfig"]["overrides"] = []
    if panel.get("title") is None:
        panel["title"] = ""
    _ref_ids(panel)


def _ref_ids(panel: dict[str, Any]) -> None:
    """`ensureQueryIds`: targets without a refId get the next letter no target uses."""
    targets = list(_dicts(panel.get("targets")))
    if not any(t.get("refId") is None for t in targets):
        return
    used = {t["refId"] for t in targets if isinstance(t.get("refId"), str)}
    index = 0
    for target in targets:
        if target.get("refId") is not None:
            continue
        while index < len(REF_IDS):
            if REF_IDS[index] not in used:
                target["refId"] = REF_IDS[index]
                used.add(REF_IDS[index])
                break
            index += 1
        index += 1


# --- the schema steps above 42 -------------------------------------------------------------------


def _v43(dashboard: dict[str, Any]) -> None:
    """V43: each `formatTime` transformation becomes a `convertFieldType` to string, in every
    panel and every panel of a row (a row's own transformations are left alone)."""
    for panel in _dicts(dashboard.get("panels")):
        _v43_panel(panel)


def _v43_panel(panel: dict[str, Any]) -> None:
    if panel.get("type") == "row":
        for inner in _dicts(panel.get("panels")):
            _v43_panel(inner)
        return
    transformations = panel.get("transformations")
    if not isinstance(transformations, list):
        return
    panel["transformations"] = [
        _convert_field_type(t) if isinstance(t, dict) and t.get("id") == "formatTime" else t
        for t in transformations
    ]


def _convert_field_type(transformation: dict[str, Any]) -> dict[str, Any]:
    options = transformation.get("options")
    options = options if isinstance(options, dict) else {}
    conversion: dict[str, Any] = {"destinationType": "string"}
    for source, target in (
        ("timeField", "targetField"),
        ("outputFormat", "dateFormat"),
        ("timezone", "timezone"),
    ):
        value = options.get(source)
        if isinstance(value, str) and value:
            conversion[target] = value
    return {"id": "convertFieldType", "options": {"conversions": [conversion]}}


STEPS: dict[int, Callable[[dict[str, Any]], None]] = {43: _v43}


# --- cleanupDashboardForSave --------------------------------------------------------------------


def _cleanup(dashboard: dict[str, Any]) -> None:
    for key in DASHBOARD_NOT_PERSISTED:
        dashboard.pop(key, None)
    templating = dashboard.get("templating")
    if isinstance(templating, dict):
        _drop_nulls(templating)
        for variable in _dicts(templating.get("list")):
            _clean_variable(variable)
    panels = dashboard.get("panels")
    if isinstance(panels, list):
        kept = [
            p
            for p in panels
            if isinstance(p, dict) and "repeatPanelId" not in p and "repeatedByRow" not in p
        ]
        for panel in kept:
            _clean_panel(panel, nested=False)
            for inner in _dicts(panel.get("panels")):
                _clean_panel(inner, nested=True)
        kept.sort(key=_grid_order)
        dashboard["panels"] = kept
    else:
        dashboard["panels"] = []
    drop_unsaved_keys(dashboard)


def _clean_variable(variable: dict[str, Any]) -> None:
    if "datasource" in variable and variable["datasource"] is None:
        del variable["datasource"]
    variable.pop("index", None)
    kind = variable.get("type")
    if kind == "query" and "options" not in variable:
        variable["options"] = []
    elif kind == "constant":
        variable.pop("options", None)
    elif kind == "datasource":
        variable["options"] = []


def _clean_panel(panel: dict[str, Any], nested: bool) -> None:
    """`cleanupPanelForSaveWithContext`."""
    if not nested:
        _auto_migrate(panel)
    library = panel.get("libraryPanel")
    if library is not None:
        kept = {k: panel.get(k) for k in ("id", "title", "gridPos")}
        panel.clear()
        panel.update({k: v for k, v in kept.items() if v is not None})
        panel["libraryPanel"] = library
        return
    if panel.get("type") == "row" and panel.get("repeat") == "":
        del panel["repeat"]
    for key in PANEL_NOT_PERSISTED:
        panel.pop(key, None)
    if panel.get("transformations") == []:
        del panel["transformations"]
    for key, default in PANEL_DEFAULTS.items():
        if key in panel and _same(panel[key], default):
            del panel[key]
    _drop_nulls(panel)
    if panel.get("type") == "table" and panel.get("autoMigrateFrom") != "table-old":
        for key in LEGACY_TABLE_KEYS:
            panel.pop(key, None)
    if panel.get("targets") == []:
        del panel["targets"]


def _auto_migrate(panel: dict[str, Any]) -> None:
    """`applyPanelAutoMigration`: an Angular panel type becomes its replacement (the mapping
    Grafana's frontend applies on load, `tsedash.migrate.panels.migration_type`)."""
    kind = panel.get("type")
    new = migration_type(panel, backend=True)
    if new:
        panel["autoMigrateFrom"] = kind
        panel["type"] = new


# --- helpers ----------------------------------------------------------------------------------


def _same(a: Any, b: Any) -> bool:
    """Go's `isEqual` on JSON values: a boolean is never a number, objects compare by keys."""
    if a is None or b is None:
        return a is None and b is None
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a == b
    if isinstance(a, int | float) and isinstance(b, int | float):
        return a == b
    if isinstance(a, str) and isinstance(b, str):
        return a == b
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict) and isinstance(b, dict):
        return len(a) == len(b) and all(_same(v, b.get(k)) for k, v in a.items())
    return False


def _drop_nulls(value: Any) -> None:
    """`removeNullValuesRecursively`: null members of objects go, at any depth; a null item of
    a list stays."""
    if isinstance(value, dict):
        for key in [k for k, v in value.items() if v is None]:
            del value[key]
        for inner in value.values():
            _drop_nulls(inner)
    elif isinstance(value, list):
        for inner in value:
            _drop_nulls(inner)


def _without_bom(value: Any) -> Any:
    if isinstance(value, str):
        return value.replace(BOM, "") if BOM in value else value
    if isinstance(value, dict):
        return {k: _without_bom(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_without_bom(v) for v in value]
    return value


def _grid_order(panel: dict[str, Any]) -> tuple[float, float]:
    grid = _mapping(panel.get("gridPos"))
    return (_number(grid.get("y")) or 0, _number(grid.get("x")) or 0)


def _dicts(value: Any) -> Iterator[dict[str, Any]]:
    return (v for v in (value if isinstance(value, list) else []) if isinstance(v, dict))


def _mapping(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return value

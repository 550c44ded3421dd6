"""What Grafana does to a dashboard it saves, for the Grafana double (tests/grafana_double.py).

Written from grafana/grafana's source and kept apart from tsedash's own code (nothing here
imports tsedash), so a test of tsedash against the double is not tsedash checked against
itself. The Go functions it follows, by name:

- `pkg/registry/apis/dashboard/mutate.go` `mutateDashboard`: a v1 spec loses `uid`, `version`
  and `id`, every string loses its byte order marks (`util.StripBOMFromInterface`), then
  `migration.Migrate(spec, LATEST_VERSION)`; a failed migration refuses the save with
  `apierrors.NewInvalid` (HTTP 422) under strict field validation (the resource API's default)
  and is stored anyway under `FieldValidationIgnore` (what the legacy save path of newer
  Grafana, `saveDashboardThroughK8s`, asks for). A v2 spec: byte order marks stripped, an
  empty layout becomes a GridLayout.
- `apps/dashboard/pkg/migration/migrate.go` `migrator.migrate`: `applyFrontendDefaults`,
  `applyPanelDefaults` (top-level panels), `ensurePanelsHaveUniqueIds`, the schema steps up to
  the target, `cleanupDashboardForSave`, and an error when the result is not at the target.
- `apps/dashboard/pkg/migration/frontend_defaults.go`: every default and clean-up below.
- `apps/dashboard/pkg/migration/schemaversion/v42.go`, `v43.go`: the two newest steps. Older
  steps are not reproduced: the double is sent dashboards of schema 41 and later, or empty ones
  (for which every older step has nothing to change); anything else is a failure of the test.
"""

from __future__ import annotations

import copy
import functools
from typing import Any

Json = dict[str, Any]


class MigrationError(Exception):
    """`schemaversion.MigrationError`."""

    def __init__(self, msg: str, current: int, target: int) -> None:
        super().__init__(f"schema migration from version {current} to {target} failed: {msg}")


def strip_bom(value: Any) -> Any:
    """`util.StripBOMFromInterface`: U+FEFF removed from every string value (keys stay)."""
    if isinstance(value, str):
        return value.replace("\ufeff", "")
    if isinstance(value, dict):
        return {k: strip_bom(v) for k, v in value.items()}
    if isinstance(value, list):
        return [strip_bom(v) for v in value]
    return value


def mutate_v1(spec: Json, target: int) -> tuple[Json, MigrationError | None]:
    """`mutateDashboard` for a v1 spec: the spec Grafana stores, and the migration error."""
    spec = copy.deepcopy(spec)
    for key in ("uid", "version", "id"):
        spec.pop(key, None)
    spec = strip_bom(spec)
    try:
        migrate(spec, target)
    except MigrationError as exc:
        return spec, exc
    return spec, None


def mutate_v2(spec: Json) -> Json:
    spec = strip_bom(copy.deepcopy(spec))
    layout = spec.get("layout")
    if not isinstance(layout, dict) or not layout.get("kind"):
        spec["layout"] = {"kind": "GridLayout", "spec": {}}
    return spec


def get_schema_version(dash: Json) -> int:
    value = dash.get("schemaVersion")
    if type(value) in (int, float):
        return int(value)
    if isinstance(value, str):
        try:
            return int(value)
        except ValueError:
            return 0
    return 0


def migrate(dash: Json, target: int) -> None:
    apply_frontend_defaults(dash)
    for panel in maps(dash.get("panels")):
        apply_panel_defaults(panel)
    ensure_panels_have_unique_ids(dash)
    current = get_schema_version(dash)
    dash["schemaVersion"] = current
    for step in range(current + 1, target + 1):
        if step in STEPS:
            STEPS[step](dash)
        elif dash.get("panels") or maps(dash["templating"].get("list")):
            raise AssertionError(f"the double does not reproduce schema step {step}")
        dash["schemaVersion"] = step
    cleanup_dashboard_for_save(dash)
    if get_schema_version(dash) != target:
        raise MigrationError("schema version not migrated to target version", current, target)


def maps(value: Any) -> list[Json]:
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def is_number(value: Any) -> bool:
    return type(value) in (int, float)


# --- applyFrontendDefaults -------------------------------------------------------------------


def apply_frontend_defaults(dash: Json) -> None:
    defaults: list[tuple[str, Any]] = [
        ("title", "No Title"),
        ("tags", []),
        ("timezone", ""),
        ("weekStart", ""),
        ("editable", True),
        ("graphTooltip", 0),
        ("time", {"from": "now-6h", "to": "now"}),
        ("timepicker", {}),
        ("schemaVersion", 0),
        ("fiscalYearStartMonth", 0),
        ("version", 0),
        ("links", []),
    ]
    for key, value in defaults:
        if dash.get(key) is None:
            dash[key] = value
    for key in ("templating", "annotations"):  # ensureTemplatingExists, ensureAnnotationsExist
        if isinstance(dash.get(key), dict):
            if dash[key].get("list") is None:
                dash[key]["list"] = []
        else:
            dash[key] = {"list": []}
    add_built_in_annotation_query(dash)
    dash["meta"] = {"canSave": True}  # initMeta; removed again by the clean-up
    remove_null_values_from_variables(dash)


def add_built_in_annotation_query(dash: Json) -> None:
    annotations = dash["annotations"].get("list")
    if not isinstance(annotations, list):
        return
    for item in maps(annotations):
        if is_number(item.get("builtIn")) and item["builtIn"] == 1:
            return
    built_in = {
        "datasource": {"uid": "-- Grafana --", "type": "grafana"},
        "name": "Annotations & Alerts",
        "type": "dashboard",
        "iconColor": "rgba(0, 211, 255, 1)",
        "enable": True,
        "hide": True,
        "builtIn": 1,
    }
    dash["annotations"]["list"] = [built_in, *annotations]


def remove_null_values_from_variables(dash: Json) -> None:
    for variable in maps(dash["templating"].get("list")):
        current = variable.get("current")
        if not isinstance(current, dict) or "value" not in current:
            continue
        value = current["value"]
        if value is None or (isinstance(value, list) and any(v is None for v in value)):
            del current["value"]


def apply_panel_defaults(panel: Json) -> None:
    for key, value in (
        ("gridPos", {"x": 0, "y": 0, "h": 3, "w": 6}),
        ("targets", [{"refId": "A"}]),
        ("cachedPluginOptions", {}),
        ("transparent", False),
        ("options", {}),
        ("links", []),
    ):
        if panel.get(key) is None:
            panel[key] = value
    if "fieldConfig" not in panel:
        panel["fieldConfig"] = {"defaults": {}, "overrides": []}
    elif isinstance(panel["fieldConfig"], dict):
        panel["fieldConfig"].setdefault("overrides", [])
    if panel.get("title") is None:
        panel["title"] = ""
    ensure_query_ids(panel)


def ensure_query_ids(panel: Json) -> None:
    targets = panel.get("targets")
    if not isinstance(targets, list) or not targets:
        return
    if all(t.get("refId") is not None for t in maps(targets)):
        return
    existing = {t["refId"] for t in maps(targets) if isinstance(t.get("refId"), str)}
    letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    i = 0
    for target in maps(targets):
        if target.get("refId") is None:
            while i < len(letters):
                if letters[i] not in existing:
                    target["refId"] = letters[i]
                    existing.add(letters[i])
                    break
                i += 1
            i += 1


def get_panels(dash: Json) -> list[Json]:
    """Depth-first, one level: each top-level panel, then the panels it holds."""
    out: list[Json] = []
    for panel in maps(dash.get("panels")):
        out.append(panel)
        out.extend(maps(panel.get("panels")))
    return out


def ensure_panels_have_unique_ids(dash: Json) -> None:
    panels = get_panels(dash)
    if not panels:
        return
    positive = [int(p["id"]) for p in panels if is_number(p.get("id")) and p["id"] > 0]
    next_id = max(positive, default=0) + 1
    ids: set[float] = set()
    for panel in panels:
        pid = panel.get("id")
        if is_number(pid) and pid > 0 and pid not in ids:
            ids.add(pid)
        else:
            panel["id"] = next_id
            next_id += 1


# --- the schema steps ---------------------------------------------------------------------


def v42(dash: Json) -> None:
    """custom.hideFrom with viz true in an override gets tooltip true too (rows included)."""
    for panel in maps(dash.get("panels")):
        v42_panel(panel)


def v42_panel(panel: Json) -> None:
    field_config = panel.get("fieldConfig")
    overrides = field_config.get("overrides") if isinstance(field_config, dict) else None
    for override in maps(overrides):
        for prop in maps(override.get("properties")):
            value = prop.get("value")
            hide = prop.get("id") == "custom.hideFrom" and isinstance(value, dict)
            if hide and value.get("viz") is True:
                value["tooltip"] = True
    for inner in maps(panel.get("panels")):
        v42_panel(inner)


def v43(dash: Json) -> None:
    """formatTime transformations become convertFieldType ones (panels of rows included)."""
    panels = dash.get("panels")
    if isinstance(panels, list):
        v43_panels(panels)


def v43_panels(panels: list[Any]) -> None:
    for panel in maps(panels):
        if panel.get("type") == "row":
            if isinstance(panel.get("panels"), list):
                v43_panels(panel["panels"])
            continue
        transformations = panel.get("transformations")
        if not isinstance(transformations, list):
            continue
        if not any(isinstance(t, dict) and t.get("id") == "formatTime" for t in transformations):
            continue
        converted = []
        for t in transformations:
            if isinstance(t, dict) and t.get("id") == "formatTime":
                options = t.get("options") if isinstance(t.get("options"), dict) else {}
                conversion: Json = {"destinationType": "string"}
                for old, new in (
                    ("timeField", "targetField"),
                    ("outputFormat", "dateFormat"),
                    ("timezone", "timezone"),
                ):
                    if isinstance(options.get(old), str) and options[old] != "":
                        conversion[new] = options[old]
                t = {"id": "convertFieldType", "options": {"conversions": [conversion]}}
            converted.append(t)
        panel["transformations"] = converted


STEPS = {42: v42, 43: v43}


# --- cleanupDashboardForSave ----------------------------------------------------------------


def is_equal(a: Any, b: Any) -> bool:
    if a is None and b is None:
        return True
    if a is None or b is None:
        return False
    if type(a) is bool:
        return type(b) is bool and a == b
    if isinstance(a, str):
        return isinstance(b, str) and a == b
    if is_number(a):
        return is_number(b) and a == b
    if isinstance(a, list):
        return (
            isinstance(b, list)
            and len(a) == len(b)
            and all(is_equal(x, y) for x, y in zip(a, b, strict=True))
        )
    if isinstance(a, dict):
        return (
            isinstance(b, dict)
            and len(a) == len(b)
            and all(is_equal(v, b.get(k)) for k, v in a.items())
        )
    return False


def cleanup_dashboard_for_save(dash: Json) -> None:
    # removeNonPersistedProperties
    for key in (
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
    ):
        dash.pop(key, None)
    # removeNullValues
    if dash.get("gnetId") is None:
        dash.pop("gnetId", None)
    # cleanupTemplating
    if isinstance(dash.get("templating"), dict):
        remove_null_values_recursively(dash["templating"])
        for variable in maps(dash["templating"].get("list")):
            cleanup_variable(variable)
    cleanup_panels(dash)
    # cleanupDashboardDefaults
    if dash.get("style") == "dark":
        del dash["style"]
    if dash.get("hideControls") is False:
        del dash["hideControls"]
    if "id" in dash and dash["id"] is None:
        del dash["id"]
    dash.pop("preload", None)
    dash.pop("iteration", None)


def remove_null_values_recursively(data: Any) -> None:
    if isinstance(data, dict):
        for key in list(data):
            if data[key] is None:
                del data[key]
            else:
                remove_null_values_recursively(data[key])
    elif isinstance(data, list):
        for item in data:
            if item is not None:
                remove_null_values_recursively(item)


def cleanup_variable(variable: Json) -> None:
    if variable.get("datasource", "missing") is None:
        del variable["datasource"]
    variable.pop("index", None)
    kind = variable.get("type")
    if kind == "query":
        variable.setdefault("options", [])
    elif kind == "constant":
        variable.pop("options", None)
    elif kind == "datasource":
        variable["options"] = []


def cleanup_panels(dash: Json) -> None:
    panels = dash.get("panels")
    if not isinstance(panels, list):
        dash["panels"] = []
        return
    filtered = [
        p
        for p in maps(panels)
        if "repeatPanelId" not in p and "repeatedByRow" not in p  # getPanelSaveModels
    ]
    for panel in filtered:
        cleanup_panel_for_save(panel, nested=False)
        for inner in maps(panel.get("panels")):
            cleanup_panel_for_save(inner, nested=True)
    dash["panels"] = sorted(filtered, key=functools.cmp_to_key(by_grid_pos))


def by_grid_pos(a: Json, b: Json) -> int:
    def coords(p: Json) -> tuple[float, float]:
        grid = p.get("gridPos") if isinstance(p.get("gridPos"), dict) else {}
        y = grid.get("y") if is_number(grid.get("y")) else 0
        x = grid.get("x") if is_number(grid.get("x")) else 0
        return y, x

    ka, kb = coords(a), coords(b)
    return -1 if ka < kb else (1 if ka > kb else 0)


PANEL_DEFAULTS: Json = {
    "gridPos": {"x": 0, "y": 0, "h": 3, "w": 6},
    "targets": [{"refId": "A"}],
    "cachedPluginOptions": {},
    "transparent": False,
    "options": {},
    "links": [],
    "fieldConfig": {"defaults": {}, "overrides": []},
    "title": "",
}


def cleanup_panel_for_save(panel: Json, nested: bool) -> None:
    if not nested:
        apply_panel_auto_migration(panel)
    if panel.get("libraryPanel") is not None:
        essential = {k: panel.get(k) for k in ("id", "title", "gridPos", "libraryPanel")}
        panel.clear()
        panel.update({k: v for k, v in essential.items() if v is not None})
        return
    if panel.get("type") == "row" and panel.get("repeat") == "":
        del panel["repeat"]
    original = set(panel)
    for key in (
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
    ):
        panel.pop(key, None)
    if isinstance(panel.get("transformations"), list) and not panel["transformations"]:
        del panel["transformations"]
    for key, default in PANEL_DEFAULTS.items():
        if key in panel and is_equal(panel[key], default):
            del panel[key]
    remove_null_values_recursively(panel)
    filter_default_values(panel, original)


def filter_default_values(panel: Json, original: set[str]) -> None:
    if panel.get("type") == "table":
        for key in ("pageSize", "scroll", "fontSize", "showHeader", "sort"):
            if key in panel:
                if panel.get("autoMigrateFrom") == "table-old":
                    if key not in original:
                        del panel[key]
                else:
                    del panel[key]
    for key, default in PANEL_DEFAULTS.items():
        if key in panel and is_equal(panel[key], default) and key not in original:
            del panel[key]
    if isinstance(panel.get("targets"), list) and not panel["targets"]:
        del panel["targets"]


def apply_panel_auto_migration(panel: Json) -> None:
    kind = panel.get("type")
    if not isinstance(kind, str):
        return
    new = ""
    if kind == "graph":
        xaxis = panel.get("xaxis")
        mode = xaxis.get("mode") if isinstance(xaxis, dict) else None
        if mode == "series":
            legend = panel.get("legend")
            new = (
                "bargauge"
                if isinstance(legend, dict) and legend.get("values") is True
                else "barchart"
            )
        elif mode == "histogram":
            new = "histogram"
        new = new or "timeseries"
    else:
        new = {
            "table-old": "table",
            "singlestat": "stat",
            "grafana-singlestat-panel": "stat",
            "grafana-piechart-panel": "piechart",
            "grafana-worldmap-panel": "geomap",
            "natel-discrete-panel": "state-timeline",
        }.get(kind, "")
    if new:
        panel["autoMigrateFrom"] = kind
        panel["type"] = new

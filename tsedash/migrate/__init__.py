"""Old dashboards (grafanalib output, exports of Grafana 4-11) migrated the way Grafana does it.

Grafana upgrades a dashboard it reads: its backend migrator runs one step per schemaVersion up
to its latest, and its frontend fills in what a panel lacks and replaces Angular panels when it
loads the dashboard. `migrate_dashboard` does the same, in Grafana's order, on a copy:

1. `shapes.check_structure`: a dashboard whose structure is not a dashboard's is refused with
   the JSON pointer of the field (`ShapeError`, exit 2);
2. `schemaversion.migrate_to`: Grafana's schema steps, from the dashboard's `schemaVersion` to
   `TARGET_VERSION` (42), one module per step, datasource names resolved through the
   datasources the registry knows (`known_datasources`);
3. the defaults Grafana applies on load: the dashboard's (`dashboard_defaults`: title,
   panels, the templating list where missing), then the panels'
   (`schemaversion.load_defaults.apply_load_defaults`: gridPos, default query, refIds, ids,
   datasource inheritance, placement on the grid);
4. `panels.migrate_panels`: Angular panels as Grafana's panel plugins convert them on load;
5. the dashboard as Grafana saves what it loaded (`save_model`): no `null` members (the
   frontend's `sortedDeepCloneWithoutNulls`; old dashboards and grafanalib hold many), a
   threshold step's `null` value (-Infinity, the base step) aside; what the backend's
   `cleanupDashboardForSave` removes from the dashboard itself (`style: dark`,
   `hideControls: false`, `preload`, `iteration`); of a panel, what Grafana 12's save model
   does not write (`transformSceneToSaveModel` → `vizPanelToPanel` builds each panel from its
   id, type, title, description, gridPos, options, field config, transformations, queries,
   query options, time overrides, repeat, links: of Grafana's own React panels anything else
   goes; of other panel types, whose plugin may read old top-level options when it loads, only
   grafanalib's `editable`/`error`/`isNew` and the pre-v16 grid's `span`/`height`/`minSpan`; a
   panel still waiting for a plugin tsedash does not reproduce, with `autoMigrateFrom`, and a
   row keep theirs); of a variable, the tags Grafana 8 removed
   (`useTags`, `current.tags`, which step 28 leaves), the `hideLabel`/`hideVariable` flags step
   12 turned into `hide`, and a `current` left with neither `text` nor `value` (no saved
   selection: Grafana selects the default on load and saves that); an
   export's empty `__inputs` and its `__requires`, which Grafana's import consumes.

Every change is a `Migration` naming the dashboard, the panel and the step that made it. A step
that cannot migrate what it finds is a `ShapeError` at the pointer of the field in the file as
read (a panel moved out of a pre-v16 row keeps the pointer it had there).
"""

from __future__ import annotations

import copy
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from tsedash.migrate import shapes
from tsedash.migrate.panels import PANEL_MIGRATION, migrate_panels
from tsedash.migrate.schemaversion import (
    TARGET_VERSION,
    Change,
    DatasourceInfo,
    StepContext,
    Unmigratable,
    all_panels,
    migrate_to,
    panel_name,
    schema_version,
)
from tsedash.migrate.schemaversion.load_defaults import LOAD_DEFAULTS, apply_load_defaults
from tsedash.migrate.shapes import ShapeError
from tsedash.registry import Datasource

__all__ = [
    "CURRENT_SCHEMA",
    "Migration",
    "ShapeError",
    "known_datasources",
    "migrate_dashboard",
    "needs_migration",
]

CURRENT_SCHEMA = TARGET_VERSION
REGISTRY_DATASOURCE_TYPE = "prometheus"  # the registry provisions one Prometheus datasource
# Of what Grafana's `DashboardModel` fills in on load, what a dashboard cannot do without.
DASHBOARD_DEFAULTS: dict[str, Any] = {"title": "No Title", "panels": [], "templating": {"list": []}}
SAVE_MODEL = -2  # the `Migration.version` of what Grafana's save model drops
# What `vizPanelToPanel` writes of a panel (and `libraryPanel`, kept by the backend's save).
SAVED_PANEL_KEYS = frozenset(
    {
        "id",
        "type",
        "title",
        "description",
        "gridPos",
        "options",
        "fieldConfig",
        "transformations",
        "transparent",
        "pluginVersion",
        "targets",
        "datasource",
        "maxDataPoints",
        "interval",
        "cacheTimeout",
        "queryCachingTTL",
        "timeFrom",
        "timeShift",
        "hideTimeOverride",
        "repeat",
        "repeatDirection",
        "maxPerRow",
        "links",
        "libraryPanel",
    }
)
# A variable's keys Grafana 8+ has no use for: the tags it removed (step 28 leaves `useTags:
# false` and empty queries) and the flags step 12 turned into `hide`.
# Grafana's own React panels, whose settings live in `options` and `fieldConfig` (and
# `text`, once its plugin has moved its old `content`/`mode` there): a top-level key of theirs
# outside SAVED_PANEL_KEYS is read by nobody. Other panel types (plugins, Angular-era core
# panels such as `dashlist` or `heatmap` whose plugin converts top-level options when it
# loads) lose only UNREAD_PANEL_KEYS, the pre-v16 grid's and grafanalib's.
SAVED_AS_BUILT = frozenset(
    {
        "timeseries",
        "stat",
        "gauge",
        "bargauge",
        "table",
        "text",
        "barchart",
        "piechart",
        "histogram",
        "state-timeline",
        "status-history",
        "geomap",
        "canvas",
        "logs",
        "nodeGraph",
        "traces",
        "xychart",
        "candlestick",
        "flamegraph",
        "trend",
    }
)
UNREAD_PANEL_KEYS = frozenset({"editable", "error", "isNew", "span", "height", "minSpan"})
VARIABLE_UNSAVED_KEYS = (
    "useTags",
    "tags",
    "tagsQuery",
    "tagValuesQuery",
    "hideLabel",
    "hideVariable",
)
STEP_NAMES = {LOAD_DEFAULTS: "load", PANEL_MIGRATION: "plugin", SAVE_MODEL: "save"}


@dataclass(frozen=True)
class Migration:
    """One change: `version` is the schema step that made it (2-42), `LOAD_DEFAULTS` (0) for
    Grafana's load defaults, `PANEL_MIGRATION` (-1) for a panel plugin's conversion,
    `SAVE_MODEL` (-2) for the nulls Grafana's save drops, None for the summary line
    (`schemaVersion 12 → 42`)."""

    uid: str
    panel: str  # the panel's title (or JSON pointer); empty for the dashboard itself
    change: str
    version: int | None = None

    @property
    def step(self) -> str:
        """`v14`, `load`, `plugin`, `save`, or "" for the summary."""
        if self.version is None:
            return ""
        return STEP_NAMES.get(self.version, f"v{self.version}")

    def __str__(self) -> str:
        where = f" panel '{self.panel}'" if self.panel else ""
        step = f" ({self.step})" if self.step else ""
        return f"{self.uid}{where}: {self.change}{step}"

    def as_dict(self) -> dict[str, Any]:
        return {
            "uid": self.uid,
            "panel": self.panel,
            "change": self.change,
            "step": self.step,
            "version": self.version,
        }


def known_datasources(datasource: Datasource) -> tuple[DatasourceInfo, ...]:
    """The datasources names resolve against: the registry's own (the default unless the
    registry marks another one of `datasource.grafana` default), then the ones listed there."""
    listed = tuple(
        DatasourceInfo(uid=d.uid, name=d.name, type=d.type, is_default=d.default)
        for d in datasource.grafana
    )
    own = DatasourceInfo(
        uid=datasource.uid,
        name=datasource.name,
        type=REGISTRY_DATASOURCE_TYPE,
        is_default=not any(d.is_default for d in listed),
    )
    return (own, *listed)


def needs_migration(
    model: dict[str, Any], datasources: Iterable[DatasourceInfo] | Datasource = ()
) -> bool:
    """Whether migrating `model` would change it."""
    return bool(migrate_dashboard(model, datasources)[1])


def migrate_dashboard(
    model: dict[str, Any],
    datasources: Iterable[DatasourceInfo] | Datasource = (),
    in_place: bool = False,
) -> tuple[dict[str, Any], list[Migration]]:
    """`model` as Grafana loads it and what changed (module docstring); a dashboard nothing
    changes comes back as it is (the same object). `datasources`: what names resolve to (the
    registry's `Datasource`, or `DatasourceInfo`s). `in_place`: migrate `model` itself (a model
    the caller just read and owns: no copy of a 50,000-panel dashboard)."""
    shapes.check_structure(model)
    known = (
        known_datasources(datasources)
        if isinstance(datasources, Datasource)
        else tuple(datasources)
    )
    written = model.get("schemaVersion")
    out = model if in_place else copy.deepcopy(model)
    origins = _origins(out)
    ctx = StepContext(datasources=known)
    before = schema_version(out)
    try:
        migrate_to(out, ctx, TARGET_VERSION)
        dashboard_defaults(out, ctx)
        apply_load_defaults(out, ctx)
        migrate_panels(out, ctx)
        save_model(out, ctx)
    except Unmigratable as exc:
        raise ShapeError(_as_read(out, exc.pointer, origins), exc.reason) from None
    uid = str(out.get("uid", ""))
    changes = [_migration(uid, change) for change in ctx.changes]
    if before < TARGET_VERSION:
        shown = "none" if written is None else str(written)[:20]
        changes.append(Migration(uid, "", f"schemaVersion {shown} → {TARGET_VERSION}"))
    if not changes and not in_place:
        return model, []
    return out, changes


def dashboard_defaults(dashboard: dict[str, Any], ctx: StepContext) -> None:
    """What Grafana's `DashboardModel` gives a dashboard that lacks it when it loads it (its
    constructor: `data.title ?? 'No Title'`, `data.panels ?? []`, `ensureListExist` on the
    templating). It fills in `tags`, `time` and the annotation list too: `build`'s defaults
    pass gives those to every extra dashboard (the shipped examples rely on it), and Grafana to
    what `tsedash migrate` writes; the defaults of a save (the built-in annotation, `editable`,
    ...) are `tsedash.grafana.stored`'s, computed when a dashboard is pushed."""
    ctx.version = LOAD_DEFAULTS
    added = []
    for key, default in DASHBOARD_DEFAULTS.items():
        if dashboard.get(key) is None:
            dashboard[key] = copy.deepcopy(default)
            added.append(key)
    templating = dashboard.get("templating")
    if isinstance(templating, dict) and templating.get("list") is None:
        templating["list"] = []
        added.append("templating.list")
    if added:
        ctx.log(f"Grafana's defaults for what the dashboard lacks: {', '.join(added)}")


def drop_unsaved_keys(dashboard: dict[str, Any]) -> list[str]:
    """What `cleanupDashboardForSave` removes from the dashboard itself (stored.py too)."""
    dropped: list[str] = [key for key in ("preload", "iteration") if key in dashboard]
    if dashboard.get("style") == "dark":
        dropped.append("style")
    if dashboard.get("hideControls") is False:
        dropped.append("hideControls")
    dropped += [k for k in ("gnetId", "id") if k in dashboard and dashboard[k] is None]
    for key in dropped:
        del dashboard[key]
    return dropped


def save_model(dashboard: dict[str, Any], ctx: StepContext) -> None:
    """Stage 5 of the module docstring, in place, each removal logged."""
    ctx.version = SAVE_MODEL
    drop_nulls(dashboard, ctx)
    dropped = drop_unsaved_keys(dashboard)
    if dashboard.get("__inputs") == []:
        dropped.append("__inputs (empty)")
        del dashboard["__inputs"]
    if "__requires" in dashboard:
        dropped.append("__requires")
        del dashboard["__requires"]
    if dropped:
        ctx.log(f"removed as Grafana saves a dashboard: {', '.join(dropped)}")
    for pointer, panel in all_panels(dashboard):
        if panel.get("type") == "row" or "autoMigrateFrom" in panel:
            continue
        if panel.get("type") in SAVED_AS_BUILT:
            unsaved = [key for key in panel if key not in SAVED_PANEL_KEYS]
        else:  # another plugin may still read its old keys when it loads: only the grid's go
            unsaved = [key for key in panel if key in UNREAD_PANEL_KEYS]
        for key in unsaved:
            del panel[key]
        if unsaved:
            shown = ", ".join(unsaved)
            ctx.log(f"not in Grafana's save model of a panel: {shown}", panel_name(pointer, panel))
    templating = dashboard.get("templating")
    variables = templating.get("list") if isinstance(templating, dict) else None
    for variable in variables if isinstance(variables, list) else []:
        if isinstance(variable, dict):
            _save_variable(variable, ctx)


def _save_variable(variable: dict[str, Any], ctx: StepContext) -> None:
    name = variable.get("name")
    removed = [key for key in VARIABLE_UNSAVED_KEYS if key in variable]
    for key in removed:
        del variable[key]
    current = variable.get("current")
    if isinstance(current, dict) and "tags" in current:
        del current["tags"]
        removed.append("current.tags")
    if removed:
        ctx.log(f"variable {name}: not in Grafana's save model of a variable: {', '.join(removed)}")
    if isinstance(current, dict) and "text" not in current and "value" not in current:
        del variable["current"]
        ctx.log(f"variable {name}: `current` holds no selection: removed")


def drop_nulls(dashboard: dict[str, Any], ctx: StepContext) -> None:
    """Grafana's save model: every `null` member of an object goes, at any depth, but the
    `value` of a threshold step; reported per panel (the dashboard's own together)."""
    ctx.version = SAVE_MODEL
    panels = dashboard.get("panels")
    for i, panel in enumerate(panels if isinstance(panels, list) else []):
        if isinstance(panel, dict):
            dropped = _without_nulls(panel, "")
            if dropped:
                name = panel_name(f"/panels/{i}", panel)
                ctx.log(f"null members dropped: {_listed(dropped)}", name)
    dropped = [
        path
        for key, value in list(dashboard.items())
        if key != "panels"
        for path in _member_without_nulls(dashboard, key, value, "", False)
    ]
    if dropped:
        ctx.log(f"null members dropped: {_listed(dropped)}")


def _without_nulls(node: Any, at: str, in_steps: bool = False) -> list[str]:
    """Drop null members under `node` in place; the paths dropped (`at` their prefix)."""
    dropped: list[str] = []
    if isinstance(node, dict):
        for key, value in list(node.items()):
            dropped += _member_without_nulls(node, key, value, at, in_steps)
    elif isinstance(node, list):
        for item in node:
            dropped += _without_nulls(item, at, in_steps)
    return dropped


def _member_without_nulls(
    node: dict[str, Any], key: str, value: Any, at: str, in_steps: bool
) -> list[str]:
    path = f"{at}.{key}" if at else key
    if value is None:
        if in_steps and key == "value":
            return []  # a threshold step's -Infinity
        del node[key]
        return [path]
    if isinstance(value, list):
        return _without_nulls(value, path, key == "steps")
    return _without_nulls(value, path) if isinstance(value, dict) else []


def _listed(paths: list[str]) -> str:
    return ", ".join(dict.fromkeys(paths))  # each path once (a list's items share theirs)


def _migration(uid: str, change: Change) -> Migration:
    return Migration(uid, change.panel, change.change, change.version)


def _origins(dashboard: dict[str, Any]) -> dict[int, str]:
    """The pointer of every panel object in the file as read, by object identity: steps move
    panels (out of pre-v16 rows, into collapsed rows) but never copy them."""
    found: dict[int, str] = {}
    for key in ("panels", "rows"):
        items = dashboard.get(key)
        for i, item in enumerate(items if isinstance(items, list) else []):
            if not isinstance(item, dict):
                continue
            found[id(item)] = f"/{key}/{i}"
            nested = item.get("panels")
            for j, inner in enumerate(nested if isinstance(nested, list) else []):
                if isinstance(inner, dict):
                    found[id(inner)] = f"/{key}/{i}/panels/{j}"
    return found


def _as_read(dashboard: dict[str, Any], pointer: str, origins: dict[int, str]) -> str:
    """`pointer` (in the dashboard as migrated so far) as a pointer into the file as read: the
    deepest panel on its path that was in the file gives the prefix."""
    parts = pointer.split("/")[1:] if pointer.startswith("/") else []
    node: Any = dashboard
    best = ("", 0)
    for depth, part in enumerate(parts, start=1):
        if isinstance(node, dict):
            node = node.get(part.replace("~1", "/").replace("~0", "~"))
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            break
        if isinstance(node, dict) and id(node) in origins:
            best = (origins[id(node)], depth)
    if not best[0]:
        return pointer
    rest = parts[best[1] :]
    return "/".join([best[0], *rest]) if rest else best[0]

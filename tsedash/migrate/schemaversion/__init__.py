"""Grafana's schema migrations, one function per schemaVersion, applied in order.

Grafana's backend migrator (grafana/grafana `apps/dashboard/pkg/migration/schemaversion/`,
`vN.go`) and the frontend `DashboardMigrator` it replaces upgrade a dashboard one step at a
time: the step registered for version N turns a dashboard of version N-1 into version N. This
package is our own implementation of those steps, written from reading Grafana's code: each
module `vNN.py` holds the step for one version (`@step(N)`), and says in its docstring what
Grafana's step does and anything knowingly done differently.

A step changes the dashboard in place and reports every change through `ctx.log`; it never
raises on a shape it does not expect (Grafana skips what it cannot read) unless the dashboard
cannot be migrated at all, which is an `Unmigratable` naming the JSON pointer.
"""

from __future__ import annotations

import functools
import importlib
import pkgutil
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

# The version the project targets (grafana-foundation-sdk 0.0.21, Grafana 12.2+ and 13).
TARGET_VERSION = 42
# Grafana's MIN_VERSION: older dashboards are first set to this version, as Grafana does.
MIN_VERSION = 1

Dashboard = dict[str, Any]


class Unmigratable(ValueError):
    """A dashboard no step can read: `pointer` is where (a JSON pointer), `reason` why."""

    def __init__(self, pointer: str, reason: str) -> None:
        super().__init__(f"{pointer or '/'}: {reason}")
        self.pointer = pointer
        self.reason = reason


@dataclass(frozen=True)
class DatasourceInfo:
    """A datasource the user's Grafana has, as Grafana's migrations look it up."""

    uid: str
    name: str
    type: str
    is_default: bool = False
    api_version: str = ""


@dataclass(frozen=True)
class Change:
    version: int  # the step that made it
    panel: str  # the panel's title (or pointer), empty for the dashboard itself
    change: str


@dataclass
class StepContext:
    """What a step may read besides the dashboard, and where it reports its changes."""

    datasources: tuple[DatasourceInfo, ...] = ()
    changes: list[Change] = field(default_factory=list)
    version: int = 0  # set by `migrate_to` before each step

    def log(self, change: str, panel: str = "") -> None:
        self.changes.append(Change(self.version, panel, change))

    def default_datasource(self) -> DatasourceInfo | None:
        return next((d for d in self.datasources if d.is_default), None) or (
            self.datasources[0] if self.datasources else None
        )

    def lookup(self, name_or_uid: str) -> DatasourceInfo | None:
        """By uid first, then by name: the order of Grafana's datasource index lookups."""
        for ds in self.datasources:
            if ds.uid == name_or_uid:
                return ds
        for ds in self.datasources:
            if ds.name == name_or_uid:
                return ds
        return None


Step = Callable[[Dashboard, StepContext], None]
STEPS: dict[int, Step] = {}


def step(version: int) -> Callable[[Step], Step]:
    """Register the function turning version `version - 1` into `version`."""

    def register(func: Step) -> Step:
        if version in STEPS:
            raise RuntimeError(f"two steps for schemaVersion {version}")
        STEPS[version] = func
        return func

    return register


@functools.cache
def _load_steps() -> None:
    """Import every step module once (each registers itself); later calls cost nothing."""
    for module in pkgutil.iter_modules(__path__):
        if module.name.startswith("v"):
            importlib.import_module(f"{__name__}.{module.name}")


def schema_version(dashboard: Dashboard) -> int:
    """The dashboard's schemaVersion as Grafana reads it (missing or not a number: 0)."""
    value = dashboard.get("schemaVersion")
    if isinstance(value, bool) or not isinstance(value, int | float):
        return 0
    return int(value)


def versions_between(current: int, target: int) -> Iterable[int]:
    return range(max(current, MIN_VERSION) + 1, target + 1)


def migrate_to(dashboard: Dashboard, ctx: StepContext, target: int = TARGET_VERSION) -> None:
    """Apply every registered step after the dashboard's version up to `target`, in order,
    then set `schemaVersion` to `target` (a version with no step of its own changes nothing
    but the number, as in Grafana)."""
    _load_steps()
    current = schema_version(dashboard)
    for version in versions_between(current, target):
        if version in STEPS:
            ctx.version = version
            STEPS[version](dashboard, ctx)
    if current < target:
        ctx.version = target
        dashboard["schemaVersion"] = target


def top_panels(dashboard: Dashboard) -> list[tuple[str, dict[str, Any]]]:
    """`(pointer, panel)` for each panel object of `dashboard.panels` (not a list: none)."""
    panels = dashboard.get("panels")
    if not isinstance(panels, list):
        return []
    return [(f"/panels/{i}", p) for i, p in enumerate(panels) if isinstance(p, dict)]


def all_panels(dashboard: Dashboard) -> list[tuple[str, dict[str, Any]]]:
    """Top-level panels, then each one's nested `panels` (collapsed rows), as the steps of
    Grafana that say "including panels in collapsed rows" walk them."""
    out = []
    for pointer, panel in top_panels(dashboard):
        out.append((pointer, panel))
        nested = panel.get("panels")
        if isinstance(nested, list):
            out += [
                (f"{pointer}/panels/{j}", p) for j, p in enumerate(nested) if isinstance(p, dict)
            ]
    return out


def panel_name(pointer: str, panel: dict[str, Any]) -> str:
    """How a change names its panel: the title, else the JSON pointer."""
    title = panel.get("title")
    return title if isinstance(title, str) and title else pointer


def panels_including_rows(dashboard: Dashboard) -> list[tuple[str, dict[str, Any]]]:
    """Top-level panels, then the panels of each pre-v16 row (`rows[i].panels`): what Grafana's
    `collectPanelsIncludingRows` gives the panel steps that run before v16 hoists rows."""
    out = top_panels(dashboard)
    rows = dashboard.get("rows")
    for i, row in enumerate(rows if isinstance(rows, list) else []):
        panels = row.get("panels") if isinstance(row, dict) else None
        if isinstance(panels, list):
            out += [
                (f"/rows/{i}/panels/{j}", p) for j, p in enumerate(panels) if isinstance(p, dict)
            ]
    return out


def panels_through_rows(dashboard: Dashboard) -> list[tuple[str, dict[str, Any]]]:
    """The panels Grafana's steps that recurse "into row panels" reach (v31, v37 to v39): every
    panel that is not a row, at any depth of `type: row` nesting; rows themselves are not
    returned, and another panel's nested `panels` are not entered."""
    out: list[tuple[str, dict[str, Any]]] = []

    def walk(panels: Any, base: str) -> None:
        for i, panel in enumerate(panels if isinstance(panels, list) else []):
            if not isinstance(panel, dict):
                continue
            if panel.get("type") == "row":
                walk(panel.get("panels"), f"{base}/{i}/panels")
            else:
                out.append((f"{base}/{i}", panel))

    walk(dashboard.get("panels"), "/panels")
    return out


def panels_at_any_depth(dashboard: Dashboard) -> list[tuple[str, dict[str, Any]]]:
    """Every panel, each followed by its nested `panels` at any depth (v42's walk)."""
    out: list[tuple[str, dict[str, Any]]] = []

    def walk(panels: Any, base: str) -> None:
        for i, panel in enumerate(panels if isinstance(panels, list) else []):
            if isinstance(panel, dict):
                out.append((f"{base}/{i}", panel))
                walk(panel.get("panels"), f"{base}/{i}/panels")

    walk(dashboard.get("panels"), "/panels")
    return out

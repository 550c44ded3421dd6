"""A panel's `vizConfig` (buildVizConfig): the plugin (an Angular panel type becomes its
React successor), the options, every panel key v2 has no field for kept in
`options.__angularMigration` for Grafana's panel migration on load, and the field config
(`fieldconfig`)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tsedash.dashv2.context import ANGULAR, NOTHING, V1_V2, Built, Context
from tsedash.dashv2.fieldconfig import field_config
from tsedash.dashv2.jsonread import as_dict, get_str, short, strip_bom
from tsedash.dashv2.report import Note
from tsedash.sdk import dashboardv2_m as m

ANGULAR_MIGRATION = "__angularMigration"
ANGULAR_PANELS = {  # schemaversion.AngularPanelMigrations
    "table-old": "table",
    "singlestat": "stat",
    "grafana-singlestat-panel": "stat",
    "grafana-piechart-panel": "piechart",
    "grafana-worldmap-panel": "geomap",
    "natel-discrete-panel": "state-timeline",
}
# knownPanelProperties: panel keys with a place in the Panel schema; every other key is the
# "Angular options" the conversion keeps in options.__angularMigration.originalOptions.
KNOWN_PANEL_KEYS = {
    *("type", "id", "pluginVersion", "targets", "title", "description", "transparent"),
    *("datasource", "gridPos", "links", "repeat", "repeatDirection", "maxPerRow"),
    *("maxDataPoints", "transformations", "interval", "timeFrom", "timeShift"),
    *("hideTimeOverride", "timeCompare", "libraryPanel", "cacheTimeout", "queryCachingTTL"),
    *("options", "fieldConfig", "autoMigrateFrom"),
}


def angular_successor(panel_type: str, panel: Mapping[str, Any]) -> str:
    """GetAngularPanelMigration: the React panel an Angular one becomes, "" for none."""
    if panel_type in ("graph", "graphite"):
        mode = as_dict(panel.get("xaxis")).get("mode")
        if mode == "series":
            values = as_dict(panel.get("legend")).get("values")
            return "bargauge" if values is True else "barchart"
        return "histogram" if mode == "histogram" else "timeseries"
    return ANGULAR_PANELS.get(panel_type, "")


class _PlainSpec:
    """A `VizConfigSpec` whose parts stay plain JSON (mapped here as Grafana maps them; the
    SDK's typed field config would drop `custom`'s plugin fields)."""

    def __init__(self, options: Any, field_config: Any) -> None:
        self.options, self.field_config = options, field_config

    def to_json(self) -> dict[str, object]:
        return {"options": self.options, "fieldConfig": self.field_config}


def viz_config(ctx: Context, panel: dict[str, Any], pointer: str) -> Built[m.VizConfigKind]:
    """buildVizConfig: the plugin, its options and the field config."""
    where = f"{V1_V2} buildVizConfig"
    panel_type = get_str(panel, "type", "timeseries")
    if "type" not in panel or not isinstance(panel["type"], str):
        ctx.changed(f"{pointer}/type", panel_type, "a panel without a type string", where)
    options = panel.get("options")
    if not isinstance(options, dict):
        if "options" in panel:
            detail = f"options {short(options)}"
            ctx.dropped(f"{pointer}/options", detail, where, options in NOTHING)
        options = {}
    options = dict(options)
    original = {k: v for k, v in panel.items() if k not in KNOWN_PANEL_KEYS}
    migrate_from = panel.get("autoMigrateFrom")
    if not isinstance(migrate_from, str) or not migrate_from:
        if migrate_from is not None:
            ctx.dropped(f"{pointer}/autoMigrateFrom", short(migrate_from), where, True)
        migrate_from = ""
        successor = angular_successor(panel_type, panel)
        if successor:
            migrate_from = panel_type
            ctx.changed(
                f"{pointer}/type", successor,
                f"the Angular panel '{panel_type}' becomes '{successor}'", ANGULAR,
            )  # fmt: skip
            ctx.changed(
                f"{pointer}/autoMigrateFrom", panel_type,
                f"'{panel_type}' kept in options.{ANGULAR_MIGRATION}.autoMigrateFrom, for "
                "Grafana's panel migration on load", where,
            )  # fmt: skip
            panel_type = successor
        elif original:
            migrate_from = panel_type
    elif migrate_from == panel_type:
        ctx.dropped(
            f"{pointer}/autoMigrateFrom", f"autoMigrateFrom '{migrate_from}', the panel's "
            "own type", where, inert=True,
        )  # fmt: skip
    if original:
        ctx.notes.append(
            Note(
                pointer,
                "moved",
                f"panel key(s) {', '.join(sorted(original))} (no Panel field) to "
                f"options.{ANGULAR_MIGRATION}.originalOptions, for Grafana's panel "
                "migration on load",
                f"{V1_V2} extractAngularOptions",
            )
        )
    if migrate_from:
        options[ANGULAR_MIGRATION] = {
            "autoMigrateFrom": migrate_from,
            "originalOptions": original,
        }
    stripped = strip_bom(options)
    if stripped != options:
        ctx.changed(
            f"{pointer}/options", {k: v for k, v in stripped.items() if k != ANGULAR_MIGRATION},
            "byte order marks removed from the options", where,
        )  # fmt: skip
    viz = m.VizConfigKind(group=panel_type, version=get_str(panel, "pluginVersion"))
    fields = field_config(ctx, panel.get("fieldConfig"), f"{pointer}/fieldConfig")
    viz.spec = _PlainSpec(stripped, fields)  # type: ignore[assignment]
    return Built(viz)

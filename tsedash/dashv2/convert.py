"""A classic (v1) dashboard model as a schema v2 dashboard spec, the way Grafana converts it,
built with the SDK's `dashboardv2` builders.

Grafana's own v1 → v2 conversion (apps/dashboard/pkg/migration/conversion/: v1beta1 → v2alpha1
in `v1beta1_to_v2alpha1.go`, then `v2alpha1_to_v2beta1.go` and `v2beta1_to_v2.go`) is the
reference: each panel becomes the element `panel-<id>` (ids made unique first, as
`EnsurePanelsHaveUniqueIds` does) and a grid item; row panels make a `RowsLayout` (panels above
the first row go into a row with its header hidden), otherwise one `GridLayout`; a target
becomes a `PanelQuery` whose `DataQuery` group is the datasource type and whose
`datasource.name` is its uid; panel options and a field config mapped field by field move into
`vizConfig`, Angular panel types become their React successors and every panel key v2 has no
field for goes to `options.__angularMigration` for Grafana's panel migration on load;
variables become their `*Variable` kinds. What Grafana drops is dropped, and every value not
carried as it was is a `Note` of the conversion report (`tsedash.dashv2.report`). The one thing
refused is what Grafana's conversion fails on: an ad hoc or group-by variable without a
datasource uid (`Unconvertible`).

This module is the entry point and the dashboard itself (its fields, links and tags); the
parts are converted in `timesettings`, `layout` (rows and grid), `panels`, `queries`,
`vizconfig` and `fieldconfig`, `variables` (with `variable_fields` and `adhoc_groupby`) and
`annotations`, all sharing a `context.Context` (the datasources Grafana knows, the report).
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from tsedash.dashv2.annotations import annotation_queries
from tsedash.dashv2.context import NOTHING, V1_V2, Context, Unconvertible
from tsedash.dashv2.jsonread import get_bool, get_int, get_str, is_number, short
from tsedash.dashv2.layout import elements_and_layout
from tsedash.dashv2.panels import ensure_unique_ids
from tsedash.dashv2.queries import QUERY_OPTIONS, data_query
from tsedash.dashv2.report import Note
from tsedash.dashv2.timesettings import time_settings
from tsedash.dashv2.variable_fields import HIDE, LEGACY_STRING, REFRESH, SORT
from tsedash.dashv2.variables import INTERVAL_ONLY, VARIABLE_DEFAULTS, variables
from tsedash.dashv2.vizconfig import ANGULAR_MIGRATION, angular_successor
from tsedash.sdk import dashboardv2_b as b
from tsedash.sdk import dashboardv2_m as m
from tsedash.sdk import to_plain

__all__ = [  # the entry points, and what the read-back and the checks share with them
    "ANGULAR_MIGRATION",
    "CURSOR_SYNC",
    "HIDE",
    "INTERVAL_ONLY",
    "LEGACY_STRING",
    "QUERY_OPTIONS",
    "REFRESH",
    "SORT",
    "VARIABLE_DEFAULTS",
    "Converted",
    "Unconvertible",
    "angular_successor",
    "convert",
    "data_query",
    "to_v2",
]

CURSOR_SYNC = {0: "Off", 1: "Crosshair", 2: "Tooltip"}
DASHBOARD_KEYS = {  # what convertDashboardSpec_V1beta1_to_V2alpha1 reads
    *("title", "description", "tags", "graphTooltip", "preload", "liveNow", "editable"),
    *("revision", "time", "timezone", "refresh", "fiscalYearStartMonth", "weekStart"),
    *("timepicker", "links", "panels", "templating", "annotations"),
}
METADATA_KEYS = {"id", "uid", "version", "iteration", "schemaVersion"}  # the resource's own
LINK_KEYS = {"title", "type", "icon", "tooltip", "tags", "asDropdown", "targetBlank"}
LINK_KEYS |= {"includeVars", "keepTime", "url", "placement"}


@dataclass
class Converted:
    spec: dict[str, Any]
    notes: list[Note] = field(default_factory=list)


def convert(
    model: dict[str, Any],
    default_type: str = "prometheus",
    datasource_types: Mapping[str, str] | None = None,
) -> Converted:
    """The v2 spec of a v1 dashboard model and the report of what was not carried as it was.

    `default_type` is the type of Grafana's default datasource and `datasource_types` the
    types of the datasources it knows by uid: Grafana's conversion looks a reference without
    a type up there (`getDatasourceTypeByUID`). `model` is not changed.
    """
    return _dashboard(Context(default_type, datasource_types or {}), model)


def to_v2(model: dict[str, Any], default_type: str = "prometheus") -> dict[str, Any]:
    """The v2 spec of a v1 dashboard model (a fresh dict; `model` is not changed)."""
    return convert(model, default_type).spec


def _dashboard(ctx: Context, source: dict[str, Any]) -> Converted:
    """convertDashboardSpec_V1beta1_to_V2alpha1: the dashboard's own fields, then its parts."""
    model = copy.deepcopy(source)  # Grafana's conversion works on its own copy, too
    ensure_unique_ids(ctx, model)
    ctx.unread(
        model, DASHBOARD_KEYS | METADATA_KEYS, "", "dashboard",
        f"{V1_V2} convertDashboardSpec_V1beta1_to_V2alpha1",
    )  # fmt: skip
    _dashboard_types(ctx, model)
    dash = (
        b.Dashboard(get_str(model, "title"))
        .tags(_tags(ctx, model, ""))
        .cursor_sync(m.DashboardCursorSync(CURSOR_SYNC.get(get_int(model, "graphTooltip"), "Off")))
        .preload(get_bool(model, "preload"))
        .editable(get_bool(model, "editable", True))
        .time_settings(time_settings(ctx, model))
        .links(_dashboard_links(ctx, model))
    )
    if "liveNow" in model:  # Grafana writes `false` for none: the same, and not ours to add
        dash.live_now(get_bool(model, "liveNow"))
    if get_str(model, "description"):
        dash.description(get_str(model, "description"))
    if is_number(model.get("revision")) and 0 <= model["revision"] <= 65535:
        dash.revision(int(model["revision"]))
    elements, layout = elements_and_layout(ctx, model)
    dash.elements(elements).layout(layout)
    dash.variables(variables(ctx, model))
    dash.annotations(annotation_queries(ctx, model))
    plain: dict[str, Any] = to_plain(dash.build())
    return Converted(plain, ctx.notes)


def _dashboard_types(ctx: Context, model: dict[str, Any]) -> None:
    """Dashboard fields Grafana reads only in their type: anything else is its default."""
    where = f"{V1_V2} convertDashboardSpec_V1beta1_to_V2alpha1"
    defaults: dict[str, tuple[Any, Any]] = {
        "title": (str, ""), "editable": (bool, True), "preload": (bool, False),
        "liveNow": (bool, False), "timezone": (str, "browser"), "tags": (list, []),
    }  # fmt: skip
    for key, (kind, default) in defaults.items():
        if key in model and not isinstance(model[key], kind):
            ctx.changed(f"/{key}", default, f"{key} {short(model[key])}", where)
    for key in ("description", "revision"):
        value = model.get(key)
        good = isinstance(value, str) if key == "description" else is_number(value)
        if key in model and not good:
            ctx.dropped(f"/{key}", f"{key} {short(value)}", where, value in NOTHING)
    tooltip = model.get("graphTooltip")
    if tooltip is not None and get_int(model, "graphTooltip", -1) not in CURSOR_SYNC:
        ctx.changed("/graphTooltip", 0, f"graphTooltip {short(tooltip)} → Off", where)


def _tags(ctx: Context, data: dict[str, Any], pointer: str) -> list[str]:
    tags = data.get("tags")
    if not isinstance(tags, list):
        return []
    for i, tag in enumerate(tags):
        if not isinstance(tag, str):
            ctx.dropped(f"{pointer}/tags/{i}", f"tag {short(tag)}: not a string", V1_V2)
    return [t for t in tags if isinstance(t, str)]


def _dashboard_links(ctx: Context, model: dict[str, Any]) -> list[Any]:
    links = model.get("links")
    out = []
    for i, link in enumerate(links if isinstance(links, list) else []):
        if not isinstance(link, dict):
            ctx.dropped(f"/links/{i}", f"link {short(link)}", f"{V1_V2} transformLinks")
            continue
        ctx.unread(link, LINK_KEYS, f"/links/{i}", "link", f"{V1_V2} transformLinks")
        item = (
            b.DashboardLink()
            .title(get_str(link, "title"))
            .type(get_str(link, "type", "link"))  # type: ignore[arg-type]  # Grafana's cast
            .icon(get_str(link, "icon"))
            .tooltip(get_str(link, "tooltip"))
            .tags(_tags(ctx, link, f"/links/{i}"))
            .as_dropdown(get_bool(link, "asDropdown"))
            .target_blank(get_bool(link, "targetBlank"))
            .include_vars(get_bool(link, "includeVars"))
            .keep_time(get_bool(link, "keepTime"))
        )
        if isinstance(link.get("url"), str):
            item.url(ctx.bom(link["url"], f"/links/{i}/url"))
        if isinstance(link.get("placement"), str):
            item.placement(link["placement"])  # any string, as Grafana's
        out.append(item)
    return out

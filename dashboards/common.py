"""What both dashboards share: variables, links and the final defaults pass."""

from __future__ import annotations

import copy
from typing import Any

from tsedash import queries
from tsedash.registry import Registry
from tsedash.sdk import dashboard_b, dashboard_m, to_plain
from tsedash.spec import DashboardSpec, Model
from tsedash_panels.defaults import panel_datasource

BASE_TAG = "trading-ecosystem"
REFRESH = "30s"
TIME_FROM = "now-1h"
TIME_TO = "now"
TIMEZONE = "browser"


DEVOPS = DashboardSpec(
    "tse-devops-docker", "DevOps Docker View", "devops", "devops-docker-view.json"
)
SIMULATION = DashboardSpec(
    "tse-simulation-entity", "Simulation Entity View", "simulation", "simulation-entity-view.json"
)
ALL_SPECS = (DEVOPS, SIMULATION)


def _all_option() -> dashboard_m.VariableOption:
    return dashboard_m.VariableOption(selected=True, text="All", value="$__all")


def variables(registry: Registry) -> list[Any]:
    """`datasource`, `service`, `search`, `instance`: new instances appear without a rebuild;
    the `instance` drop-down lists at most queries.VARIABLE_VALUES instances whose name contains
    the `search` text (down ones first), so it stays usable with 10,000 instances."""
    ds = registry.datasource
    datasource = (
        dashboard_b.DatasourceVariable("datasource")
        .label("Data source")
        .type("prometheus")
        .current(dashboard_m.VariableOption(selected=True, text=ds.name, value=ds.uid))
    )
    service_query = queries.service_variable_query(registry)
    service = (
        dashboard_b.QueryVariable("service")
        .label("Service")
        .datasource(panel_datasource())
        .query(service_query)
        .definition(service_query)
        .multi(True)
        .include_all(True)
        # "All" as the short list of service types, never a regex of every value.
        .all_value(queries.service_jobs_regex(registry))
        .current(_all_option())
        .refresh(dashboard_m.VariableRefresh.ON_TIME_RANGE_CHANGED)
        .sort(dashboard_m.VariableSort.ALPHABETICAL_ASC)
    )
    search = (
        dashboard_b.TextBoxVariable("search")
        .label("Instance search")
        .description("Part of an instance name: narrows the Instance drop-down.")
        .current(dashboard_m.VariableOption(selected=True, text="", value=""))
    )
    instance_query = queries.instance_variable_query()
    instance = (
        dashboard_b.QueryVariable("instance")
        .label("Instance")
        .datasource(panel_datasource())
        .query(instance_query)
        .definition(instance_query)
        .regex(queries.INSTANCE_VARIABLE_REGEX)
        .multi(True)
        .include_all(True)
        # Scoped by `job=~"$service"` in every query, so ".+" stays short with 10,000 instances.
        .all_value(".+")
        .current(_all_option())
        .refresh(dashboard_m.VariableRefresh.ON_TIME_RANGE_CHANGED)
        .sort(dashboard_m.VariableSort.ALPHABETICAL_ASC)
    )
    return [datasource, service, search, instance]


def link_to(spec: DashboardSpec) -> dashboard_b.DashboardLink:
    return (
        dashboard_b.DashboardLink(spec.title)
        .type(dashboard_m.DashboardLinkType.LINK)
        .url(f"/d/{spec.uid}")
        .icon("dashboard")
        .tooltip(f"Open the {spec.title} with the same variables and time range")
        .include_vars(True)
        .keep_time(True)
        .target_blank(False)
        .as_dropdown(False)
    )


def stamp(
    builder: dashboard_b.Dashboard, uid: str, tag: str, links: list[DashboardSpec]
) -> dashboard_b.Dashboard:
    """The defaults pass: identity, tags, time, refresh, tooltip, links, read-only."""
    return (
        builder.uid(uid)
        .tags([BASE_TAG, tag])
        .refresh(REFRESH)
        .time(TIME_FROM, TIME_TO)
        .timezone(TIMEZONE)
        .readonly()  # provisioned with allowUiUpdates: false; change the code instead
        .tooltip(dashboard_m.DashboardCursorSync.CROSSHAIR)
        .links([link_to(spec) for spec in links])
        .annotations([])  # `{list: []}`, as Grafana's model has it (the SDK's default is `{}`)
    )


def finalize(builder: dashboard_b.Dashboard, spec: DashboardSpec) -> dict[str, Any]:
    """A generated view, stamped and encoded; it links to the other views."""
    others = [s for s in ALL_SPECS if s.uid != spec.uid]
    model: dict[str, Any] = to_plain(stamp(builder, spec.uid, spec.tag, others).build())
    return model


def apply_defaults(model: Model, spec: DashboardSpec) -> Model:
    """The defaults pass on a plain model, generated or extra; returns a new model.

    Always: the project's tags first, read-only (provisioned with allowUiUpdates: false), links
    to the generated views, an annotations list. Only when the dashboard sets none: refresh,
    time range, time zone, shared crosshair. Idempotent; a generated view (already stamped by
    `finalize`) comes back equal.
    """
    out = copy.deepcopy(model)
    own_tags = [t for t in out.get("tags") or [] if t not in (BASE_TAG, spec.tag)]
    out["tags"] = [BASE_TAG, spec.tag, *own_tags]
    out["editable"] = False
    out.setdefault("refresh", REFRESH)
    out.setdefault("time", {"from": TIME_FROM, "to": TIME_TO})
    out.setdefault("timezone", TIMEZONE)
    if not out.get("graphTooltip"):
        out["graphTooltip"] = to_plain(dashboard_m.DashboardCursorSync.CROSSHAIR)
    links = list(out.get("links") or [])
    have = {link.get("url") for link in links if isinstance(link, dict)}
    links += [
        to_plain(link_to(view).build())
        for view in ALL_SPECS
        if view.uid != spec.uid and f"/d/{view.uid}" not in have
    ]
    out["links"] = links
    annotations = out.get("annotations")
    if not isinstance(annotations, dict):
        out["annotations"] = {"list": []}
    else:  # the SDK's default is `{}`; Grafana's model has a list
        annotations.setdefault("list", [])
    return out

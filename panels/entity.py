"""Simulation entity panels: per service type, health and its declared domain metrics."""

from __future__ import annotations

from panels.defaults import (
    health_mappings,
    health_thresholds,
    ref_id,
    stat,
    target,
    timeseries,
)
from panels.health import health_stat
from tsedash import queries
from tsedash.registry import Metric, ServiceType
from tsedash.sdk import common_m, dashboard_m, stat_b, timeseries_b


def _metric_description(service: str, metric: Metric) -> str:
    text = metric.description or metric.title
    by = f", by {', '.join(metric.by)}" if metric.by else ""
    return f"{text} (`{metric.name}`, {metric.type}, job `{service}`{by})."


def singleton_stat(service: ServiceType) -> stat_b.Panel:
    """A singleton's health and each metric's total in one stat; health is mapped UP/DOWN."""
    panel = (
        stat(
            service.name,
            f"Health of the singleton `{service.name}` and its metric totals over the "
            "dashboard's time range.",
            "short",
        )
        .with_target(target(queries.singleton_up(service.name), 0))
        .color_mode(common_m.BigValueColorMode.VALUE)
        .text_mode(common_m.BigValueTextMode.VALUE_AND_NAME)
    )
    for index, metric in enumerate(service.metrics, start=1):
        panel = panel.with_target(target(queries.singleton_total(service.name, metric), index))
    # Only the health query (refId A) gets the UP/DOWN mapping and red/green thresholds.
    return panel.override_by_query(
        ref_id(0),
        [
            dashboard_m.DynamicConfigValue(id_val="mappings", value=health_mappings()),
            dashboard_m.DynamicConfigValue(id_val="thresholds", value=health_thresholds().build()),
            dashboard_m.DynamicConfigValue(id_val="color", value={"mode": "thresholds"}),
        ],
    )


def service_health(service: ServiceType) -> stat_b.Panel:
    return health_stat(
        f"{service.name} Health",
        f"`up` of each selected `{service.name}` instance: one tile per instance.",
        queries.service_up(service.name),
    )


def metric_rate(service: ServiceType, metric: Metric) -> timeseries_b.Panel:
    per = "/s" if metric.type == "counter" else ""
    return timeseries(
        f"{metric.title}{per} by Instance",
        _metric_description(service.name, metric),
        queries.metric_rate(service.name, metric),
        metric.unit if metric.type == "gauge" else _rate_unit(metric.unit),
    )


def _rate_unit(unit: str) -> str:
    # Grafana has per-second variants of the count units; others keep their unit.
    return {"short": "ops", "none": "ops"}.get(unit, unit)


def metric_total(service: ServiceType, metric: Metric) -> stat_b.Panel:
    what = "increase over the time range" if metric.type == "counter" else "current value"
    return (
        stat(
            f"{metric.title} Total",
            f"{_metric_description(service.name, metric)} Per instance: {what}.",
            metric.unit,
        )
        .with_target(target(queries.metric_total(service.name, metric)))
        .color_mode(common_m.BigValueColorMode.VALUE)
        .text_mode(common_m.BigValueTextMode.VALUE_AND_NAME)
    )

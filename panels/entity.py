"""Declared domain metrics of a service type: a rate time series and a totals stat each."""

from __future__ import annotations

from tsedash import queries
from tsedash.registry import Metric, ServiceType
from tsedash.sdk import common_m, stat_b, timeseries_b
from tsedash_panels.defaults import stat, target, timeseries


def _metric_description(service: str, metric: Metric) -> str:
    text = metric.description or metric.title
    by = f", by {', '.join(metric.by)}" if metric.by else ""
    state = " Planned: no service exposes it yet." if metric.planned else ""
    return f"{text} (`{metric.name}`, {metric.type}, job `{service}`{by}).{state}"


def metric_rate(service: ServiceType, metric: Metric) -> timeseries_b.Panel:
    per = "/s" if metric.type == "counter" else ""
    return timeseries(
        f"{service.name} {metric.title}{per}",
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
            f"{service.name} {metric.title} Total",
            f"{_metric_description(service.name, metric)} Per instance: {what}.",
            metric.unit,
        )
        .with_target(target(queries.metric_total(service.name, metric)))
        .color_mode(common_m.BigValueColorMode.VALUE)
        .text_mode(common_m.BigValueTextMode.VALUE_AND_NAME)
    )

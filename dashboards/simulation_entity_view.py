"""Simulation Entity View: what is every trading entity doing?

One row per registry category, in registry order. Singletons get one stat (health and metric
totals); multi-instance types get a health stat and, per declared metric, a rate time series
and a totals stat — each with one series per instance from one query.
"""

from __future__ import annotations

from typing import Any

from dashboards.common import SIMULATION, finalize, variables
from dashboards.layout import Layout
from panels import entity, flow
from tsedash.registry import Registry
from tsedash.sdk import dashboard_b

SPEC = SIMULATION


def build(registry: Registry) -> dict[str, Any]:
    layout = Layout()
    for category, title in registry.categories.items():
        services = registry.services_in(category)
        if not services:
            continue
        layout.row(title)
        layout.add_all([entity.singleton_stat(s) for s in services if s.singleton], h=5)
        for service in (s for s in services if not s.singleton):
            layout.add(entity.service_health(service), 24, 4)
            for metric in service.metrics:
                layout.add(entity.metric_rate(service, metric), 16, 8)
                layout.add(entity.metric_total(service, metric), 8, 8)
    layout.row("Entity Communication").add(flow.communication_flow(), 24, 9)
    builder = (
        dashboard_b.Dashboard(SPEC.title)
        .description("Activity of every simulated trading entity, by category and instance.")
        .variables(variables(registry))
    )
    return finalize(layout.apply(builder), SPEC)

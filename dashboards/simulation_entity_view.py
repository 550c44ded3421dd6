"""Simulation Entity View: what is every trading entity doing?

One row per registry category, in registry order. Every service type gets the panels of the
ecosystem's standard exposition (health, requests, errors, latency, memory, uptime, restarts,
readiness where served) and its exposed domain metrics; its planned domain metrics wait in a
collapsed row whose title says so. Per-instance panels show the type's aggregate and at most
queries.TOP instances (ranked on the server), whatever the number of instances.
"""

from __future__ import annotations

from typing import Any

from tsedash.registry import Registry, ServiceType
from tsedash.sdk import dashboard_b
from tsedash_dashboards.common import SIMULATION, finalize, variables
from tsedash_dashboards.layout import Layout
from tsedash_panels import entity, flow, service

SPEC = SIMULATION
PLANNED_SUFFIX = "(planned: no service exposes these yet)"


def planned_row_title(svc: ServiceType) -> str:
    return f"{svc.name} domain metrics {PLANNED_SUFFIX}"


def _service_panels(layout: Layout, svc: ServiceType, recorded: bool) -> None:
    layout.add(service.health(svc), 24, 4)
    layout.add(service.request_rate(svc, recorded), 8, 8)
    layout.add(service.error_ratio(svc, recorded), 8, 8)
    layout.add(service.latency(svc, recorded), 8, 8)
    layout.add(service.memory(svc), 12, 6)
    layout.add(service.uptime(svc), 6, 6)
    layout.add(service.restarts(svc), 6, 6)
    if svc.readiness:
        layout.add(service.readiness(svc), 24, 5)
    for metric in (m for m in svc.metrics if not m.planned):
        layout.add(entity.metric_rate(svc, metric), 16, 8)
        layout.add(entity.metric_total(svc, metric), 8, 8)


def _planned_panels(svc: ServiceType) -> list[tuple[Any, int, int]]:
    panels: list[tuple[Any, int, int]] = []
    for metric in (m for m in svc.metrics if m.planned):
        panels.append((entity.metric_rate(svc, metric), 16, 8))
        panels.append((entity.metric_total(svc, metric), 8, 8))
    return panels


def build(registry: Registry) -> dict[str, Any]:
    layout = Layout()
    for category, title in registry.categories.items():
        services = registry.services_in(category)
        if not services:
            continue
        layout.row(title)
        for svc in services:
            _service_panels(layout, svc, registry.defaults.recording_rules)
        for svc in services:
            planned = _planned_panels(svc)
            if planned:
                layout.collapsed_row(planned_row_title(svc), planned)
    layout.row("Entity Communication").add(flow.communication_flow(registry), 24, 9)
    builder = (
        dashboard_b.Dashboard(SPEC.title)
        .description(
            "What every trading entity does, by category and service type: requests, errors, "
            "latency, process health, and the domain metrics the services expose."
        )
        .variables(variables(registry))
    )
    return finalize(layout.apply(builder), SPEC)

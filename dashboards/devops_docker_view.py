"""DevOps Docker View: is every container and every instance healthy?"""

from __future__ import annotations

from typing import Any

from dashboards.common import DEVOPS, finalize, variables
from dashboards.layout import Layout
from panels import health, instances, registry_reference, resources
from tsedash.registry import Registry
from tsedash.sdk import dashboard_b

SPEC = DEVOPS
# Rows of markdown shown before the reference panel scrolls.
_REFERENCE_MAX_HEIGHT = 20


def build(registry: Registry) -> dict[str, Any]:
    layout = (
        Layout()
        .row("Health")
        .add(health.infrastructure_health(registry), 24, 4)
        .add(health.instance_health(), 24, 5)
        .row("Service Instances")
        .add(instances.registered_instances(), 12, 4)
        .add(instances.instances_down(), 12, 4)
        .add(instances.instances_table(), 24, 10)
        .add(instances.firing_alerts(), 24, 6)
        .row("Container Resources")
        .add(resources.container_memory(registry), 12, 8)
        .add(resources.container_cpu(registry), 12, 8)
        .row("Registry")
        .add(
            registry_reference.registry_reference(registry),
            24,
            min(_REFERENCE_MAX_HEIGHT, 4 + len(registry.instances)),
        )
    )
    builder = (
        dashboard_b.Dashboard(SPEC.title)
        .description("Health of every container and service instance of the Trading Ecosystem.")
        .variables(variables(registry))
    )
    return finalize(layout.apply(builder), SPEC)

"""DevOps Docker View: is every container and every instance healthy?

Nothing in it names an instance: the same JSON serves 7 or 10,000 instances, and a new instance
appears without a rebuild (variables, health, tables and the registry reference come from
Prometheus).
"""

from __future__ import annotations

from typing import Any

from tsedash.queries import CADVISOR_JOB
from tsedash.registry import Registry
from tsedash.sdk import dashboard_b
from tsedash_dashboards.common import DEVOPS, finalize, variables
from tsedash_dashboards.layout import Layout
from tsedash_panels import health, instances, resources

SPEC = DEVOPS


def build(registry: Registry) -> dict[str, Any]:
    layout = Layout().row("Health")
    # The infrastructure panel asks for the registry's infrastructure jobs: a registry without
    # any has nothing to ask for (its query would be `up{job=~""}`), so the panel is left out.
    if registry.infrastructure:
        layout = layout.add(health.infrastructure_health(registry), 24, 4)
    layout = (
        layout.add(health.instance_health(), 24, 8)
        .row("Service Instances")
        .add(instances.registered_instances(), 8, 4)
        .add(instances.reporting_instances(), 8, 4)
        .add(instances.instances_down(), 8, 4)
        .add(instances.instances_table(), 24, 10)
        .add(instances.firing_alerts(), 24, 6)
    )
    # Container figures come from cAdvisor: without its job in the registry nothing scrapes
    # them, so the row is left out rather than shown empty (and lint stays green).
    if any(job.job == CADVISOR_JOB for job in registry.infrastructure):
        layout = (
            layout.row("Container Resources")
            .add(resources.container_memory(registry), 12, 8)
            .add(resources.container_cpu(registry), 12, 8)
        )
    layout = layout.row("Registry").add(instances.registry_reference(), 24, 10)
    builder = (
        dashboard_b.Dashboard(SPEC.title)
        .description("Health of every container and service instance of the Trading Ecosystem.")
        .variables(variables(registry))
    )
    return finalize(layout.apply(builder), SPEC)

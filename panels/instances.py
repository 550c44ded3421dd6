"""Instance inventory panels: the table of all instances, how many are registered, down."""

from __future__ import annotations

from tsedash import queries
from tsedash.sdk import common_m, dashboard_m, stat_b, table_b
from tsedash_panels.defaults import (
    count_thresholds,
    health_mappings,
    health_thresholds,
    panel_datasource,
    stat,
    target,
)


def instances_table() -> table_b.Panel:
    """Instance Name, Service Type, Health Status: one row per instance, one query."""
    organize = dashboard_m.DataTransformerConfig(
        id_val="organize",
        options={
            "excludeByName": {"Time": True, "__name__": True},
            "indexByName": {"instance": 0, "job": 1, "Value": 2},
            "renameByName": {
                "instance": "Instance Name",
                "job": "Service Type",
                "Value": "Health Status",
            },
        },
    )
    status_cell = dashboard_m.DynamicConfigValue(
        id_val="custom.cellOptions", value={"type": "color-background"}
    )
    return (
        table_b.Panel()
        .title("All Service Instances")
        .description(
            "Every selected instance with its service type and health, DOWN instances first "
            "(sorted by Prometheus)."
        )
        .datasource(panel_datasource())
        .with_target(target(queries.instances_table()))
        .with_transformation(organize)
        .unit("none")
        .mappings(health_mappings())
        .thresholds(health_thresholds())
        .override_by_name("Health Status", [status_cell])
        .filterable(True)
    )


# Target label → column of the registry reference table, in order.
REFERENCE_COLUMNS = {
    "instance": "Instance",
    "job": "Service",
    "schema_name": "Schema",
    "redis_namespace": "Redis namespace",
    "discovery_key": "Discovery key",
    "container_name": "Container",
    "data_volume": "Data volume",
    "logs_volume": "Logs volume",
}


def registry_reference() -> table_b.Panel:
    """Schema, namespace, discovery key and volumes of each instance, from its scrape target's
    labels: the dashboard stays the same whatever the number of instances."""
    organize = dashboard_m.DataTransformerConfig(
        id_val="organize",
        options={
            "excludeByName": {
                "Time": True,
                "__name__": True,
                "Value": True,
                "instance_name": True,
                "service_type": True,
                "entity_type": True,
            },
            "indexByName": {label: i for i, label in enumerate(REFERENCE_COLUMNS)},
            "renameByName": REFERENCE_COLUMNS,
        },
    )
    return (
        table_b.Panel()
        .title("Instance Registry Reference")
        .description(
            "Each selected instance's PostgreSQL schema, Redis namespace, service-discovery key, "
            "container and volumes (host:container), as the registry derives them; carried by "
            "the scrape target's labels (`tsedash prometheus`)."
        )
        .datasource(panel_datasource())
        .with_target(target(queries.registry_reference()))
        .with_transformation(organize)
        .unit("none")
        .filterable(True)
    )


def _count_stat(
    title: str, description: str, query: queries.Query, bad_from: float | None
) -> stat_b.Panel:
    return (
        stat(title, description, "short")
        .with_target(target(query))
        .decimals(0)
        .thresholds(count_thresholds(bad_from))
        .color_mode(common_m.BigValueColorMode.VALUE)
    )


def registered_instances() -> stat_b.Panel:
    return _count_stat(
        "Registered Instances",
        "Selected instances Prometheus has a target for (from the registry's file_sd).",
        queries.instances_registered(),
        None,
    )


def reporting_instances() -> stat_b.Panel:
    return _count_stat(
        "Scraped Instances",
        "Selected instances whose last scrape succeeded.",
        queries.instances_reporting(),
        None,
    )


def instances_down() -> stat_b.Panel:
    return _count_stat(
        "Instances Down",
        "Selected instances whose scrape fails. Red from 1: look them up in the table below.",
        queries.instances_down(),
        1.0,
    )


def firing_alerts() -> table_b.Panel:
    """The generated alert rules that fire now, one row per alert and instance."""
    organize = dashboard_m.DataTransformerConfig(
        id_val="organize",
        options={
            "excludeByName": {"Time": True, "__name__": True, "alertstate": True, "Value": True},
            "indexByName": {"alertname": 0, "severity": 1, "instance": 2, "service": 3},
            "renameByName": {
                "alertname": "Alert",
                "severity": "Severity",
                "instance": "Instance",
                "service": "Service Type",
            },
        },
    )
    return (
        table_b.Panel()
        .title("Firing Alerts")
        .description(
            "Alerts of the generated rules (instance down or missing, error ratio, latency, "
            "counter stalled) firing for "
            "the selected instances. Empty is good; each alert links back here filtered."
        )
        .datasource(panel_datasource())
        .with_target(target(queries.firing_alerts()))
        .with_transformation(organize)
        .unit("none")
        .no_value("No firing alerts")
        .filterable(True)
    )

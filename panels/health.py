"""Health panels: is every infrastructure job and every service instance up?"""

from __future__ import annotations

from panels.defaults import health_mappings, health_thresholds, stat, target
from tsedash import queries
from tsedash.registry import Registry
from tsedash.sdk import common_m, stat_b


def health_stat(title: str, description: str, query: queries.Query) -> stat_b.Panel:
    """A stat with one UP/DOWN tile per series (green/red)."""
    return (
        stat(title, description, "none")
        .with_target(target(query))
        .mappings(health_mappings())
        .thresholds(health_thresholds())
        .color_mode(common_m.BigValueColorMode.BACKGROUND)
        .text_mode(common_m.BigValueTextMode.VALUE_AND_NAME)
        .orientation(common_m.VizOrientation.AUTO)
    )


def infrastructure_health(registry: Registry) -> stat_b.Panel:
    jobs = ", ".join(j.job for j in registry.infrastructure)
    return health_stat(
        "Infrastructure Services Health",
        f"`up` of the infrastructure scrape jobs ({jobs}). DOWN: Prometheus cannot scrape the "
        "job; check the container and its exporter.",
        queries.infrastructure_up(registry),
    )


def instance_health() -> stat_b.Panel:
    return health_stat(
        "Service Instance Health",
        "`up` of every selected service instance: one tile per instance, from one query. "
        "DOWN: the instance's /metrics endpoint does not answer.",
        queries.instances_up(),
    )

"""Health panels: is every infrastructure job and every service instance up?"""

from __future__ import annotations

from tsedash import queries
from tsedash.registry import Registry
from tsedash.sdk import common_m, dashboard_m, stat_b, statetimeline_b
from tsedash_panels.defaults import (
    health_mappings,
    health_thresholds,
    health_timeline,
    stat,
    target,
)

HEALTH_MISSING = "MISSING"


def _mappings_with_missing() -> list[dashboard_m.ValueMapping]:
    missing = dashboard_m.ValueMap(
        options={
            str(queries.MISSING): dashboard_m.ValueMappingResult(
                text=HEALTH_MISSING, color="orange", index=2
            )
        }
    )
    return [*health_mappings(), missing]


def health_stat(title: str, description: str, query: queries.Query) -> stat_b.Panel:
    """A stat with one UP/DOWN/MISSING tile per series (green/red/orange)."""
    return (
        stat(title, description, "none")
        .with_target(target(query))
        .mappings(_mappings_with_missing())
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
        "job; check the container and its exporter. MISSING: Prometheus has no target for "
        "the job at all; check its scrape config.",
        queries.infrastructure_up(registry),
    )


def instance_health() -> statetimeline_b.Panel:
    return health_timeline(
        "Service Instance Health",
        "`up` of every selected service instance over time, one lane per instance, from one "
        "query. DOWN: the instance's metrics endpoint does not answer.",
        queries.instances_up(),
    )

"""Container resources from cAdvisor: memory (working set) and CPU per instance container."""

from __future__ import annotations

from tsedash import queries
from tsedash.registry import Registry
from tsedash.sdk import timeseries_b
from tsedash_panels.defaults import timeseries


def container_memory(registry: Registry) -> timeseries_b.Panel:
    return timeseries(
        "Container Memory (working set)",
        "cAdvisor `container_memory_working_set_bytes` of each selected instance's container "
        f"(`{registry.defaults.container_prefix}<instance>`): what `docker stats` and the OOM "
        "killer count.",
        queries.container_memory(registry),
        "bytes",
    )


def container_cpu(registry: Registry) -> timeseries_b.Panel:
    return timeseries(
        "Container CPU",
        "CPU used by each selected instance's container, in cores (1 = one full core), "
        "from cAdvisor `container_cpu_usage_seconds_total`.",
        queries.container_cpu(registry, registry.defaults.recording_rules),
        "short",
    )

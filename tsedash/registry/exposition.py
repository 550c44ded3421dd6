"""The ecosystem's standard exposition: what every service serves without declaring it.

Every service of the ecosystem has the same RED middleware (`http_requests_total`,
`http_request_errors_total` only for status >= 400, the `http_request_duration_seconds`
histogram; labels `method`, `route`, `code`) and the standard process collectors; Go services
add `go_*`, Python services `python_info`; exchange- and custodian-simulator set
`service_dependency_ready{dependency}` when `/api/v1/ready` is requested. Series appear lazily,
after the first request that touches them. Domain metrics are declared per service type.
"""

from __future__ import annotations

REQUESTS = "http_requests_total"
ERRORS = "http_request_errors_total"
DURATION = "http_request_duration_seconds"
START_TIME = "process_start_time_seconds"
RESIDENT_MEMORY = "process_resident_memory_bytes"
READINESS = "service_dependency_ready"
RED_LABELS = ("method", "route", "code")
# Go services' constant labels on the RED metrics; `instance` arrives as `exported_instance`.
GO_CONSTANT_LABELS = ("service", "instance", "version")
DURATION_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
# The Python services' prometheus-client also serves each RED series' creation time (gauges).
PYTHON_CREATED = ("http_requests_created", "http_request_errors_created", f"{DURATION}_created")
# Every series carrying the middleware's `route` label: the route pattern, spelled per service
# (full path, or without its router's prefix), "unknown", or on the Python services the raw
# URL of a path no route matches, so one per path a scanner tries.
ROUTE_SERIES = frozenset(
    {REQUESTS, ERRORS, *(f"{DURATION}_{s}" for s in ("bucket", "sum", "count")), *PYTHON_CREATED}
)

STANDARD_METRICS = frozenset(
    {
        REQUESTS,
        ERRORS,
        f"{DURATION}_bucket",
        f"{DURATION}_sum",
        f"{DURATION}_count",
        START_TIME,
        RESIDENT_MEMORY,
        "process_cpu_seconds_total",
        "process_open_fds",
        "process_max_fds",
        "process_virtual_memory_bytes",
        "python_info",
        READINESS,
    }
)
STANDARD_PREFIXES = ("go_", "process_")
# Prometheus itself and cAdvisor (`job="cadvisor"`, `name` = the container name).
PROMETHEUS_METRICS = frozenset({"up", "ALERTS", "ALERTS_FOR_STATE"})
CADVISOR_METRICS = frozenset(
    {
        "container_memory_working_set_bytes",
        "container_memory_usage_bytes",
        "container_cpu_usage_seconds_total",
    }
)
# Series that exist only after a particular request: no data is "waiting", not broken.
LAZY_METRICS = {READINESS: "GET /api/v1/ready"}


def is_standard(metric: str) -> bool:
    """Served by every service (or Prometheus, or cAdvisor) without a registry declaration."""
    return (
        metric in STANDARD_METRICS
        or metric in PROMETHEUS_METRICS
        or metric in CADVISOR_METRICS
        or metric.startswith(STANDARD_PREFIXES)
    )

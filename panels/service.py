"""A service type's standard exposition, the panels every type gets: health over time, request
rate, error ratio, latency quantiles, uptime, restarts, memory, and readiness where served."""

from __future__ import annotations

from tsedash import queries
from tsedash.registry import ServiceType
from tsedash.registry import exposition as ex
from tsedash.sdk import common_m, stat_b, statetimeline_b, timeseries_b
from tsedash_panels.defaults import health_timeline, stat, target, timeseries


def health(service: ServiceType) -> statetimeline_b.Panel:
    return health_timeline(
        f"{service.name} Health",
        f"`up` of each selected `{service.name}` instance over time. DOWN: Prometheus cannot "
        "scrape it (the container is down, or its metrics path answers an error).",
        queries.type_health(service.name),
    )


def request_rate(service: ServiceType) -> timeseries_b.Panel:
    return timeseries(
        f"{service.name} Requests/s",
        f"Requests each instance answered per second (`{ex.REQUESTS}`; Prometheus' own "
        "scrapes count too).",
        queries.request_rate(service.name),
        "reqps",
    )


def error_ratio(service: ServiceType) -> timeseries_b.Panel:
    return timeseries(
        f"{service.name} Error Ratio",
        f"Share of requests answered with status >= 400 (`{ex.ERRORS}` / `{ex.REQUESTS}`); "
        "0 while an instance has had no error.",
        queries.error_ratio(service.name),
        "percentunit",
    )


def latency(service: ServiceType) -> timeseries_b.Panel:
    panel = timeseries(
        f"{service.name} Latency p50/p95/p99",
        f"Request duration quantiles per instance from the `{ex.DURATION}` histogram "
        "(buckets 5 ms … 10 s).",
        queries.latency(service.name, queries.QUANTILES[0]),
        "s",
    )
    for index, quantile in enumerate(queries.QUANTILES[1:], start=1):
        panel = panel.with_target(target(queries.latency(service.name, quantile), index))
    return panel


def memory(service: ServiceType) -> timeseries_b.Panel:
    return timeseries(
        f"{service.name} Memory",
        f"Resident memory of each instance's process (`{ex.RESIDENT_MEMORY}`).",
        queries.memory(service.name),
        "bytes",
    )


def _per_instance_stat(
    title: str, description: str, query: queries.Query, unit: str
) -> stat_b.Panel:
    return (
        stat(title, description, unit)
        .with_target(target(query))
        .color_mode(common_m.BigValueColorMode.VALUE)
        .text_mode(common_m.BigValueTextMode.VALUE_AND_NAME)
    )


def uptime(service: ServiceType) -> stat_b.Panel:
    return _per_instance_stat(
        f"{service.name} Uptime",
        f"Time since each instance's process started (`{ex.START_TIME}`).",
        queries.uptime(service.name),
        "dtdurations",
    )


def restarts(service: ServiceType) -> stat_b.Panel:
    return _per_instance_stat(
        f"{service.name} Restarts",
        f"Process restarts within the dashboard's time range (changes of `{ex.START_TIME}`).",
        queries.restarts(service.name),
        "short",
    )


def readiness(service: ServiceType) -> statetimeline_b.Panel:
    return health_timeline(
        f"{service.name} Dependency Readiness",
        f"`{ex.READINESS}` per instance and dependency: set when `/api/v1/ready` is requested "
        "(empty until then).",
        queries.readiness(service.name),
    )

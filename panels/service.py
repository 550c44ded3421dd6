"""A service type's standard exposition, the panels every type gets: health over time, request
rate, error ratio, latency quantiles, uptime, restarts, memory, and readiness where served."""

from __future__ import annotations

from tsedash import queries
from tsedash.registry import ServiceType
from tsedash.registry import exposition as ex
from tsedash.sdk import common_m, dashboard_m, stat_b, statetimeline_b, timeseries_b
from tsedash_panels.defaults import health_timeline, ref_id, stat, target, timeseries


def health(service: ServiceType) -> statetimeline_b.Panel:
    return health_timeline(
        f"{service.name} Health",
        f"`up` of the selected `{service.name}` instances over time, down ones first (at most "
        f"{queries.TOP}). DOWN: Prometheus cannot scrape it (the container is down, or its "
        "metrics path answers an error).",
        queries.type_health(service.name),
    )


def request_rate(service: ServiceType, recorded: bool = False) -> timeseries_b.Panel:
    return timeseries(
        f"{service.name} Requests/s",
        f"Requests answered per second (`{ex.REQUESTS}`; Prometheus' own scrapes count too): "
        f"all of the type's instances together, and the {queries.TOP} busiest instances.",
        queries.type_request_rate(service.name, recorded),
        "reqps",
    ).with_target(target(queries.request_rate(service.name, recorded), 1))


CLIENT_ERRORS_REF = 2  # index of the client errors' target (refId C)


def _dashed() -> dashboard_m.DynamicConfigValue:
    """A dashed line: a series drawn for context, not the one alerted on."""
    return dashboard_m.DynamicConfigValue(
        id_val="custom.lineStyle", value={"fill": "dash", "dash": [10, 10]}
    )


def error_ratio(service: ServiceType, recorded: bool = False) -> timeseries_b.Panel:
    threshold = service.alerts.client_error_ratio
    client_alert = (
        f"HighClientErrorRatio above {threshold * 100:g}%"
        if threshold is not None
        else "not alerted"
    )
    client = queries.type_error_ratio(service.name, queries.CLIENT_ERRORS, recorded)
    return (
        timeseries(
            f"{service.name} Error Ratio",
            "Share of requests answered with a server error (5xx: the service failed), from "
            f"`{ex.REQUESTS}` by `code`: all of the type's instances together and the "
            f"{queries.TOP} worst instances; HighErrorRatio fires above "
            f"{service.alerts.error_ratio * 100:g}%. Dashed: client errors (4xx: favicon requests, "
            f"scanners, bad requests) of all the instances together, {client_alert}. 0 while "
            "there is none.",
            queries.type_error_ratio(service.name, queries.SERVER_ERRORS, recorded),
            "percentunit",
        )
        .with_target(target(queries.error_ratio(service.name, recorded), 1))
        .with_target(target(client, CLIENT_ERRORS_REF))
        .override_by_query(ref_id(CLIENT_ERRORS_REF), [_dashed()])
    )


def latency(service: ServiceType, recorded: bool = False) -> timeseries_b.Panel:
    panel = timeseries(
        f"{service.name} Latency p50/p95/p99",
        f"Request duration quantiles of all the type's requests from the `{ex.DURATION}` "
        f"histogram (buckets 5 ms … 10 s), and the p95 of the {queries.TOP} slowest instances.",
        queries.type_latency(service.name, queries.QUANTILES[0], recorded),
        "s",
    )
    for index, quantile in enumerate(queries.QUANTILES[1:], start=1):
        query = queries.type_latency(service.name, quantile, recorded)
        panel = panel.with_target(target(query, index))
    slowest = queries.slowest(service.name, recorded)
    return panel.with_target(target(slowest, len(queries.QUANTILES)))


def memory(service: ServiceType) -> timeseries_b.Panel:
    return timeseries(
        f"{service.name} Memory",
        f"Resident memory of the {queries.TOP} largest instance processes "
        f"(`{ex.RESIDENT_MEMORY}`).",
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
        f"Time since the process started (`{ex.START_TIME}`), the {queries.TOP} most recently "
        "started first.",
        queries.uptime(service.name),
        "dtdurations",
    )


def restarts(service: ServiceType) -> stat_b.Panel:
    return _per_instance_stat(
        f"{service.name} Restarts",
        f"Process restarts within the dashboard's time range (changes of `{ex.START_TIME}`), "
        f"the {queries.TOP} most restarted instances.",
        queries.restarts(service.name),
        "short",
    )


def readiness(service: ServiceType) -> statetimeline_b.Panel:
    return health_timeline(
        f"{service.name} Dependency Readiness",
        f"`{ex.READINESS}` per instance and dependency, not-ready first (at most "
        f"{queries.TOP}): set when `/api/v1/ready` is requested (empty until then).",
        queries.readiness(service.name),
    )

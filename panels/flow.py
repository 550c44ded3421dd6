"""Entity communication, built only from labels that exist."""

from __future__ import annotations

from tsedash import queries
from tsedash.registry import Registry
from tsedash.sdk import timeseries_b
from tsedash_panels.defaults import target, timeseries


def communication_flow(registry: Registry) -> timeseries_b.Panel:
    """Outbound calls where a type declares a client-side metric with a `flow_to` label;
    otherwise what every service exposes: the requests it answers, by route and code."""
    outbound = [
        (service.name, metric)
        for service in registry.services.values()
        for metric in service.metrics
        if metric.flow_to and not metric.planned
    ]
    if not outbound:
        return timeseries(
            "Entity Communication: Inbound Requests",
            "Requests each selected instance answered per second, by route and status code "
            "(`http_requests_total`). No service declares an outbound metric yet: who calls "
            "whom needs a client-side metric with a callee label (`flow_to:` in the registry).",
            queries.inbound_requests(registry.defaults.recording_rules),
            "reqps",
        )
    first, *rest = outbound
    panel = timeseries(
        "Entity Communication Flow",
        "Calls per second from each selected instance to each callee, from the declared "
        "outbound metrics: " + ", ".join(f"`{m.name}` by `{m.flow_to}`" for _, m in outbound),
        queries.outbound_flow(*first),
        "reqps",
    )
    for index, (service, metric) in enumerate(rest, start=1):
        panel = panel.with_target(target(queries.outbound_flow(service, metric), index))
    return panel

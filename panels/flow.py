"""Entity communication flow: who talks to whom, from `http_requests_total{target_service}`."""

from __future__ import annotations

from panels.defaults import timeseries
from tsedash import queries
from tsedash.sdk import timeseries_b


def communication_flow() -> timeseries_b.Panel:
    return timeseries(
        "Entity Communication Flow",
        "Requests per second from each selected instance to each target service "
        "(`http_requests_total` by `target_service`).",
        queries.communication_flow(),
        "reqps",
    )

"""Entity communication flow: who talks to whom, from `http_requests_total{target_service}`."""

from __future__ import annotations

from panels.defaults import legend, panel_datasource, target, tooltip
from tsedash import queries
from tsedash.sdk import timeseries_b


def communication_flow() -> timeseries_b.Panel:
    return (
        timeseries_b.Panel()
        .title("Entity Communication Flow")
        .description(
            "Requests per second from each selected instance to each target service "
            "(`http_requests_total` by `target_service`)."
        )
        .datasource(panel_datasource())
        .with_target(target(queries.communication_flow()))
        .unit("reqps")
        .min(0.0)
        .legend(legend())
        .tooltip(tooltip())
        .fill_opacity(10.0)
        .line_width(1.0)
    )

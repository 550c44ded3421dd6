"""Example extra dashboard written with grafana-foundation-sdk (module-level `dashboard`).

Reuses the house factories and variables, so it follows the same rules as the generated views.
"""

from pathlib import Path

from dashboards.common import finalize_extra, variables
from dashboards.layout import Layout
from panels.defaults import timeseries
from tsedash.queries import Query
from tsedash.registry import load_registry
from tsedash.sdk import dashboard_b

_registry = load_registry(Path(__file__).resolve().parents[2] / "instances.yaml")

# Labels every service's RED middleware sets: the route pattern and the status code.
_by_route = Query(
    'sum by (route, code) (rate(http_requests_total{job=~"$service", instance=~"$instance"}'
    "[$__rate_interval]))",
    "{{route}} {{code}}",
)

dashboard = finalize_extra(
    Layout()
    .row("Requests")
    .add(
        timeseries(
            "Requests per Route",
            "Requests per second the selected instances answered, per route and status code.",
            _by_route,
            "reqps",
        ),
        24,
        9,
    )
    .apply(dashboard_b.Dashboard("Request Rates").variables(variables(_registry))),
    uid="tse-extra-requests",
    tag="extra",
)

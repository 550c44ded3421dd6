"""Example extra dashboard written with grafana-foundation-sdk: `dashboard(registry)`.

Reuses the house factories and variables with the registry the build uses, so it follows the
same rules as the generated views; the build applies the defaults pass (tags, links, time).
"""

from tsedash.queries import Query
from tsedash.registry import Registry
from tsedash.sdk import dashboard_b
from tsedash_dashboards.common import variables
from tsedash_dashboards.layout import Layout
from tsedash_panels.defaults import timeseries

# Labels every service's RED middleware sets: the route and the status code. On the Python
# services a path no route matches keeps its raw URL as `route` (every path a scanner tries),
# so the busiest 10 are shown, never one series per route (lint: target-route-unbounded).
_by_route = Query(
    'topk(10, sum by (route, code) (rate(http_requests_total{job=~"$service", '
    'instance=~"$instance"}[$__rate_interval])))',
    "{{route}} {{code}}",
)


def dashboard(registry: Registry) -> dashboard_b.Dashboard:
    return (
        Layout()
        .row("Requests")
        .add(
            timeseries(
                "Requests per Route",
                "Requests per second the selected instances answered, the 10 busiest routes and "
                "status codes.",
                _by_route,
                "reqps",
            ),
            24,
            9,
        )
        .apply(dashboard_b.Dashboard("Request Rates").variables(variables(registry)))
        .uid("tse-extra-requests")
    )

"""Recording rules: the per-instance and per-type aggregates the dashboards and alerts read.

The mixins' pattern (`level:metric:operations`): Prometheus computes each rate once per
evaluation, over every service job in one expression (the number of rules does not grow with
instances), and dashboards with `defaults: {recording_rules: true}` read these few series
instead of recomputing rates and quantiles over every raw series at every step. The alerts
read them too (`deploy/prometheus/rules/` ships both files together).
"""

from __future__ import annotations

from typing import Any

from tsedash.registry import exposition as ex
from tsedash.registry.model import Registry

WINDOW = "1m"  # four samples at the default 15 s scrape interval
ROUTES = "instance_route:tsedash_http_requests:rate1m"  # by route and code too
REQUESTS = "instance:tsedash_http_requests:rate1m"
# Errors by status class, counted in `http_requests_total` like the requests they divide:
# `http_request_errors_total` counts every status >= 400, so a favicon's or a scanner's 404 is
# an "error" there; the alerting ratio counts the service's own failures (5xx) only.
SERVER_ERRORS = "instance:tsedash_http_server_errors:rate1m"
CLIENT_ERRORS = "instance:tsedash_http_client_errors:rate1m"
SERVER_ERROR_RATIO = "instance:tsedash_http_server_error_ratio:rate1m"
CLIENT_ERROR_RATIO = "instance:tsedash_http_client_error_ratio:rate1m"
P95 = "instance:tsedash_http_request_duration_seconds:p95_rate1m"
JOB_BUCKETS = "job:tsedash_http_request_duration_seconds_bucket:rate1m"
CONTAINER_CPU = "name:tsedash_container_cpu_usage_seconds:rate1m"
CADVISOR_JOB = "cadvisor"
GROUP = "tsedash-recording"
RECORDED = frozenset(
    {
        ROUTES,
        REQUESTS,
        SERVER_ERRORS,
        CLIENT_ERRORS,
        SERVER_ERROR_RATIO,
        CLIENT_ERROR_RATIO,
        P95,
        JOB_BUCKETS,
        CONTAINER_CPU,
    }
)
SERVER_ERROR_CODES = '"5.."'
CLIENT_ERROR_CODES = '"4.."'


def _errors(codes: str) -> str:
    """The rate of one status class per instance, 0 (not absent) while it has none: a series
    per code appears only with the first request answered with it."""
    return f"sum by (job, instance) ({ROUTES}{{code=~{codes}}}) or 0 * {REQUESTS}"


def recording_rules(registry: Registry) -> list[dict[str, Any]]:
    """One group; later rules read earlier ones of the same evaluation."""
    sel = '{job=~"' + "|".join(registry.services) + '"}'
    by_instance = "sum by (job, instance)"
    rules: list[dict[str, Any]] = [
        {
            "record": ROUTES,
            "expr": f"sum by (job, instance, route, code) (rate({ex.REQUESTS}{sel}[{WINDOW}]))",
        },
        # From the route-level series: one pass over the raw counters serves them all.
        {"record": REQUESTS, "expr": f"{by_instance} ({ROUTES})"},
        {"record": SERVER_ERRORS, "expr": _errors(SERVER_ERROR_CODES)},
        {"record": CLIENT_ERRORS, "expr": _errors(CLIENT_ERROR_CODES)},
        {"record": SERVER_ERROR_RATIO, "expr": f"{SERVER_ERRORS} / {REQUESTS}"},
        {"record": CLIENT_ERROR_RATIO, "expr": f"{CLIENT_ERRORS} / {REQUESTS}"},
        {
            "record": JOB_BUCKETS,
            "expr": f"sum by (job, le) (rate({ex.DURATION}_bucket{sel}[{WINDOW}]))",
        },
        {
            "record": P95,
            "expr": (
                f"histogram_quantile(0.95, sum by (job, instance, le) "
                f"(rate({ex.DURATION}_bucket{sel}[{WINDOW}])))"
            ),
        },
    ]
    if any(job.job == CADVISOR_JOB for job in registry.infrastructure):
        containers = f'{{job="{CADVISOR_JOB}", name=~"{registry.defaults.container_prefix}.+"}}'
        rules.append(
            {
                "record": CONTAINER_CPU,
                "expr": (
                    f"sum by (job, name) "
                    f"(rate(container_cpu_usage_seconds_total{containers}[{WINDOW}]))"
                ),
            }
        )
    return rules

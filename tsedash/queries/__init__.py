"""Every PromQL expression the dashboards issue, built from the registry's metric contract.

Panels never hold PromQL literals: they call these functions. The number of queries never
grows with the number of instances (the scale rule of docs/dashboards.md), and neither does
what they return: per-instance expressions are ranked on the server (`topk`/`bottomk`, at most
TOP series: all of them on a small stack or a narrowed `instance` selection), tables are capped
at TABLE_ROWS, and each type's panels add the type's aggregate. With `recording_rules` on, the
rates and quantiles come from the generated recording rules (tsedash.registry.recorded).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from tsedash.registry import Metric, Registry
from tsedash.registry import exposition as ex
from tsedash.registry import recorded as rec

RATE = "$__rate_interval"
RANGE = "$__range"
INTERVAL = "$__interval"  # a subquery's step: follows the range and the zoom
SERVICE_VAR = "$service"
INSTANCE_VAR = "$instance"
CADVISOR_JOB = rec.CADVISOR_JOB
SEARCH_VAR = "$search"
TOP = 10  # series per per-instance panel: the busiest, worst or down-first of the selection
TABLE_ROWS = 50  # rows of the instance tables (down first)
VARIABLE_VALUES = 200  # instances the `instance` drop-down lists (down first, searchable)
ALL_INSTANCES = "selected together"


@dataclass(frozen=True)
class Query:
    """One target: the expression, its legend and whether it is an instant (table/stat) query."""

    expr: str
    legend: str = ""
    instant: bool = False
    table: bool = False


def _alternation(names: list[str]) -> str:
    # Names are validated to [A-Za-z0-9-]: nothing to escape for a Prometheus regex.
    return "|".join(names)


def service_jobs_regex(registry: Registry) -> str:
    """All service types, the `service` variable's "All" value: short, scoped to our jobs."""
    return _alternation(list(registry.services))


def infrastructure_jobs_regex(registry: Registry) -> str:
    return _alternation([job.job for job in registry.infrastructure])


def _selected(job_matcher: str) -> str:
    return f'{{{job_matcher}, instance=~"{INSTANCE_VAR}"}}'


def _service_selector() -> str:
    return _selected(f'job=~"{SERVICE_VAR}"')


# --- variables -------------------------------------------------------------------------------


def service_variable_query(registry: Registry) -> str:
    return f'label_values(up{{job=~"{service_jobs_regex(registry)}"}}, job)'


def instance_variable_query() -> str:
    """At most VARIABLE_VALUES instances of the selected types whose name contains the
    `search` text, down ones first: the drop-down stays usable at 10,000 instances."""
    return (
        f'query_result(bottomk({VARIABLE_VALUES}, up{{job=~"{SERVICE_VAR}", '
        f'instance=~".*{SEARCH_VAR}.*"}}))'
    )


INSTANCE_VARIABLE_REGEX = '/instance="([^"]+)"/'


def _top(expr: str) -> str:
    return f"topk({TOP}, {expr})"


def _bottom(expr: str) -> str:
    return f"bottomk({TOP}, {expr})"


# --- health ----------------------------------------------------------------------------------

MISSING = -1  # what the infrastructure panel shows for a job Prometheus does not scrape at all


def infrastructure_up(registry: Registry) -> Query:
    """Each infrastructure job's `up`, and -1 for a job with no target at all: a job that is
    not scraped shows as MISSING instead of vanishing. Grows with infrastructure jobs only."""
    jobs = infrastructure_jobs_regex(registry)
    missing = " or ".join(
        f'label_replace(vector({MISSING}), "job", "{job.job}", "", "")'
        for job in registry.infrastructure
    )
    return Query(f'max by (job) (up{{job=~"{jobs}"}}) or {missing}', "{{job}}", instant=True)


def instances_up() -> Query:
    """Down first: the TOP lowest `up` of the selection (all of it on a small stack)."""
    return Query(_bottom(f"up{_service_selector()}"), "{{instance}}")


def instances_table() -> Query:
    """Down first, at most TABLE_ROWS: `bottomk` picks the down ones, `sort` orders 0 before 1,
    both on the server."""
    return Query(
        f"sort(bottomk({TABLE_ROWS}, up{_service_selector()}))", "", instant=True, table=True
    )


def registry_reference() -> Query:
    """The registry reference rides on each target's labels (schema_name, redis_namespace, …):
    one table query of at most TABLE_ROWS rows (narrow it with the `instance` variable)."""
    return Query(f"topk({TABLE_ROWS}, up{_service_selector()})", "", instant=True, table=True)


def instances_registered() -> Query:
    return Query(f"count(up{_service_selector()}) or vector(0)", "Registered", instant=True)


def instances_reporting() -> Query:
    return Query(f"count(up{_service_selector()} == 1) or vector(0)", "Up", instant=True)


def instances_down() -> Query:
    return Query(f"count(up{_service_selector()} == 0) or vector(0)", "Down", instant=True)


def firing_alerts() -> Query:
    """Alerts of the generated rules (`deploy/prometheus/rules`), firing for selected instances."""
    return Query(
        f'topk({TABLE_ROWS}, ALERTS{{alertstate="firing", job=~"{SERVICE_VAR}", '
        f'instance=~"{INSTANCE_VAR}"}})',
        "",
        instant=True,
        table=True,
    )


# --- resources (cAdvisor) --------------------------------------------------------------------


def _containers(registry: Registry) -> str:
    prefix = registry.defaults.container_prefix
    return f'{{job="{CADVISOR_JOB}", name=~"{prefix}{INSTANCE_VAR}"}}'


def container_memory(registry: Registry) -> Query:
    """The working set: what the kernel's OOM killer and `docker stats` count."""
    return Query(
        _top(f"sum by (name) (container_memory_working_set_bytes{_containers(registry)})"),
        "{{name}}",
    )


def container_cpu(registry: Registry, recorded: bool = False) -> Query:
    if recorded:
        return Query(_top(f"{rec.CONTAINER_CPU}{_containers(registry)}"), "{{name}}")
    cpu = f"rate(container_cpu_usage_seconds_total{_containers(registry)}[{RATE}])"
    return Query(_top(f"sum by (name) ({cpu})"), "{{name}}")


# --- a service type's standard exposition (RED, process) -------------------------------------


def _type_selector(service: str) -> str:
    """One type's instances, still honouring the `service` and `instance` variables."""
    return f'{{job="{service}", job=~"{SERVICE_VAR}", instance=~"{INSTANCE_VAR}"}}'


def _whole_type(service: str) -> str:
    """All of one type's instances, for the recorded per-job series (no instance label)."""
    return f'{{job="{service}", job=~"{SERVICE_VAR}"}}'


def _rate(metric: str, selector: str) -> str:
    return f"rate({metric}{selector}[{RATE}])"


def type_health(service: str) -> Query:
    return Query(_bottom(f"up{_type_selector(service)}"), "{{instance}}")


def request_rate(service: str, recorded: bool = False) -> Query:
    """The TOP busiest instances."""
    if recorded:
        return Query(
            _top(f"sum by (instance) ({rec.REQUESTS}{_type_selector(service)})"), "{{instance}}"
        )
    return Query(
        _top(f"sum by (instance) ({_rate(ex.REQUESTS, _type_selector(service))})"), "{{instance}}"
    )


def type_request_rate(service: str, recorded: bool = False) -> Query:
    """The selected instances of the type together."""
    if recorded:
        return Query(f"sum({rec.REQUESTS}{_type_selector(service)})", ALL_INSTANCES)
    return Query(f"sum({_rate(ex.REQUESTS, _type_selector(service))})", ALL_INSTANCES)


StatusClass = Literal["5xx", "4xx"]
SERVER_ERRORS: StatusClass = "5xx"
CLIENT_ERRORS: StatusClass = "4xx"
_CODES = {SERVER_ERRORS: rec.SERVER_ERROR_CODES, CLIENT_ERRORS: rec.CLIENT_ERROR_CODES}
_RECORDED_ERRORS = {SERVER_ERRORS: rec.SERVER_ERRORS, CLIENT_ERRORS: rec.CLIENT_ERRORS}


def _with_codes(selector: str, status_class: StatusClass) -> str:
    return f"{selector[:-1]}, code=~{_CODES[status_class]}}}"


def _error_ratio(selector: str, by: str, status_class: StatusClass) -> str:
    """Requests answered with a status of the class / all requests, from the one counter that
    holds both (what the recording rules compute). 0, not no data, while there is none: a
    series per code appears only with its first request."""
    requests = f"sum{by} ({_rate(ex.REQUESTS, selector)})"
    errors = f"sum{by} ({_rate(ex.REQUESTS, _with_codes(selector, status_class))})"
    return f"({errors} or 0 * {requests}) / {requests}"


def error_ratio(service: str, recorded: bool = False) -> Query:
    """Server errors (5xx) / requests of the TOP worst instances: what HighErrorRatio alerts
    on. Client errors (4xx: a favicon, a scanner, a bad request) are the callers' doing."""
    legend = f"{{{{instance}}}} {SERVER_ERRORS}"
    if recorded:
        return Query(_top(f"{rec.SERVER_ERROR_RATIO}{_type_selector(service)}"), legend)
    ratio = _error_ratio(_type_selector(service), " by (instance)", SERVER_ERRORS)
    return Query(_top(ratio), legend)


def type_error_ratio(service: str, status_class: StatusClass, recorded: bool = False) -> Query:
    """The selected instances of the type together, for server (5xx) or client (4xx) errors."""
    legend = f"{ALL_INSTANCES} {status_class}"
    if recorded:
        sel = _type_selector(service)
        errors = _RECORDED_ERRORS[status_class]
        return Query(f"sum({errors}{sel}) / sum({rec.REQUESTS}{sel})", legend)
    return Query(_error_ratio(_type_selector(service), "", status_class), legend)


QUANTILES = (0.5, 0.95, 0.99)


def type_latency(service: str, quantile: float, recorded: bool = False) -> Query:
    """A quantile of every request the selected instances answered together (recorded: all
    of the type's instances, the per-job bucket rates)."""
    if recorded:
        buckets = f"sum by (le) ({rec.JOB_BUCKETS}{_whole_type(service)})"
    else:
        buckets = f"sum by (le) ({_rate(ex.DURATION + '_bucket', _type_selector(service))})"
    return Query(
        f"histogram_quantile({quantile}, {buckets})",
        f"{ALL_INSTANCES} p{round(quantile * 100)}",
    )


def slowest(service: str, recorded: bool = False) -> Query:
    """The p95 of the TOP slowest instances."""
    if recorded:
        return Query(_top(f"{rec.P95}{_type_selector(service)}"), "{{instance}} p95")
    buckets = f"sum by (le, instance) ({_rate(ex.DURATION + '_bucket', _type_selector(service))})"
    return Query(_top(f"histogram_quantile(0.95, {buckets})"), "{{instance}} p95")


def uptime(service: str) -> Query:
    """The TOP most recently started processes."""
    return Query(
        _bottom(f"time() - {ex.START_TIME}{_type_selector(service)}"), "{{instance}}", True
    )


def restarts(service: str) -> Query:
    """A restart is a new process start time within the dashboard's range; the TOP most
    restarted instances. Counted as drops of the negated start time (`resets`), not as
    `changes`: VictoriaMetrics' `changes` counts a series that starts inside the range as one
    change, its `resets` does not, so a newly scraped instance shows 0 restarts on both
    engines. The subquery's step is Grafana's `$__interval`; an instance scraped for less than
    one step has no step yet and shows 0 (`or`), not nothing."""
    selector = f"{ex.START_TIME}{_type_selector(service)}"
    counted = f"resets((-{selector})[{RANGE}:{INTERVAL}]) or 0 * {selector}"
    return Query(_top(counted), "{{instance}}", instant=True)


def memory(service: str) -> Query:
    return Query(_top(f"{ex.RESIDENT_MEMORY}{_type_selector(service)}"), "{{instance}}")


def readiness(service: str) -> Query:
    """Not-ready dependencies first."""
    return Query(
        _bottom(f"min by (instance, dependency) ({ex.READINESS}{_type_selector(service)})"),
        "{{instance}} {{dependency}}",
    )


# --- declared domain metrics -----------------------------------------------------------------


def _by(metric: Metric, *first: str) -> str:
    return ", ".join((*first, *metric.by))


def _legend(metric: Metric, *first: str) -> str:
    return " ".join("{{" + label + "}}" for label in (*first, *metric.by))


def metric_rate(service: str, metric: Metric) -> Query:
    """Per-second rate of a counter (or the gauge's value) of the TOP highest instances."""
    selector = f"{metric.name}{_type_selector(service)}"
    inner = f"rate({selector}[{RATE}])" if metric.type == "counter" else selector
    fn = "sum" if metric.type == "counter" else "avg"
    return Query(
        _top(f"{fn} by ({_by(metric, 'instance')}) ({inner})"), _legend(metric, "instance")
    )


def metric_total(service: str, metric: Metric) -> Query:
    """Counter: increase over the dashboard's range; gauge: last value. The TOP highest."""
    selector = f"{metric.name}{_type_selector(service)}"
    if metric.type == "counter":
        return Query(
            _top(f"sum by (instance) (increase({selector}[{RANGE}]))"), "{{instance}}", True
        )
    return Query(_top(f"avg by (instance) ({selector})"), "{{instance}}", instant=True)


# --- communication ---------------------------------------------------------------------------


def inbound_requests(recorded: bool = False) -> Query:
    """What exists on every service: requests it answered, by route and status code."""
    if recorded:
        inner = f"{rec.ROUTES}{_service_selector()}"
    else:
        inner = f"rate({ex.REQUESTS}{_service_selector()}[{RATE}])"
    return Query(
        _top(f"sum by (instance, route, code) ({inner})"), "{{instance}} {{route}} {{code}}"
    )


def outbound_flow(service: str, metric: Metric) -> Query:
    """A declared client-side metric whose `flow_to` label names the callee."""
    selector = f"{metric.name}{_type_selector(service)}"
    return Query(
        _top(f"sum by (instance, {metric.flow_to}) (rate({selector}[{RATE}]))"),
        f"{{{{instance}}}} → {{{{{metric.flow_to}}}}}",
    )

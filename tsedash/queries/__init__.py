"""Every PromQL expression the dashboards issue, built from the registry's metric contract.

Panels never hold PromQL literals: they call these functions. Each returns one expression
whose result has one series per instance, so the number of queries never grows with the
number of instances (the scale rule of docs/dashboards.md).
"""

from __future__ import annotations

from dataclasses import dataclass

from tsedash.registry import Metric, Registry
from tsedash.registry import exposition as ex

RATE = "$__rate_interval"
RANGE = "$__range"
SERVICE_VAR = "$service"
INSTANCE_VAR = "$instance"
CADVISOR_JOB = "cadvisor"


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
    return f'label_values(up{{job=~"{SERVICE_VAR}"}}, instance)'


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
    return Query(f"up{_service_selector()}", "{{instance}}")


def instances_table() -> Query:
    """Down first: `sort` orders by value, 0 (down) before 1 (up), on the server."""
    return Query(f"sort(up{_service_selector()})", "", instant=True, table=True)


def registry_reference() -> Query:
    """The registry reference rides on each target's labels (schema_name, redis_namespace, …):
    one table query, the same dashboard for 7 or 10,000 instances."""
    return Query(f"up{_service_selector()}", "", instant=True, table=True)


def instances_registered() -> Query:
    return Query(f"count(up{_service_selector()}) or vector(0)", "Registered", instant=True)


def instances_reporting() -> Query:
    return Query(f"count(up{_service_selector()} == 1) or vector(0)", "Up", instant=True)


def instances_down() -> Query:
    return Query(f"count(up{_service_selector()} == 0) or vector(0)", "Down", instant=True)


def firing_alerts() -> Query:
    """Alerts of the generated rules (`deploy/prometheus/rules`), firing for selected instances."""
    return Query(
        f'ALERTS{{alertstate="firing", job=~"{SERVICE_VAR}", instance=~"{INSTANCE_VAR}"}}',
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
        f"sum by (name) (container_memory_working_set_bytes{_containers(registry)})", "{{name}}"
    )


def container_cpu(registry: Registry) -> Query:
    return Query(
        f"sum by (name) (rate(container_cpu_usage_seconds_total{_containers(registry)}[{RATE}]))",
        "{{name}}",
    )


# --- a service type's standard exposition (RED, process) -------------------------------------


def _type_selector(service: str) -> str:
    """One type's instances, still honouring the `service` and `instance` variables."""
    return f'{{job="{service}", job=~"{SERVICE_VAR}", instance=~"{INSTANCE_VAR}"}}'


def _rate(metric: str, service: str) -> str:
    return f"rate({metric}{_type_selector(service)}[{RATE}])"


def type_health(service: str) -> Query:
    return Query(f"up{_type_selector(service)}", "{{instance}}")


def request_rate(service: str) -> Query:
    return Query(f"sum by (instance) ({_rate(ex.REQUESTS, service)})", "{{instance}}")


def error_ratio(service: str) -> Query:
    """Errors / requests per instance; 0 (not no data) while an instance has had no error,
    since `http_request_errors_total` appears only with the first status >= 400."""
    requests = f"sum by (instance) ({_rate(ex.REQUESTS, service)})"
    errors = f"sum by (instance) ({_rate(ex.ERRORS, service)})"
    return Query(f"({errors} or 0 * {requests}) / {requests}", "{{instance}}")


QUANTILES = (0.5, 0.95, 0.99)


def latency(service: str, quantile: float) -> Query:
    buckets = f"sum by (le, instance) ({_rate(ex.DURATION + '_bucket', service)})"
    return Query(
        f"histogram_quantile({quantile}, {buckets})",
        f"{{{{instance}}}} p{round(quantile * 100)}",
    )


def uptime(service: str) -> Query:
    return Query(f"time() - {ex.START_TIME}{_type_selector(service)}", "{{instance}}", True)


def restarts(service: str) -> Query:
    """A restart is a new process start time within the dashboard's range."""
    selector = f"{ex.START_TIME}{_type_selector(service)}"
    return Query(f"changes({selector}[{RANGE}])", "{{instance}}", instant=True)


def memory(service: str) -> Query:
    return Query(f"{ex.RESIDENT_MEMORY}{_type_selector(service)}", "{{instance}}")


def readiness(service: str) -> Query:
    return Query(
        f"min by (instance, dependency) ({ex.READINESS}{_type_selector(service)})",
        "{{instance}} {{dependency}}",
    )


# --- declared domain metrics -----------------------------------------------------------------


def _by(metric: Metric, *first: str) -> str:
    return ", ".join((*first, *metric.by))


def _legend(metric: Metric, *first: str) -> str:
    return " ".join("{{" + label + "}}" for label in (*first, *metric.by))


def metric_rate(service: str, metric: Metric) -> Query:
    """Per-second rate of a counter (or the gauge's value), one series per instance."""
    selector = f"{metric.name}{_type_selector(service)}"
    inner = f"rate({selector}[{RATE}])" if metric.type == "counter" else selector
    fn = "sum" if metric.type == "counter" else "avg"
    return Query(f"{fn} by ({_by(metric, 'instance')}) ({inner})", _legend(metric, "instance"))


def metric_total(service: str, metric: Metric) -> Query:
    """Counter: increase over the dashboard's range; gauge: last value. One series per instance."""
    selector = f"{metric.name}{_type_selector(service)}"
    if metric.type == "counter":
        return Query(f"sum by (instance) (increase({selector}[{RANGE}]))", "{{instance}}", True)
    return Query(f"avg by (instance) ({selector})", "{{instance}}", instant=True)


# --- communication ---------------------------------------------------------------------------


def inbound_requests() -> Query:
    """What exists on every service: requests it answered, by route and status code."""
    selector = f"{ex.REQUESTS}{_service_selector()}"
    return Query(
        f"sum by (instance, route, code) (rate({selector}[{RATE}]))",
        "{{instance}} {{route}} {{code}}",
    )


def outbound_flow(service: str, metric: Metric) -> Query:
    """A declared client-side metric whose `flow_to` label names the callee."""
    selector = f"{metric.name}{_type_selector(service)}"
    return Query(
        f"sum by (instance, {metric.flow_to}) (rate({selector}[{RATE}]))",
        f"{{{{instance}}}} → {{{{{metric.flow_to}}}}}",
    )

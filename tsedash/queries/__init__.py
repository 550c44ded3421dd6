"""Every PromQL expression the dashboards issue, built from the registry's metric contract.

Panels never hold PromQL literals: they call these functions. Each returns one expression
whose result has one series per instance, so the number of queries never grows with the
number of instances (the scale rule of docs/dashboards.md).
"""

from __future__ import annotations

from dataclasses import dataclass

from tsedash.registry import Metric, Registry

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


def _job_selector(job: str) -> str:
    return _selected(f'job="{job}"')


# --- variables -------------------------------------------------------------------------------


def service_variable_query(registry: Registry) -> str:
    return f'label_values(up{{job=~"{service_jobs_regex(registry)}"}}, job)'


def instance_variable_query() -> str:
    return f'label_values(up{{job=~"{SERVICE_VAR}"}}, instance)'


# --- health ----------------------------------------------------------------------------------


def infrastructure_up(registry: Registry) -> Query:
    return Query(f'up{{job=~"{infrastructure_jobs_regex(registry)}"}}', "{{job}}", instant=True)


def instances_up() -> Query:
    return Query(f"up{_service_selector()}", "{{instance}}", instant=True)


def instances_table() -> Query:
    return Query(f"up{_service_selector()}", "", instant=True, table=True)


def instances_registered() -> Query:
    return Query(f"count(up{_service_selector()}) or vector(0)", "Registered", instant=True)


def instances_down() -> Query:
    return Query(f"count(up{_service_selector()} == 0) or vector(0)", "Down", instant=True)


def service_up(service: str) -> Query:
    return Query(f"up{_job_selector(service)}", "{{instance}}", instant=True)


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
    return Query(f"sum by (name) (container_memory_usage_bytes{_containers(registry)})", "{{name}}")


def container_cpu(registry: Registry) -> Query:
    return Query(
        f"sum by (name) (rate(container_cpu_usage_seconds_total{_containers(registry)}[{RATE}]))",
        "{{name}}",
    )


# --- entity metrics --------------------------------------------------------------------------


def _by(metric: Metric, *first: str) -> str:
    return ", ".join((*first, *metric.by))


def _legend(metric: Metric, *first: str) -> str:
    return " ".join("{{" + label + "}}" for label in (*first, *metric.by))


def metric_rate(service: str, metric: Metric) -> Query:
    """Per-second rate of a counter (or the gauge's value), one series per instance."""
    selector = f"{metric.name}{_job_selector(service)}"
    inner = f"rate({selector}[{RATE}])" if metric.type == "counter" else selector
    fn = "sum" if metric.type == "counter" else "avg"
    return Query(f"{fn} by ({_by(metric, 'instance')}) ({inner})", _legend(metric, "instance"))


def metric_total(service: str, metric: Metric) -> Query:
    """Counter: increase over the dashboard's range; gauge: last value. One series per instance."""
    selector = f"{metric.name}{_job_selector(service)}"
    if metric.type == "counter":
        return Query(f"sum by (instance) (increase({selector}[{RANGE}]))", "{{instance}}", True)
    return Query(f"avg by (instance) ({selector})", "{{instance}}", instant=True)


def singleton_total(service: str, metric: Metric) -> Query:
    """A singleton's metric as one number (its only instance), legend = the metric's title."""
    selector = f'{metric.name}{{job="{service}"}}'
    if metric.type == "counter":
        return Query(f"sum(increase({selector}[{RANGE}]))", metric.title, instant=True)
    return Query(f"sum({selector})", metric.title, instant=True)


def singleton_up(service: str) -> Query:
    return Query(f'max(up{{job="{service}"}})', "Health", instant=True)


# --- communication flow ----------------------------------------------------------------------


def communication_flow() -> Query:
    selector = f"http_requests_total{_service_selector()}"
    return Query(
        f"sum by (instance, target_service) (rate({selector}[{RATE}]))",
        "{{instance}} → {{target_service}}",
    )

"""Alert rules from the metric contract (`deploy/prometheus/rules/tsedash-alerts.yml`).

Per service type, on what every service really exposes:
- InstanceDown: `up == 0` for 1 m (one series per instance).
- HighErrorRatio / HighLatency: the RED metrics against the type's thresholds (registry
  `alerts:`, defaults 5 % and a p95 of 1 s), for 5 m. The error ratio counts server errors
  (5xx) only: every service's errors counter counts a 404 too, and favicon requests and
  scanners would page someone for what callers do.
- HighClientErrorRatio: client errors (4xx), only for a type (or registry) that sets
  `alerts: {client_error_ratio: …}`.
- CounterStalled: only for exposed domain counters whose registry entry asks for it
  (`stall_alert: true`): a counter that is flat by nature (alerts raised) is healthy.
Across types (constant size, whatever the number of instances):
- InstanceMissing: an instance the registry expects but Prometheus does not scrape at all, one
  alert per instance from one rule: the expected instances Prometheus scrapes from the
  generated exposition (tsedash.prometheus.expected) `unless` a matching `up`.
- ExpectedInstancesUnknown: that exposition is not scraped, so InstanceMissing cannot fire.
Per infrastructure job: InfrastructureDown (`up == 0`) and InfrastructureMissing (`absent`).
The RED alerts read the recording rules (`rules/tsedash-recording.yml`, always written beside
this file): one rate over every raw series per evaluation, not one per alert.

Every alert carries `severity`, `service`, `job` and (for instances) `instance`, an absolute
link to the DevOps view filtered to it (`links.grafana_url`) and a `runbook_url` into
docs/runbooks.md (`links.runbooks_url`).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from tsedash.prometheus import expected
from tsedash.registry import Registry, ServiceType
from tsedash.registry import recorded as rec

RULES_FILE = "rules/tsedash-alerts.yml"
RECORDING_FILE = "rules/tsedash-recording.yml"
DASHBOARD_PATH = "/d/tse-devops-docker"
INSTANCE = "{{ $labels.instance }}"
WINDOW = "5m"


class _Annotator:
    def __init__(self, registry: Registry) -> None:
        self.grafana = registry.links.grafana_url.rstrip("/")
        self.runbooks = registry.links.runbooks_url

    def __call__(
        self, alert: str, summary: str, description: str, service: str = "", instance: str = ""
    ) -> dict[str, str]:
        link = f"{self.grafana}{DASHBOARD_PATH}"
        if service:
            # A template (`{{ $labels.job }}`) is expanded by Prometheus: quote only names.
            name = service if service.startswith("{{") else quote(service)
            link += f"?var-service={name}&var-instance={instance}"
        return {
            "summary": summary,
            "description": description,
            "dashboard": link,
            "runbook_url": f"{self.runbooks}#{alert.lower()}",
        }


def _percent(ratio: float) -> str:
    return f"{ratio * 100:g}%"


def _client_error_rule(service: str, threshold: float, note: _Annotator) -> dict[str, Any]:
    """Only where the registry asks (`alerts: {client_error_ratio: …}`): 4xx are mostly the
    callers' doing (a favicon, a scanner), yet a flood of them can mean a broken client."""
    return {
        "alert": "HighClientErrorRatio",
        "expr": f'{rec.CLIENT_ERROR_RATIO}{{job="{service}"}} > {threshold:g}',
        "for": WINDOW,
        "labels": {"severity": "warning", "service": service},
        "annotations": note(
            "HighClientErrorRatio",
            f"{service} instance {INSTANCE} answers "
            "{{ $value | humanizePercentage }} of requests with a client error (4xx)",
            f"More than {_percent(threshold)} of requests got a 4xx status (over {rec.WINDOW}) "
            f"for {WINDOW}.",
            service,
            INSTANCE,
        ),
    }


def _type_rules(registry: Registry, svc: ServiceType, note: _Annotator) -> list[dict[str, Any]]:
    service = svc.name
    sel = f'{{job="{service}"}}'
    by = "sum by (job, instance)"
    threshold = svc.alerts
    rules: list[dict[str, Any]] = [
        {
            "alert": "InstanceDown",
            "expr": f"up{sel} == 0",
            "for": "1m",
            "labels": {"severity": "critical", "service": service},
            "annotations": note(
                "InstanceDown",
                f"{service} instance {INSTANCE} is down",
                f"Prometheus cannot scrape {registry.metrics_path(svc)} for 1 minute.",
                service,
                INSTANCE,
            ),
        },
        {
            "alert": "HighErrorRatio",
            "expr": f"{rec.SERVER_ERROR_RATIO}{sel} > {threshold.error_ratio:g}",
            "for": WINDOW,
            "labels": {"severity": "warning", "service": service},
            "annotations": note(
                "HighErrorRatio",
                f"{service} instance {INSTANCE} answers "
                "{{ $value | humanizePercentage }} of requests with a server error (5xx)",
                f"More than {_percent(threshold.error_ratio)} of requests got a 5xx status "
                f"(over {rec.WINDOW}) for {WINDOW}; client errors (4xx) do not count.",
                service,
                INSTANCE,
            ),
        },
        {
            "alert": "HighLatency",
            "expr": f"{rec.P95}{sel} > {threshold.latency_p95_seconds:g}",
            "for": WINDOW,
            "labels": {"severity": "warning", "service": service},
            "annotations": note(
                "HighLatency",
                f"{service} instance {INSTANCE} p95 latency is {{{{ $value | humanizeDuration }}}}",
                f"The 95th percentile of request durations (over {rec.WINDOW}) exceeded "
                f"{threshold.latency_p95_seconds:g}s for {WINDOW}.",
                service,
                INSTANCE,
            ),
        },
    ]
    if threshold.client_error_ratio is not None:
        rules.append(_client_error_rule(service, threshold.client_error_ratio, note))
    for metric in svc.metrics:
        if not metric.stall_alert:
            continue
        rules.append(
            {
                "alert": "CounterStalled",
                "expr": (
                    f"{by} (increase({metric.name}{sel}[{WINDOW}])) == 0"
                    f" and on (job, instance) up{sel} == 1"
                ),
                "for": "1m",
                "labels": {"severity": "warning", "service": service, "metric": metric.name},
                "annotations": note(
                    "CounterStalled",
                    f"{metric.title} of {INSTANCE} stopped increasing",
                    f"`{metric.name}` did not increase for 5 minutes while the instance is up.",
                    service,
                    INSTANCE,
                ),
            }
        )
    return rules


def _missing_rules(note: _Annotator) -> list[dict[str, Any]]:
    job = "{{ $labels.job }}"
    return [
        {
            "alert": "InstanceMissing",
            "expr": f"{expected.METRIC} unless on (job, instance) up",
            "for": "5m",
            "labels": {"severity": "warning", "service": job},
            "annotations": note(
                "InstanceMissing",
                f"{INSTANCE} ({job}) is in the registry but not scraped",
                "No target with this job and instance label: check the scrape config "
                "(`tsedash prometheus`) and the container.",
                job,
                INSTANCE,
            ),
        },
        {
            "alert": "ExpectedInstancesUnknown",
            "expr": f'absent(up{{job="{expected.JOB}"}} == 1)',
            "for": "5m",
            "labels": {"severity": "warning", "service": expected.JOB, "job": expected.JOB},
            "annotations": note(
                "ExpectedInstancesUnknown",
                "Prometheus cannot read the list of expected instances",
                f"The `{expected.JOB}` job is down or missing, so InstanceMissing cannot fire: "
                "check the tsedash-expected service of the compose overlay.",
            ),
        },
    ]


def _infrastructure_rules(registry: Registry, note: _Annotator) -> list[dict[str, Any]]:
    rules: list[dict[str, Any]] = []
    for job in registry.infrastructure:
        labels = {"severity": "critical", "service": job.job, "job": job.job}
        rules.append(
            {
                "alert": "InfrastructureDown",
                "expr": f'up{{job="{job.job}"}} == 0',
                "for": "2m",
                "labels": {"severity": "critical", "service": job.job},
                "annotations": note(
                    "InfrastructureDown",
                    f"{job.job} ({job.address}) is down",
                    "Prometheus cannot scrape the job for 2 minutes: check the container and "
                    "its exporter.",
                ),
            }
        )
        rules.append(
            {
                "alert": "InfrastructureMissing",
                "expr": f'absent(up{{job="{job.job}"}})',
                "for": "5m",
                "labels": labels,
                "annotations": note(
                    "InfrastructureMissing",
                    f"{job.job} is not scraped at all",
                    "Prometheus has no target for this job: check its scrape config.",
                ),
            }
        )
    return rules


def instance_alert_rules(registry: Registry) -> dict[str, Any]:
    """The alerts one instance's own series decide (InstanceDown, the RED alerts,
    CounterStalled): evaluated where the instance is scraped, on every shard of a sharded
    stack (tsedash.prometheus.shards)."""
    note = _Annotator(registry)
    return {
        "groups": [
            {"name": f"tsedash-{service}", "rules": _type_rules(registry, svc, note)}
            for service, svc in registry.services.items()
        ]
    }


def global_alert_rules(registry: Registry) -> dict[str, Any]:
    """The alerts that need the whole picture (InstanceMissing, ExpectedInstancesUnknown,
    Infrastructure*): a shard that does not scrape an instance or a job would fire them
    falsely, so a sharded stack evaluates them once, over the global store (vmalert)."""
    note = _Annotator(registry)
    groups: list[dict[str, Any]] = [{"name": "tsedash-missing", "rules": _missing_rules(note)}]
    if registry.infrastructure:
        groups.append(
            {"name": "tsedash-infrastructure", "rules": _infrastructure_rules(registry, note)}
        )
    return {"groups": groups}


def alert_rules(registry: Registry) -> dict[str, Any]:
    """Every alert, for one Prometheus that scrapes everything."""
    groups = instance_alert_rules(registry)["groups"] + global_alert_rules(registry)["groups"]
    return {"groups": groups}


def recording_group(registry: Registry, rules: list[dict[str, Any]]) -> dict[str, Any]:
    """The one recording group, on its own interval when the registry sets one
    (`scaling: {recording_interval: 30s}`: half the cost per minute at 15 s scrapes)."""
    group: dict[str, Any] = {"name": rec.GROUP, "rules": rules}
    if registry.scaling.recording_interval:
        group["interval"] = registry.scaling.recording_interval
    return group


def recording_file(registry: Registry) -> dict[str, Any]:
    return {"groups": [recording_group(registry, rec.recording_rules(registry))]}

"""Alert rules per service type (`deploy/prometheus/rules/tsedash-alerts.yml`).

- InstanceDown: `up == 0` for 1 m, one rule per service type (one series per instance).
- InstanceMissing: an instance the registry expects but Prometheus does not scrape at all;
  `absent()` cannot name instances in one expression, so one rule per expected instance, in a
  group of its own evaluated every minute (`benchmarks/rules.py` measured ~0.11 ms per rule
  per evaluation on Prometheus 2.42: 1.1 s for 10,000 — fine once a minute, not every 15 s).
- CounterStalled: a declared counter that did not increase for 5 m on a live instance.

Every alert carries `severity`, `service`, `job`, `instance` and a link to the DevOps view
filtered to that instance.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from tsedash.registry import Registry

RULES_FILE = "rules/tsedash-alerts.yml"
DASHBOARD_PATH = "/d/tse-devops-docker"


def _link(service: str, instance: str) -> str:
    return f"{DASHBOARD_PATH}?var-service={quote(service)}&var-instance={instance}"


def alert_rules(registry: Registry) -> dict[str, Any]:
    groups: list[dict[str, Any]] = []
    for service, svc in registry.services.items():
        missing: list[dict[str, Any]] = []
        rules: list[dict[str, Any]] = [
            {
                "alert": "InstanceDown",
                "expr": f'up{{job="{service}"}} == 0',
                "for": "1m",
                "labels": {"severity": "critical", "service": service},
                "annotations": {
                    "summary": f"{service} instance {{{{ $labels.instance }}}} is down",
                    "description": "Prometheus cannot scrape its /metrics for 1 minute.",
                    "dashboard": _link(service, "{{ $labels.instance }}"),
                },
            }
        ]
        for inst in registry.instances_of(service):
            missing.append(
                {
                    "alert": "InstanceMissing",
                    "expr": f'absent(up{{job="{service}", instance="{inst.instance_name}"}})',
                    "for": "5m",
                    "labels": {
                        "severity": "warning",
                        "service": service,
                        "job": service,
                        "instance": inst.instance_name,
                    },
                    "annotations": {
                        "summary": f"{inst.instance_name} is in the registry but not scraped",
                        "description": "No target with this instance label: check the scrape "
                        "config (`tsedash prometheus`) and the container.",
                        "dashboard": _link(service, inst.instance_name),
                    },
                }
            )
        for metric in svc.metrics:
            if metric.type != "counter":
                continue
            rules.append(
                {
                    "alert": "CounterStalled",
                    "expr": (
                        "sum by (job, instance) "
                        f'(increase({metric.name}{{job="{service}"}}[5m])) == 0'
                        f' and on (job, instance) up{{job="{service}"}} == 1'
                    ),
                    "for": "1m",
                    "labels": {"severity": "warning", "service": service, "metric": metric.name},
                    "annotations": {
                        "summary": (
                            f"{metric.title} of {{{{ $labels.instance }}}} stopped increasing"
                        ),
                        "description": f"`{metric.name}` did not increase for 5 minutes while the "
                        "instance is up.",
                        "dashboard": _link(service, "{{ $labels.instance }}"),
                    },
                }
            )
        groups.append({"name": f"tsedash-{service}", "rules": rules})
        if missing:
            groups.append(
                {"name": f"tsedash-{service}-missing", "interval": "1m", "rules": missing}
            )
    return {"groups": groups}

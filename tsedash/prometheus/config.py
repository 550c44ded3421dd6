"""`prometheus.yml` plus file_sd `targets/*.json`: one job per service type and infrastructure job.

Relabeling sets `job` = SERVICE_NAME (the job name) and `instance` = SERVICE_INSTANCE_NAME (from
the target's `__service_instance` label, dropped after relabeling as every `__` label is), which
is exactly what the dashboards' queries match on; each service type has its own metrics path
(trading-system-engine serves `/api/v1/metrics`). Beside them: the recording rules, the alert
rules, and the expected-instances exposition with its scrape job (tsedash.prometheus.expected).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from tsedash.encode import dump_yaml
from tsedash.files import WriteReport, write_tree
from tsedash.prometheus import expected
from tsedash.prometheus.rules import RECORDING_FILE, RULES_FILE, alert_rules, recording_file
from tsedash.registry import Instance, Registry

DEFAULT_OUT = "deploy/prometheus"
SERVICE_INSTANCE_LABEL = "__service_instance"
_DURATION = re.compile(r"^[0-9]+(ms|s|m|h)\Z")


def _targets_file(job: str) -> str:
    return f"targets/{job}.json"


def scrape_config(
    registry: Registry, scrape_interval: str = "15s", expected_address: str = expected.ADDRESS
) -> dict[str, Any]:
    if not _DURATION.match(scrape_interval):
        raise ValueError(f"scrape interval {scrape_interval!r} is not a duration like 15s")
    jobs: list[dict[str, Any]] = []
    for service, svc in registry.services.items():
        jobs.append(
            {
                "job_name": service,
                "metrics_path": svc.metrics_path or registry.defaults.metrics_path,
                "file_sd_configs": [{"files": [_targets_file(service)], "refresh_interval": "30s"}],
                "relabel_configs": [
                    {"source_labels": [SERVICE_INSTANCE_LABEL], "target_label": "instance"}
                ],
            }
        )
    for infra in registry.infrastructure:
        jobs.append(
            {
                "job_name": infra.job,
                "metrics_path": "/metrics",
                "file_sd_configs": [
                    {"files": [_targets_file(infra.job)], "refresh_interval": "30s"}
                ],
            }
        )
    jobs.append(expected.scrape_job(expected_address))
    return {
        "rule_files": [RECORDING_FILE, RULES_FILE],
        "global": {
            "scrape_interval": scrape_interval,
            "evaluation_interval": scrape_interval,
            "scrape_timeout": scrape_interval if _seconds(scrape_interval) < 10 else "10s",
        },
        "scrape_configs": jobs,
    }


def _seconds(duration: str) -> float:
    value, unit = re.match(r"^([0-9]+)(ms|s|m|h)$", duration).groups()  # type: ignore[union-attr]
    return int(value) * {"ms": 0.001, "s": 1, "m": 60, "h": 3600}[unit]


def target_labels(inst: Instance) -> dict[str, str]:
    """The labels of one instance's target: its identity as the orchestrator's own scrape
    config labels it (`instance_name`, `service_type`, `entity_type`) and the registry
    reference the DevOps view shows as a table of `up` (schema, namespace, key, volumes)."""
    return {
        SERVICE_INSTANCE_LABEL: inst.instance_name,
        "instance_name": inst.instance_name,
        "service_type": "singleton" if inst.singleton else "multi-instance",
        "entity_type": inst.category,
        "schema_name": inst.schema_name,
        "redis_namespace": inst.redis_namespace,
        "discovery_key": inst.discovery_key,
        "container_name": inst.container_name,
        "data_volume": f"{inst.volumes['data'].host}:{inst.volumes['data'].container}",
        "logs_volume": f"{inst.volumes['logs'].host}:{inst.volumes['logs'].container}",
    }


def file_sd_targets(registry: Registry) -> dict[str, list[dict[str, Any]]]:
    """Job → file_sd entries; one entry per instance so each carries its own labels."""
    out: dict[str, list[dict[str, Any]]] = {service: [] for service in registry.services}
    for inst in registry.instances:
        out[inst.service_name].append({"targets": [inst.address], "labels": target_labels(inst)})
    for infra in registry.infrastructure:
        out[infra.job] = [
            {"targets": [infra.address], "labels": {"service_type": "infrastructure"}}
        ]
    return out


def render_prometheus(
    registry: Registry, scrape_interval: str = "15s", expected_address: str = expected.ADDRESS
) -> dict[str, bytes]:
    config = scrape_config(registry, scrape_interval, expected_address)
    files = {
        "prometheus.yml": dump_yaml(config, "tsedash prometheus"),
        RECORDING_FILE: dump_yaml(recording_file(registry), "tsedash prometheus"),
        RULES_FILE: dump_yaml(alert_rules(registry), "tsedash prometheus"),
        expected.FILE: expected.exposition(registry),
    }
    for job, entries in file_sd_targets(registry).items():
        files[_targets_file(job)] = (json.dumps(entries, indent=2, sort_keys=True) + "\n").encode()
    return files


def write_prometheus(
    registry: Registry,
    out: str | Path = DEFAULT_OUT,
    scrape_interval: str = "15s",
    expected_address: str = expected.ADDRESS,
) -> WriteReport:
    files = render_prometheus(registry, scrape_interval, expected_address)
    return write_tree(Path(out), files, "prometheus")

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

from tsedash.encode import dump_yaml, dump_yaml_in_order
from tsedash.files import WriteReport, write_tree
from tsedash.prometheus import expected
from tsedash.prometheus.merge import MergeReport, PrometheusMerge
from tsedash.prometheus.rules import RECORDING_FILE, RULES_FILE, alert_rules, recording_file
from tsedash.registry import Instance, Registry

DEFAULT_OUT = "deploy/prometheus"
SERVICE_INSTANCE_LABEL = "__service_instance"
COMMAND = "tsedash prometheus"  # named in every file's header
_DURATION = re.compile(r"^[0-9]+(ms|s|m|h)\Z")
FILE_SD_REFRESH = "30s"


def _targets_file(job: str) -> str:
    return f"targets/{job}.json"


def scrape_config(
    registry: Registry,
    scrape_interval: str = "15s",
    expected_address: str = expected.ADDRESS,
    refresh_interval: str = FILE_SD_REFRESH,
) -> dict[str, Any]:
    """`refresh_interval`: how often file_sd re-reads the targets files besides its file
    watches (a local stack in a test uses 1s; the deployed config keeps 30s)."""
    for value, what in ((scrape_interval, "scrape"), (refresh_interval, "refresh")):
        if not _DURATION.match(value):
            raise ValueError(f"{what} interval {value!r} is not a duration like 15s")
    jobs: list[dict[str, Any]] = []
    for service, svc in registry.services.items():
        jobs.append(
            {
                "job_name": service,
                "metrics_path": svc.metrics_path or registry.defaults.metrics_path,
                "file_sd_configs": [
                    {"files": [_targets_file(service)], "refresh_interval": refresh_interval}
                ],
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
                    {"files": [_targets_file(infra.job)], "refresh_interval": refresh_interval}
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
    registry: Registry,
    scrape_interval: str = "15s",
    expected_address: str = expected.ADDRESS,
    merge: PrometheusMerge | None = None,
) -> dict[str, bytes]:
    """Every file of the directory. With `merge`, prometheus.yml is its base with our jobs and
    rule files merged in (tsedash.prometheus.merge; the base's global section is kept, so
    `scrape_interval` is not used), and only the targets files its jobs read are written."""
    config = scrape_config(registry, scrape_interval, expected_address)
    targets = file_sd_targets(registry)
    if merge is None:
        main = dump_yaml(config, COMMAND)
    else:
        config, _ = merge.apply(registry, config)
        main = dump_yaml_in_order(config, merge.header(COMMAND))
        read = _file_sd_files(config)
        targets = {job: entries for job, entries in targets.items() if _targets_file(job) in read}
    files = {
        "prometheus.yml": main,
        RECORDING_FILE: dump_yaml(recording_file(registry), COMMAND),
        RULES_FILE: dump_yaml(alert_rules(registry), COMMAND),
        expected.FILE: expected.exposition(registry),
    }
    for job, entries in targets.items():
        files[_targets_file(job)] = (json.dumps(entries, indent=2, sort_keys=True) + "\n").encode()
    return files


def _file_sd_files(config: dict[str, Any]) -> set[str]:
    """Every file_sd file a config's jobs read: the targets files worth writing."""
    return {
        file
        for job in config.get("scrape_configs") or []
        for sd in job.get("file_sd_configs") or []
        if isinstance(sd, dict)
        for file in sd.get("files") or []
    }


def merge_report(registry: Registry, merge: PrometheusMerge) -> MergeReport:
    """What merging into the base keeps, replaces and adds; BaseConfigError (or InputError for
    an unknown --replace-job) before anything is written."""
    return merge.apply(registry, scrape_config(registry))[1]


def write_prometheus(
    registry: Registry,
    out: str | Path = DEFAULT_OUT,
    scrape_interval: str = "15s",
    expected_address: str = expected.ADDRESS,
    merge: PrometheusMerge | None = None,
) -> WriteReport:
    files = render_prometheus(registry, scrape_interval, expected_address, merge)
    return write_tree(Path(out), files, "prometheus")

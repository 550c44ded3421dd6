"""A sharded stack: N Prometheus shards that `remote_write` into one global store
(VictoriaMetrics), the whole-picture alerts on vmalert over that store, and Alertmanager.

Every shard reads the same targets files and keeps its part of every service job with the
`hashmod`/`keep` pair on the target's address, so one instance is scraped by exactly one shard
(`shard_of` is the same hash, for checks and docs). The infrastructure jobs and the
expected-instances job are scraped by shard 0 only.

Each rule runs in exactly one tier:
- shards: the recording rules and the per-instance alerts (InstanceDown, the RED alerts,
  CounterStalled), over the instances the shard scrapes. Recorded series keep their `job` and
  `instance` labels, so two shards never write the same series, except the per-job buckets
  (`sum by (job, le)`), which every shard computes over its own half: that one rule carries a
  `shard` label, and every query that reads it sums by `le` (tsedash.queries), so it sums the
  shards away and the dashboards stay the same.
- global (vmalert): InstanceMissing, ExpectedInstancesUnknown and Infrastructure*, which a
  shard that does not scrape an instance or a job would fire falsely. No recording rule runs
  there: recording twice doubles the recorded rates.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from tsedash.encode import dump_yaml
from tsedash.errors import InputError
from tsedash.files import WriteReport, write_tree
from tsedash.prometheus import expected
from tsedash.prometheus.config import (
    COMMAND,
    FILE_SD_REFRESH,
    file_sd_targets,
    scrape_config,
)
from tsedash.prometheus.rules import global_alert_rules, instance_alert_rules, recording_group
from tsedash.registry import Registry
from tsedash.registry import recorded as rec

SHARD_LABEL = "shard"
HASH_LABEL = "__tmp_tsedash_shard"
SHARD_ALERTS_FILE = "rules/tsedash-shard-alerts.yml"
GLOBAL_ALERTS_FILE = "rules/tsedash-global-alerts.yml"  # read by vmalert
ALERTMANAGER_FILE = "alertmanager.yml"
WRITE_PATH = "/api/v1/write"  # VictoriaMetrics' (and Prometheus') remote-write endpoint
MAX_SHARDS = 64


def shard_config_file(shard: int) -> str:
    return f"shard-{shard}.yml"


def shard_recording_file(shard: int) -> str:
    return f"rules/tsedash-recording-shard-{shard}.yml"


def shard_of(address: str, shards: int) -> int:
    """The shard that keeps a target: Prometheus' `hashmod` (the last 8 bytes of the MD5 of
    the source label, big-endian, modulo `shards`) on its address."""
    digest = hashlib.md5(address.encode(), usedforsecurity=False).digest()
    return int.from_bytes(digest[8:], "big") % shards


def scaling_of(
    registry: Registry, shards: int | None = None, global_url: str | None = None
) -> tuple[int, str]:
    """The shard count and global store URL: the command line's over the registry's
    `scaling:`; InputError when shards are asked for without a store to write to."""
    count = registry.scaling.shards if shards is None else shards
    url = global_url or registry.scaling.global_url
    if count > 1 and not url:
        raise InputError(
            f"{registry.path}: {count} shards need the global store's URL "
            "(scaling: {global_url: …} or --global-url)"
        )
    return count, url


def _check(shards: int, global_url: str) -> None:
    if not 1 <= shards <= MAX_SHARDS:
        raise ValueError(f"shards must be between 1 and {MAX_SHARDS}, not {shards}")
    if not global_url.startswith(("http://", "https://")):
        raise ValueError(f"global store URL {global_url!r} is not an http(s) URL")


def _hashmod(shards: int, shard: int) -> list[dict[str, Any]]:
    return [
        {
            "source_labels": ["__address__"],
            "modulus": shards,
            "target_label": HASH_LABEL,
            "action": "hashmod",
        },
        {"source_labels": [HASH_LABEL], "regex": str(shard), "action": "keep"},
    ]


def shard_config(
    registry: Registry,
    shards: int,
    shard: int,
    global_url: str,
    *,
    scrape_interval: str = "15s",
    expected_address: str = expected.ADDRESS,
    alertmanager: str = "",
    refresh_interval: str = FILE_SD_REFRESH,
) -> dict[str, Any]:
    """One shard's prometheus.yml: the single server's config with its part of every service
    job, the infrastructure and expected jobs only on shard 0, its own rule files, remote_write
    to the global store and (given `alertmanager`, host:port) its per-instance alerts sent."""
    _check(shards, global_url)
    if not 0 <= shard < shards:
        raise ValueError(f"shard {shard} is not one of 0..{shards - 1}")
    config = scrape_config(registry, scrape_interval, expected_address, refresh_interval)
    jobs = []
    for job in config["scrape_configs"]:
        if job["job_name"] in registry.services:
            job["relabel_configs"] = _hashmod(shards, shard) + job["relabel_configs"]
        elif shard != 0:
            continue  # infrastructure and the expected instances: shard 0 only
        jobs.append(job)
    config["scrape_configs"] = jobs
    config["rule_files"] = [shard_recording_file(shard), SHARD_ALERTS_FILE]
    config["remote_write"] = [{"url": global_url.rstrip("/") + WRITE_PATH}]
    if alertmanager:
        config["alerting"] = {"alertmanagers": [{"static_configs": [{"targets": [alertmanager]}]}]}
    return config


def shard_configs(
    registry: Registry,
    shards: int,
    global_url: str,
    *,
    scrape_interval: str = "15s",
    expected_address: str = expected.ADDRESS,
    alertmanager: str = "",
    refresh_interval: str = FILE_SD_REFRESH,
) -> list[dict[str, Any]]:
    """Every shard's config, shard 0 first."""
    _check(shards, global_url)
    return [
        shard_config(
            registry,
            shards,
            shard,
            global_url,
            scrape_interval=scrape_interval,
            expected_address=expected_address,
            alertmanager=alertmanager,
            refresh_interval=refresh_interval,
        )
        for shard in range(shards)
    ]


def shard_recording_rules(registry: Registry, shard: int) -> dict[str, Any]:
    """The recording rules, the per-job buckets labelled with the shard that computed them."""
    rules = rec.recording_rules(registry)
    for rule in rules:
        if rule["record"] == rec.JOB_BUCKETS:
            rule["labels"] = {SHARD_LABEL: str(shard)}
    return {"groups": [recording_group(registry, rules)]}


def alertmanager_config() -> dict[str, Any]:
    """One route and one receiver without integrations: where alerts go is the user's own
    configuration (email, chat); grouped per alert and instance so each is one notification."""
    return {
        "route": {
            "receiver": "tsedash",
            "group_by": ["alertname", "job", "instance"],
            "group_wait": "10s",
            "group_interval": "1m",
            "repeat_interval": "4h",
        },
        "receivers": [{"name": "tsedash"}],
    }


def render_sharded(
    registry: Registry,
    shards: int,
    global_url: str,
    *,
    scrape_interval: str = "15s",
    expected_address: str = expected.ADDRESS,
    alertmanager: str = "",
    refresh_interval: str = FILE_SD_REFRESH,
) -> dict[str, bytes]:
    """Every file of a sharded stack, one directory every shard mounts: `shard-<i>.yml`, the
    shards' rule files, vmalert's rule file, `alertmanager.yml`, the targets files (all of
    them, read by every shard) and the expected-instances exposition."""
    configs = shard_configs(
        registry,
        shards,
        global_url,
        scrape_interval=scrape_interval,
        expected_address=expected_address,
        alertmanager=alertmanager,
        refresh_interval=refresh_interval,
    )
    files: dict[str, bytes] = {}
    for shard, config in enumerate(configs):
        files[shard_config_file(shard)] = dump_yaml(config, COMMAND)
        files[shard_recording_file(shard)] = dump_yaml(
            shard_recording_rules(registry, shard), COMMAND
        )
    files[SHARD_ALERTS_FILE] = dump_yaml(instance_alert_rules(registry), COMMAND)
    files[GLOBAL_ALERTS_FILE] = dump_yaml(global_alert_rules(registry), COMMAND)
    files[ALERTMANAGER_FILE] = dump_yaml(alertmanager_config(), COMMAND)
    files[expected.FILE] = expected.exposition(registry)
    for job, entries in file_sd_targets(registry).items():
        text = json.dumps(entries, indent=2, sort_keys=True) + "\n"
        files[f"targets/{job}.json"] = text.encode()
    return files


def write_sharded(
    registry: Registry,
    out: str | Path,
    shards: int,
    global_url: str,
    *,
    scrape_interval: str = "15s",
    expected_address: str = expected.ADDRESS,
    alertmanager: str = "",
) -> WriteReport:
    """`render_sharded`'s files into `out`, all or none: a directory of its own, not the
    single server's (`tsedash prometheus` records what it wrote in each)."""
    files = render_sharded(
        registry,
        shards,
        global_url,
        scrape_interval=scrape_interval,
        expected_address=expected_address,
        alertmanager=alertmanager,
    )
    return write_tree(Path(out), files, "prometheus")


def sharded_prometheus(
    registry: Registry,
    out: str | Path,
    scrape_interval: str | None,
    base_given: bool,
    shards: int | None = None,
    global_url: str | None = None,
    alertmanager: str = "",
) -> tuple[WriteReport, str] | None:
    """`tsedash prometheus` for a sharded registry (or --shards N above 1): the shards' and
    the global tier's files and what they are; None for one Prometheus."""
    count, url = scaling_of(registry, shards, global_url)
    if count <= 1:
        if alertmanager:
            raise InputError("--alertmanager applies to shards (--shards N, N above 1)")
        return None
    if base_given:
        raise InputError(
            "--base and --replace-job apply to one Prometheus: the shards' configs are "
            "tsedash's own (docs/scaling.md)"
        )
    try:
        _check(count, url)
    except ValueError as exc:
        raise InputError(f"--shards/--global-url: {exc}") from None
    report = write_sharded(
        registry,
        out,
        count,
        url,
        scrape_interval=scrape_interval or "15s",
        alertmanager=alertmanager,
    )
    return report, f"{count} shards writing to {url}"

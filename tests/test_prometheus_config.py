"""The generated scrape config, checked by the real promtool."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from tsedash.processes import find_program
from tsedash.prometheus import render_prometheus, write_prometheus
from tsedash.registry import load_registry

from .conftest import ROOT, Result
from .dashboard_helpers import FIXTURE, fixture_registry

RunCli = Callable[..., Result]


def promtool(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [find_program("promtool"), *args], cwd=cwd, capture_output=True, text=True, check=False
    )


def test_promtool_accepts_the_config(tmp_path: Path) -> None:
    write_prometheus(load_registry(ROOT / "instances.yaml"), tmp_path)
    res = promtool("check", "config", "prometheus.yml", cwd=tmp_path)
    assert res.returncode == 0, res.stdout + res.stderr
    assert "SUCCESS" in res.stdout


@pytest.mark.parametrize("job", ["exchange-simulator", "audit-correlator", "market-data-simulator"])
def test_labels_after_relabeling(tmp_path: Path, job: str) -> None:
    """promtool check service-discovery: `job` = service name, `instance` = instance name."""
    registry = load_registry(ROOT / "instances.yaml")
    write_prometheus(registry, tmp_path)
    res = promtool(
        "check", "service-discovery", "--timeout=1s", "prometheus.yml", job, cwd=tmp_path
    )
    assert res.returncode == 0, res.stderr
    targets: list[dict[str, Any]] = json.loads(res.stdout)
    labels = sorted(
        (t["labels"]["job"], t["labels"]["instance"], t["labels"]["__address__"]) for t in targets
    )
    assert labels == sorted(
        (i.service_name, i.instance_name, i.address) for i in registry.instances_of(job)
    )


def test_infrastructure_jobs_keep_their_address_as_instance(tmp_path: Path) -> None:
    write_prometheus(load_registry(ROOT / "instances.yaml"), tmp_path)
    res = promtool(
        "check", "service-discovery", "--timeout=1s", "prometheus.yml", "redis", cwd=tmp_path
    )
    [target] = json.loads(res.stdout)
    assert target["labels"]["job"] == "redis"
    assert target["labels"]["instance"] == "redis-exporter:9121"


def test_one_job_per_service_and_infrastructure_job() -> None:
    files = render_prometheus(fixture_registry(), "5s")
    config = yaml.safe_load(files["prometheus.yml"])
    assert [j["job_name"] for j in config["scrape_configs"]] == [
        "audit-correlator",
        "test-coordinator",
        "exchange-simulator",
        "redis",
        "cadvisor",
        "tsedash-expected",  # the registry's instances, for InstanceMissing
    ]
    expected = config["scrape_configs"][-1]
    assert expected["honor_labels"] is True  # each series keeps the job and instance it names
    assert expected["static_configs"] == [{"targets": ["tsedash-expected:9099"]}]
    assert config["rule_files"] == ["rules/tsedash-recording.yml", "rules/tsedash-alerts.yml"]
    assert files["expected/metrics"].decode().splitlines()[2:] == [
        'tsedash_expected_instance{job="audit-correlator",instance="audit-correlator"} 1',
        'tsedash_expected_instance{job="test-coordinator",instance="test-coordinator"} 1',
        'tsedash_expected_instance{job="exchange-simulator",instance="exchange-OKX"} 1',
        'tsedash_expected_instance{job="exchange-simulator",instance="exchange-Binance"} 1',
    ]
    assert config["global"]["scrape_interval"] == "5s"
    assert config["global"]["scrape_timeout"] == "5s"  # never longer than the interval
    assert json.loads(files["targets/test-coordinator.json"]) == [
        {
            "labels": {
                "__service_instance": "test-coordinator",
                "instance_name": "test-coordinator",
                "service_type": "singleton",
                "entity_type": "central",
                "schema_name": "test_coordinator",
                "redis_namespace": "test",
                "discovery_key": "services:test-coordinator:test-coordinator",
                "container_name": "te-test-coordinator",
                "data_volume": "volumes/test-coordinator/data:/app/data",
                "logs_volume": "volumes/test-coordinator/logs:/app/logs",
            },
            "targets": ["test-coordinator:9100"],
        }
    ]
    assert json.loads(files["targets/redis.json"])[0]["labels"] == {
        "service_type": "infrastructure"
    }
    assert sorted(files) == [
        "expected/metrics",
        "prometheus.yml",
        "rules/tsedash-alerts.yml",
        "rules/tsedash-recording.yml",
        "targets/audit-correlator.json",
        "targets/cadvisor.json",
        "targets/exchange-simulator.json",
        "targets/redis.json",
        "targets/test-coordinator.json",
    ]


def test_cli_writes_deterministically(run_cli: RunCli, tmp_path: Path) -> None:
    out = tmp_path / "prom"
    res = run_cli("prometheus", "--registry", str(FIXTURE), "--out", str(out))
    assert res.exit_code == 0, res.stderr
    first = {p.name: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    res = run_cli("prometheus", "--registry", str(FIXTURE), "--out", str(out))
    assert "0 written, 9 unchanged" in res.stdout
    assert first == {p.name: p.read_bytes() for p in out.rglob("*") if p.is_file()}


def test_cli_rejects_a_bad_scrape_interval(run_cli: RunCli, tmp_path: Path) -> None:
    res = run_cli(
        "prometheus",
        "--registry",
        str(FIXTURE),
        "--out",
        str(tmp_path),
        "--scrape-interval",
        "fast",
    )
    assert res.exit_code == 2
    assert "not a duration" in res.stderr


def test_committed_scrape_config_is_fresh(tmp_path: Path) -> None:
    write_prometheus(load_registry(ROOT / "instances.yaml"), tmp_path)
    committed = ROOT / "deploy" / "prometheus"

    def files(root: Path) -> dict[str, bytes]:
        return {
            str(p.relative_to(root)): p.read_bytes()
            for p in root.rglob("*")
            if p.is_file() and not p.name.startswith(".tsedash-")
        }

    assert files(committed) == files(tmp_path), (
        "deploy/prometheus is stale: run `make dashboards` and commit"
    )


def _discovered(config_dir: Path, job: str) -> list[dict[str, str]]:
    """`promtool check service-discovery`: the labels each target has after relabeling."""
    res = subprocess.run(
        [find_program("promtool"), "check", "service-discovery", "prometheus.yml", job],
        capture_output=True,
        text=True,
        check=False,
        cwd=config_dir,
    )
    assert res.returncode == 0, res.stderr
    return [t["labels"] for t in json.loads(res.stdout)]


def test_promtool_sees_each_types_path_and_labels(tmp_path: Path) -> None:
    write_prometheus(load_registry(ROOT / "instances.yaml"), tmp_path)
    [engine] = _discovered(tmp_path, "trading-system-engine")
    assert engine["__metrics_path__"] == "/api/v1/metrics"  # /metrics answers 404 there
    assert (engine["job"], engine["instance"]) == ("trading-system-engine", "trading-engine-lh")
    assert engine["__address__"] == "trading-system-engine:8080"
    # The orchestrator's documented labels, so `up{instance_name="exchange-okx"}` keeps working.
    [okx] = _discovered(tmp_path, "exchange-simulator")
    assert okx["__metrics_path__"] == "/metrics"
    assert (okx["instance_name"], okx["service_type"], okx["entity_type"]) == (
        "exchange-okx",
        "multi-instance",
        "exchange",
    )
    assert "__service_instance" not in okx or okx["instance"] == "exchange-okx"
    [audit] = _discovered(tmp_path, "audit-correlator")
    assert audit["service_type"] == "singleton" and audit["schema_name"] == "audit"

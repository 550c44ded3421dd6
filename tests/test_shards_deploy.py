"""The sharded stack's compose file, merged by the real Docker Compose v2 after the
orchestrator's file and the observability overlay."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml

from tsedash.deploy import render_deploy
from tsedash.deploy.compose import SNIPPET
from tsedash.deploy.sharded import SHARDED_SNIPPET, SHARDS_DIR, render_sharded_deploy
from tsedash.registry import load_registry

from .conftest import ROOT
from .test_deploy import ORCHESTRATOR, compose_run

REGISTRY = load_registry(ROOT / "instances.yaml")


def _write(tmp_path: Path, files: dict[str, bytes]) -> None:
    for name, data in files.items():
        path = tmp_path / "tsedash" / "deploy" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)


def _merged(tmp_path: Path, shards: int) -> dict[str, Any]:
    _write(tmp_path, render_deploy(REGISTRY))
    _write(tmp_path, render_sharded_deploy(REGISTRY, shards))
    deploy = tmp_path / "tsedash" / "deploy"
    res = compose_run(
        ORCHESTRATOR / "docker-compose.yml",
        deploy / SNIPPET,
        deploy / SHARDED_SNIPPET,
        env={"TSEDASH_DIR": str(tmp_path / "tsedash")},
    )
    assert res.returncode == 0, res.stderr
    merged: dict[str, Any] = json.loads(res.stdout)
    return merged


def test_compose_merges_the_sharded_stack(tmp_path: Path) -> None:
    services = _merged(tmp_path, 3)["services"]
    shards = sorted(name for name in services if name.startswith("prometheus-shard-"))
    assert shards == ["prometheus-shard-0", "prometheus-shard-1", "prometheus-shard-2"]
    # The single Prometheus is profiled away; the global tier is there.
    assert "prometheus" not in services
    assert {"victoria-metrics", "vmalert", "alertmanager", "grafana"} <= set(services)
    config_dir = tmp_path / "tsedash" / "deploy" / SHARDS_DIR
    for name in [*shards, "vmalert", "alertmanager"]:
        mounts = {v["target"]: v.get("source", "") for v in services[name]["volumes"]}
        assert mounts["/etc/tsedash"] == str(config_dir)
    # Every file a command names is one the overlay's directory holds.
    for name in [*shards, "vmalert", "alertmanager"]:
        for arg in services[name]["command"]:
            if "/etc/tsedash/" in arg:
                assert (config_dir / arg.split("/etc/tsedash/")[1]).is_file(), arg


def test_the_shards_write_to_the_store_and_alert_on_the_network(tmp_path: Path) -> None:
    files = render_sharded_deploy(REGISTRY, 2)
    config = yaml.safe_load(files[f"{SHARDS_DIR}/shard-1.yml"])
    assert config["remote_write"] == [{"url": "http://victoria-metrics:8428/api/v1/write"}]
    targets = config["alerting"]["alertmanagers"][0]["static_configs"][0]["targets"]
    assert targets == ["alertmanager:9093"]
    snippet = yaml.safe_load(files[SHARDED_SNIPPET])
    assert set(snippet["volumes"]) == {
        "prometheus-shard-0-data",
        "prometheus-shard-1-data",
        "victoria-metrics-data",
        "alertmanager-data",
    }

"""`docker-compose.sharded.yml`: the sharded stack as a third compose file, after the
orchestrator's and the observability overlay (tsedash.deploy.compose):

    docker compose -f docker-compose.yml \\
        -f $TSEDASH_DIR/deploy/docker-compose.observability.yml \\
        -f $TSEDASH_DIR/deploy/docker-compose.sharded.yml up

It adds N Prometheus shards (the orchestrator's image, each with its `shard-<i>.yml` from
`deploy/prometheus-shards/`), VictoriaMetrics as the global store, vmalert with the
whole-picture alerts over it, and Alertmanager; the orchestrator's single `prometheus` service
is put in the `single-prometheus` profile, so it no longer starts. Grafana reads the global
store through the registry's datasource (`datasource.url: http://victoria-metrics:8428`, a
Prometheus-type datasource): the dashboards are the same files.
"""

from __future__ import annotations

from typing import Any

from tsedash.deploy.compose import ROOT
from tsedash.encode import dump_yaml
from tsedash.prometheus.shards import (
    ALERTMANAGER_FILE,
    GLOBAL_ALERTS_FILE,
    render_sharded,
    shard_config_file,
)
from tsedash.registry import Registry

SHARDED_SNIPPET = "docker-compose.sharded.yml"
SHARDS_DIR = "prometheus-shards"  # under deploy/
NETWORK = "trading-ecosystem"
PROMETHEUS_IMAGE = "prom/prometheus:v2.47.2"  # the orchestrator's
VICTORIA_IMAGE = "victoriametrics/victoria-metrics:v1.79.5"  # the version the tests run
VMALERT_IMAGE = "victoriametrics/vmalert:v1.79.5"
ALERTMANAGER_IMAGE = "prom/alertmanager:v0.25.0"
VICTORIA = "victoria-metrics"
VICTORIA_URL = f"http://{VICTORIA}:8428"
ALERTMANAGER = "alertmanager:9093"
CONFIG = "/etc/tsedash"  # where every sharded service mounts deploy/prometheus-shards


def _service(image: str, name: str, command: list[str], data: str = "") -> dict[str, Any]:
    """`data`: where the service keeps state, on a named volume of its own."""
    volumes = [f"{ROOT}/deploy/{SHARDS_DIR}:{CONFIG}:ro"]
    if data:
        volumes.append(f"{name}-data:{data}")
    return {
        "image": image,
        "container_name": f"trading-ecosystem-{name}-infra",
        "command": command,
        "volumes": volumes,
        "networks": [NETWORK],
        "restart": "unless-stopped",
    }


def sharded_snippet(shards: int, evaluation_interval: str = "15s") -> dict[str, Any]:
    services: dict[str, Any] = {"prometheus": {"profiles": ["single-prometheus"]}}
    for shard in range(shards):
        services[f"prometheus-shard-{shard}"] = _service(
            PROMETHEUS_IMAGE,
            f"prometheus-shard-{shard}",
            [
                f"--config.file={CONFIG}/{shard_config_file(shard)}",
                "--storage.tsdb.path=/prometheus",
            ],
            "/prometheus",
        )
    services[VICTORIA] = _service(
        VICTORIA_IMAGE, VICTORIA, ["-storageDataPath=/storage", "-retentionPeriod=30d"], "/storage"
    )
    services[VICTORIA]["ports"] = ["127.0.0.1:8428:8428"]
    services["vmalert"] = _service(
        VMALERT_IMAGE,
        "vmalert",
        [
            f"-rule={CONFIG}/{GLOBAL_ALERTS_FILE}",
            f"-datasource.url={VICTORIA_URL}",
            f"-notifier.url=http://{ALERTMANAGER}",
            f"-evaluationInterval={evaluation_interval}",
        ],
    )
    services["alertmanager"] = _service(
        ALERTMANAGER_IMAGE,
        "alertmanager",
        [f"--config.file={CONFIG}/{ALERTMANAGER_FILE}", "--storage.path=/alertmanager"],
        "/alertmanager",
    )
    services["alertmanager"]["ports"] = ["127.0.0.1:9093:9093"]
    volumes: dict[str, dict[str, Any]] = {
        volume.split(":")[0]: {}
        for service in services.values()
        for volume in service.get("volumes", [])
        if volume.split(":")[0].endswith("-data")
    }
    return {"services": services, "volumes": volumes}


def render_sharded_deploy(
    registry: Registry, shards: int, scrape_interval: str = "15s"
) -> dict[str, bytes]:
    """The compose file and `prometheus-shards/` (tsedash.prometheus.shards' files, for the
    compose network's names), as paths under `deploy/`."""
    files = {SHARDED_SNIPPET: dump_yaml(sharded_snippet(shards, scrape_interval), "tsedash deploy")}
    rendered = render_sharded(
        registry,
        shards,
        VICTORIA_URL,
        scrape_interval=scrape_interval,
        alertmanager=ALERTMANAGER,
    )
    files.update({f"{SHARDS_DIR}/{name}": data for name, data in rendered.items()})
    return files

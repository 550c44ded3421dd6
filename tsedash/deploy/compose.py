"""`docker-compose.observability.yml`: an overlay for orchestrator-docker's compose file.

    docker compose -f docker-compose.yml -f $TSEDASH_DIR/deploy/docker-compose.observability.yml up

Compose merges a service's mounts by target path, so the overlay mounts exactly the targets the
orchestrator mounts: our `prometheus.yml` over its `/etc/prometheus/prometheus.yml` (a directory
at `/etc/prometheus` would lose to its file), our rules and file_sd targets beside it, our
`provisioning/` over Grafana's `/etc/grafana/provisioning`. It adds cAdvisor, which the
orchestrator lacks, and `tsedash-expected` (a static web server for the expected-instances
exposition InstanceMissing joins), and changes nothing else: images, commands, exporters and
the ecosystem's services stay the orchestrator's. Host paths start at `${TSEDASH_DIR}`, this
repository's absolute path: unset, Compose stops with ROOT's message (a silent default would
mount directories that do not exist, which Docker creates empty).
"""

from __future__ import annotations

from typing import Any

from tsedash.prometheus import expected
from tsedash.registry import Registry

SNIPPET = "docker-compose.observability.yml"
ROOT = "${TSEDASH_DIR:?set TSEDASH_DIR to the tsedash checkout (absolute path)}"
# The targets the orchestrator mounts its own files at; the overlay mounts ours there.
PROMETHEUS_CONFIG = "/etc/prometheus/prometheus.yml"
GRAFANA_PROVISIONING = "/etc/grafana/provisioning"


def _health(test: list[str]) -> dict[str, Any]:
    return {"test": test, "interval": "15s", "timeout": "5s", "retries": 5, "start_period": "20s"}


def _overlay(port: dict[str, str]) -> dict[str, dict[str, Any]]:
    """The overlay's services: mounts for the orchestrator's Prometheus and Grafana, and
    cAdvisor when the registry scrapes it."""
    services: dict[str, dict[str, Any]] = {
        "prometheus": {
            "volumes": [
                f"{ROOT}/deploy/prometheus/prometheus.yml:{PROMETHEUS_CONFIG}:ro",
                f"{ROOT}/deploy/prometheus/rules:/etc/prometheus/rules:ro",
                f"{ROOT}/deploy/prometheus/targets:/etc/prometheus/targets:ro",
            ],
        },
        # Serves deploy/prometheus/expected/metrics, the instances InstanceMissing expects.
        expected.JOB: {
            "image": expected.SERVER_IMAGE,
            "container_name": f"trading-ecosystem-{expected.JOB}-infra",
            "command": ["httpd", "-f", "-p", str(expected.PORT), "-h", "/srv"],
            "volumes": [f"{ROOT}/deploy/prometheus/expected:/srv:ro"],
            "networks": ["trading-ecosystem"],
            "restart": "unless-stopped",
        },
        "grafana": {"volumes": [f"{ROOT}/provisioning:{GRAFANA_PROVISIONING}:ro"]},
    }
    if "cadvisor" in port:
        services["cadvisor"] = {
            "image": "gcr.io/cadvisor/cadvisor:v0.52.1",
            "container_name": "trading-ecosystem-cadvisor-infra",
            "restart": "unless-stopped",
            "networks": ["trading-ecosystem"],
            "volumes": [
                "/:/rootfs:ro",
                "/var/run:/var/run:ro",
                "/sys:/sys:ro",
                "/var/lib/docker/:/var/lib/docker:ro",
            ],
            "healthcheck": _health(
                ["CMD", "wget", "-qO-", f"http://localhost:{port['cadvisor']}/healthz"]
            ),
        }
    return services


def compose_snippet(registry: Registry) -> dict[str, Any]:
    """The overlay for the registry's infrastructure (see the module docstring)."""
    hosts: dict[str, str] = {}
    for job in registry.infrastructure:
        host, _, port = job.address.rpartition(":")
        hosts[host] = port
    services = _overlay(hosts)
    return {"services": {name: services[name] for name in sorted(services)}}

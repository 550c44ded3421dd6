"""`docker-compose.observability.yml`: Grafana, Prometheus, cAdvisor and the exporters, to run
next to orchestrator-docker's compose file:

    docker compose -f docker-compose.yml -f $TSEDASH_DIR/deploy/docker-compose.observability.yml up

Host paths are relative to `${TSEDASH_DIR}` (this repository, default ../tsedash next to
orchestrator-docker); secrets come from environment variables, never inline.
"""

from __future__ import annotations

from typing import Any

from tsedash.registry import Registry

SNIPPET = "docker-compose.observability.yml"
ROOT = "${TSEDASH_DIR:-../tsedash}"
# Environment variables the snippet reads; documented in README.md.
SECRETS = ("GRAFANA_ADMIN_PASSWORD", "REDIS_EXPORTER_PASSWORD", "POSTGRES_EXPORTER_DSN")


def _health(test: list[str]) -> dict[str, Any]:
    return {"test": test, "interval": "15s", "timeout": "5s", "retries": 5, "start_period": "20s"}


def _services(port: dict[str, str]) -> dict[str, dict[str, Any]]:
    """Known infrastructure hosts → their service definitions (ports from the registry)."""
    return {
        "grafana": {
            "image": "grafana/grafana-oss:12.1.0",
            "environment": {
                "GF_SECURITY_ADMIN_PASSWORD": (
                    "${GRAFANA_ADMIN_PASSWORD:?set GRAFANA_ADMIN_PASSWORD}"
                ),
                "GF_METRICS_ENABLED": "true",
            },
            "volumes": [f"{ROOT}/provisioning:/etc/grafana/provisioning:ro"],
            "ports": [f"127.0.0.1:3000:{port.get('grafana', '3000')}"],
            "healthcheck": _health(["CMD", "wget", "-qO-", "http://localhost:3000/api/health"]),
        },
        "prometheus": {
            "image": "prom/prometheus:v3.5.0",
            "command": ["--config.file=/etc/prometheus/prometheus.yml", "--web.enable-lifecycle"],
            "volumes": [f"{ROOT}/deploy/prometheus:/etc/prometheus:ro"],
            "ports": ["127.0.0.1:9090:9090"],
            "healthcheck": _health(["CMD", "wget", "-qO-", "http://localhost:9090/-/ready"]),
        },
        "cadvisor": {
            "image": "gcr.io/cadvisor/cadvisor:v0.52.1",
            "volumes": [
                "/:/rootfs:ro",
                "/var/run:/var/run:ro",
                "/sys:/sys:ro",
                "/var/lib/docker/:/var/lib/docker:ro",
            ],
            "healthcheck": _health(
                ["CMD", "wget", "-qO-", f"http://localhost:{port.get('cadvisor', '8080')}/healthz"]
            ),
        },
        "redis-exporter": {
            "image": "oliver006/redis_exporter:v1.74.0",
            "environment": {
                "REDIS_ADDR": "redis://redis:6379",
                "REDIS_PASSWORD": "${REDIS_EXPORTER_PASSWORD:-}",
            },
            "healthcheck": _health(
                [
                    "CMD",
                    "wget",
                    "-qO-",
                    f"http://localhost:{port.get('redis-exporter', '9121')}/metrics",
                ]
            ),
        },
        "postgres-exporter": {
            "image": "quay.io/prometheuscommunity/postgres-exporter:v0.17.1",
            "environment": {
                "DATA_SOURCE_NAME": "${POSTGRES_EXPORTER_DSN:?set POSTGRES_EXPORTER_DSN}"
            },
            "healthcheck": _health(
                [
                    "CMD",
                    "wget",
                    "-qO-",
                    f"http://localhost:{port.get('postgres-exporter', '9187')}/metrics",
                ]
            ),
        },
    }


def compose_snippet(registry: Registry) -> dict[str, Any]:
    """The services for the registry's infrastructure jobs this project knows how to run."""
    hosts: dict[str, str] = {}
    for job in registry.infrastructure:
        host, _, port = job.address.rpartition(":")
        hosts["prometheus" if host == "localhost" else host] = port
    known = _services(hosts)
    services = {name: known[name] for name in sorted(hosts) if name in known}
    for service in services.values():
        service["restart"] = "unless-stopped"
        service["networks"] = ["trading-ecosystem"]
    return {
        "services": services,
        "networks": {"trading-ecosystem": {"external": False}},
    }

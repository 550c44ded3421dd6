"""Simulated infrastructure exporters: for `tsedash demo`, which runs no Redis, PostgreSQL,
Grafana or Jaeger.

The registry's infrastructure jobs (redis, postgres, grafana, jaeger, …) are scraped in the real
stack from their exporters; without a target for them `tsedash verify` rightly reports them
missing. Each stand-in serves on its job's address what a healthy exporter's scrape shows first
(`redis_up 1` as prometheus-redis-exporter does, `pg_up 1` as prometheus-postgres-exporter,
`grafana_build_info`), the process collectors, and `tsedash_simulated_exporter 1`, so that a
look at Prometheus tells the stand-in from the real thing. It proves nothing about a real
Redis or PostgreSQL: the demo says so in its output.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from tsedash.simulate.exposition import CONTENT_TYPE, Family, render
from tsedash.simulate.plan import CADVISOR_JOB
from tsedash.simulate.server import Listeners, SimulatorError, send, split_address

MARKER = "tsedash_simulated_exporter"
# Jobs the demo serves otherwise: Prometheus scrapes itself, the Simulator serves cAdvisor.
NOT_SIMULATED = frozenset({"prometheus", CADVISOR_JOB})
# What each known exporter serves that says "the thing behind me is up".
SIGNATURES: dict[str, tuple[str, str, dict[str, str]]] = {
    "redis": ("redis_up", "Information about the Redis instance", {}),
    "postgres": ("pg_up", "Whether the last scrape of PostgreSQL was able to connect", {}),
    "grafana": (
        "grafana_build_info",
        "A metric with a constant '1' value labeled by version, revision, branch, and goversion",
        {"edition": "oss", "version": "10.2.2"},
    ),
}


def simulated_jobs(jobs: Mapping[str, str]) -> dict[str, str]:
    """job → address of the infrastructure jobs a stand-in serves (all but NOT_SIMULATED)."""
    return {job: address for job, address in jobs.items() if job not in NOT_SIMULATED}


def exporter_families(job: str, started_at: float) -> list[Family]:
    families = [
        Family(
            MARKER,
            "gauge",
            f"1: this {job} endpoint is a stand-in served by tsedash demo, not the real exporter",
            [({}, 1.0)],
        )
    ]
    if job in SIGNATURES:
        name, help_text, labels = SIGNATURES[job]
        families.append(Family(name, "gauge", help_text, [(labels, 1.0)]))
    families.append(
        Family(
            "process_start_time_seconds",
            "gauge",
            "Start time of the process since unix epoch in seconds.",
            [({}, float(int(started_at)))],
        )
    )
    return families


def _handler(job: str, started_at: float) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            if self.path.split("?")[0] == "/metrics":
                status, content_type = 200, CONTENT_TYPE
                body = render(exporter_families(job, started_at))
            else:
                status, content_type = 404, "text/plain; charset=utf-8"
                body = b"404 page not found (metrics are at /metrics)\n"
            send(self, status, content_type, body)

        def log_message(self, format: str, *args: object) -> None:
            pass

    return Handler


class SimulatedExporters:
    """One listener per job's address, each serving `/metrics` as above."""

    def __init__(self, jobs: Mapping[str, str]) -> None:
        self.jobs = dict(jobs)
        self.started_at = time.time()
        self._listeners = Listeners()

    def start(self) -> list[str]:
        """Bind every address (all or nothing); the jobs served."""
        try:
            for job, address in self.jobs.items():
                host, port = split_address(address)
                try:
                    server = ThreadingHTTPServer((host, port), _handler(job, self.started_at))
                except OSError as exc:
                    raise SimulatorError(
                        f"cannot bind {address} for the simulated {job} exporter: {exc.strerror}"
                    ) from None
                self._listeners.serve(server, f"exporter-{job}")
        except BaseException:
            self.stop()
            raise
        return list(self.jobs)

    def stop(self) -> None:
        self._listeners.stop()

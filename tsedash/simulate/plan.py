"""What the simulator serves: exactly the exposition of the ecosystem's real services.

Every instance serves the RED middleware's metrics (`http_requests_total`,
`http_request_errors_total` for status >= 400, the `http_request_duration_seconds` histogram;
labels `method`, `route`, `code`, plus the constant labels `service`, `instance`, `version` on
Go services), the process collectors, `go_*` or `python_info`, and `service_dependency_ready`
on types with `readiness: true` once `/api/v1/ready` was requested. Series appear lazily: a
route's series exist after its first request, and the scrape of the metrics path is itself a
request. Planned domain metrics are served only when asked (`with_planned`).

Synthetic traffic is a function of the time since start (a route with rate r has served
floor(r * t) requests), so the end-to-end test can compare Prometheus' `rate()` with
`instance_rate()`; real requests to the simulator (scrapes, health checks) are counted as they come.
"""

from __future__ import annotations

import itertools
import math
import threading
import time
from dataclasses import dataclass, field

from tsedash.registry import Instance, Metric, Registry, ServiceType
from tsedash.registry import exposition as ex
from tsedash.simulate.exposition import Family

LABEL_VALUES = {"symbol": ("BTC-USD", "ETH-USD", "SOL-USD"), "side": ("bid", "ask")}
DEFAULT_LABEL_VALUES = ("a", "b")
CADVISOR_JOB = "cadvisor"
VERSION = "1.0.0"
HEALTH_ROUTE = "/api/v1/health"
READY_ROUTE = "/api/v1/ready"
UNMATCHED_ROUTE = "unknown"  # what the middleware records for a path no route matches
ERROR_SHARE = 0.05  # of the synthetic API traffic, answered 400
SYNTHETIC_SECONDS = 0.02  # duration of every synthetic request (lands in the 0.025 bucket)
DEPENDENCIES = ("postgres", "redis")
# A business route per service type's first word, for the synthetic traffic.
API_ROUTES = {
    "exchange": "/api/v1/orders",
    "custodian": "/api/v1/settlements",
    "market": "/api/v1/prices",
    "trading": "/api/v1/strategies",
    "risk": "/api/v1/positions",
    "audit": "/api/v1/events",
    "test": "/api/v1/scenarios",
}

RouteKey = tuple[str, str, str]  # method, route, code


def label_values(label: str) -> tuple[str, ...]:
    return LABEL_VALUES.get(label, DEFAULT_LABEL_VALUES)


@dataclass
class _Observed:
    count: int = 0
    total_seconds: float = 0.0
    buckets: list[int] = field(default_factory=lambda: [0] * len(ex.DURATION_BUCKETS))

    def add(self, seconds: float, times: int = 1) -> None:
        self.count += times
        self.total_seconds += seconds * times
        for i, bound in enumerate(ex.DURATION_BUCKETS):
            if seconds <= bound:
                self.buckets[i] += times


@dataclass
class Traffic:
    """Requests an instance really answered, as its middleware would count them."""

    routes: dict[RouteKey, _Observed] = field(default_factory=dict)
    ready_requested: bool = False
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, method: str, route: str, code: int, seconds: float) -> None:
        with self.lock:
            self.routes.setdefault((method, route, str(code)), _Observed()).add(seconds)
            if route == READY_ROUTE:
                self.ready_requested = True

    def snapshot(self) -> tuple[dict[RouteKey, _Observed], bool]:
        with self.lock:
            copied = {
                k: _Observed(v.count, v.total_seconds, list(v.buckets))
                for k, v in self.routes.items()
            }
            return copied, self.ready_requested


@dataclass(frozen=True)
class SimulationPlan:
    registry: Registry
    base_rate: float = 2.0
    with_planned: bool = False
    started_at: float = field(default_factory=time.time)

    def service(self, inst: Instance) -> ServiceType:
        return self.registry.services[inst.service_name]

    def metrics_path(self, inst: Instance) -> str:
        return self.registry.metrics_path(self.service(inst))

    def instance_rate(self, inst: Instance) -> float:
        """Requests/s of an instance's API route: the base rate, varied per instance."""
        index = self.registry.instances.index(inst)
        return self.base_rate * (1 + (index % 4) * 0.5)

    def api_route(self, inst: Instance) -> str:
        return API_ROUTES.get(inst.service_name.split("-")[0], "/api/v1/work")

    def synthetic_routes(self, inst: Instance) -> dict[RouteKey, float]:
        """Synthetic request rates per route: the API route (a share answered 400)."""
        rate = self.instance_rate(inst)
        route = self.api_route(inst)
        return {
            ("POST", route, "200"): rate * (1 - ERROR_SHARE),
            ("POST", route, "400"): rate * ERROR_SHARE,
        }

    def label_sets(self, metric: Metric) -> list[dict[str, str]]:
        combos = itertools.product(*(label_values(label) for label in metric.by))
        return [dict(zip(metric.by, combo, strict=True)) for combo in combos]

    def cpu_rate(self, inst: Instance) -> float:
        return 0.05 * (1 + self.registry.instances.index(inst) % 4)

    def memory_bytes(self, inst: Instance) -> float:
        return float(48 * 2**20 * (1 + self.registry.instances.index(inst) % 4))

    # --- exposition ----------------------------------------------------------------------

    def _constant_labels(self, inst: Instance) -> dict[str, str]:
        if self.service(inst).language != "go":
            return {}
        values = (inst.service_name, inst.instance_name, VERSION)
        return dict(zip(ex.GO_CONSTANT_LABELS, values, strict=True))

    def _routes(
        self, inst: Instance, elapsed: float, traffic: Traffic
    ) -> dict[RouteKey, _Observed]:
        routes, _ = traffic.snapshot()
        for key, rate in self.synthetic_routes(inst).items():
            count = math.floor(rate * elapsed)
            if count:
                routes.setdefault(key, _Observed()).add(SYNTHETIC_SECONDS, count)
        return routes

    def red_families(self, inst: Instance, elapsed: float, traffic: Traffic) -> list[Family]:
        const = self._constant_labels(inst)
        requests = Family(ex.REQUESTS, "counter", "Total number of HTTP requests")
        errors = Family(ex.ERRORS, "counter", "Total number of HTTP request errors")
        duration = Family(ex.DURATION, "histogram", "HTTP request duration in seconds")
        for (method, route, code), seen in sorted(self._routes(inst, elapsed, traffic).items()):
            labels = {**dict(zip(ex.RED_LABELS, (method, route, code), strict=True)), **const}
            requests.samples.append((labels, float(seen.count)))
            if int(code) >= 400:
                errors.samples.append((labels, float(seen.count)))
            for bound, n in zip(ex.DURATION_BUCKETS, seen.buckets, strict=True):
                duration.suffixed.append(("_bucket", {**labels, "le": repr(bound)}, float(n)))
            duration.suffixed.append(("_bucket", {**labels, "le": "+Inf"}, float(seen.count)))
            duration.suffixed.append(("_sum", labels, seen.total_seconds))
            duration.suffixed.append(("_count", labels, float(seen.count)))
        return [f for f in (requests, errors, duration) if f.samples or f.suffixed]

    def process_families(self, inst: Instance, elapsed: float) -> list[Family]:
        families = [
            Family(
                ex.START_TIME,
                "gauge",
                "Start time of the process since unix epoch in seconds.",
                [({}, float(int(self.started_at)))],
            ),
            Family(
                ex.RESIDENT_MEMORY,
                "gauge",
                "Resident memory size in bytes.",
                [({}, self.memory_bytes(inst))],
            ),
            Family(
                "process_cpu_seconds_total",
                "counter",
                "Total user and system CPU time spent in seconds.",
                [({}, self.cpu_rate(inst) * elapsed)],
            ),
            Family("process_open_fds", "gauge", "Number of open file descriptors.", [({}, 12.0)]),
        ]
        if self.service(inst).language == "go":
            families.append(Family("go_goroutines", "gauge", "Number of goroutines.", [({}, 9.0)]))
            families.append(
                Family("go_info", "gauge", "Go version.", [({"version": "go1.24.4"}, 1.0)])
            )
        else:
            labels = {"implementation": "CPython", "major": "3", "minor": "11", "patchlevel": "7"}
            families.append(Family("python_info", "gauge", "Python platform.", [(labels, 1.0)]))
        return families

    def readiness_families(self, inst: Instance, traffic: Traffic) -> list[Family]:
        _, asked = traffic.snapshot()
        if not (self.service(inst).readiness and asked):
            return []
        ready = Family(ex.READINESS, "gauge", "Whether a dependency is ready (1) or not (0)")
        ready.samples.extend(({"dependency": d}, 1.0) for d in DEPENDENCIES)
        return [ready]

    def domain_families(self, inst: Instance, elapsed: float) -> list[Family]:
        families = []
        rate = self.instance_rate(inst)
        for metric in self.service(inst).metrics:
            if metric.planned and not self.with_planned:
                continue
            fam = Family(metric.name, metric.type, metric.description or metric.title)
            for labels in self.label_sets(metric):
                if metric.type == "counter":
                    value = rate * elapsed
                else:
                    value = 50 + 10 * math.sin(elapsed / 60 + len(fam.samples))
                fam.samples.append((labels, value))
            families.append(fam)
        return families

    def instance_families(self, inst: Instance, elapsed: float, traffic: Traffic) -> list[Family]:
        return [
            *self.red_families(inst, elapsed, traffic),
            *self.process_families(inst, elapsed),
            *self.readiness_families(inst, traffic),
            *self.domain_families(inst, elapsed),
        ]

    def cadvisor_families(self, elapsed: float) -> list[Family]:
        working = Family(
            "container_memory_working_set_bytes", "gauge", "Current working set in bytes"
        )
        usage = Family("container_memory_usage_bytes", "gauge", "Current memory usage in bytes")
        cpu = Family("container_cpu_usage_seconds_total", "counter", "Cumulative CPU time")
        for inst in self.registry.instances:
            name = {"name": inst.container_name}
            working.samples.append((name, self.memory_bytes(inst)))
            usage.samples.append((name, self.memory_bytes(inst) * 1.25))
            cpu.samples.append((name, self.cpu_rate(inst) * elapsed))
        return [working, usage, cpu]

    def cadvisor_address(self) -> str | None:
        return next(
            (j.address for j in self.registry.infrastructure if j.job == CADVISOR_JOB), None
        )

"""What the simulator serves: exactly the exposition of the ecosystem's real services.

Every instance serves the RED middleware's metrics (`http_requests_total`,
`http_request_errors_total` for status >= 400, the `http_request_duration_seconds` histogram;
labels `method`, `route`, `code`, plus the constant labels `service`, `instance`, `version` on
Go services), the process collectors, `go_*` or `python_info`, and `service_dependency_ready`
on types with `readiness: true` once `/api/v1/ready` was requested. Series appear lazily: a
route's series exist after its first request, and the scrape of the metrics path is itself a
request. Planned domain metrics are served only when asked (`with_planned`).

The `route` label is spelled as each service's middleware spells it: Go (gin) records the full
route pattern and `unknown` for a path no route matches; the Python services (FastAPI) record
the raw URL of such a path (`/favicon.ico`), and the route pattern as their FastAPI version
gives it: the full path (risk-monitor, FastAPI 0.120) or, on a newer FastAPI, the path without
its router's prefix (`/health`) and `unknown` for a route declared as "" (their metrics
endpoint). Python services also serve prometheus-client's `_created` gauges. Every status >= 400
counts in `http_request_errors_total`, the favicon's 404 too.

Synthetic traffic is a function of the time since start (a route with rate r has served
floor(r * t) requests), so the end-to-end test can compare Prometheus' `rate()` with
`instance_rate()`; real requests to the simulator (scrapes, health checks) are counted as they
come, and a test can inject a stream of answers with a given status (`Simulator.inject`).
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
API_PREFIX = "/api/v1"  # the routers' prefix on every service
HEALTH_ROUTE = f"{API_PREFIX}/health"
READY_ROUTE = f"{API_PREFIX}/ready"
UNMATCHED_ROUTE = "unknown"  # Go: a path no route matches; FastAPI: a route declared as ""
ERROR_SHARE = 0.05  # of the synthetic API traffic, answered 400 (a caller's bad request)
# Requests for paths no route serves, as browsers and scanners send them (404s): on the Python
# services each path is its own `route`.
STRAY_REQUESTS = (("GET", "/favicon.ico", 0.2), ("GET", "/.env", 0.05))
# The Python types whose FastAPI (0.120, locked) records a route's full path; the others
# resolve a newer FastAPI, which drops the router's prefix.
FULL_PATH_PYTHON_TYPES = frozenset({"risk-monitor"})
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
Route = tuple[str, str]  # how a service declares a route: router prefix, path in the router


def label_values(label: str) -> tuple[str, ...]:
    return LABEL_VALUES.get(label, DEFAULT_LABEL_VALUES)


@dataclass
class _Observed:
    count: int = 0
    total_seconds: float = 0.0
    buckets: list[int] = field(default_factory=lambda: [0] * len(ex.DURATION_BUCKETS))
    created: float = 0.0  # Unix time of the first request: prometheus-client's `_created`

    def add(self, seconds: float, times: int = 1) -> None:
        self.count += times
        self.total_seconds += seconds * times
        for i, bound in enumerate(ex.DURATION_BUCKETS):
            if seconds <= bound:
                self.buckets[i] += times


@dataclass(frozen=True)
class Injection:
    """A stream of `rate` requests/s answered `code` on `route`, from `since` seconds after
    start: the errors a test drives into one instance."""

    key: RouteKey
    rate: float
    since: float


@dataclass
class Traffic:
    """Requests an instance really answered, as its middleware would count them."""

    routes: dict[RouteKey, _Observed] = field(default_factory=dict)
    ready_requested: bool = False
    injected: list[Injection] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, method: str, route: str, code: int, seconds: float, path: str = "") -> None:
        with self.lock:
            key = (method, route, str(code))
            if key not in self.routes:
                self.routes[key] = _Observed(created=time.time())
            self.routes[key].add(seconds)
            if (path or route) == READY_ROUTE:
                self.ready_requested = True

    def inject(self, injection: Injection) -> None:
        with self.lock:
            self.injected.append(injection)

    def snapshot(self) -> tuple[dict[RouteKey, _Observed], bool]:
        with self.lock:
            copied = {
                k: _Observed(v.count, v.total_seconds, list(v.buckets), v.created)
                for k, v in self.routes.items()
            }
            return copied, self.ready_requested

    def injections(self) -> list[Injection]:
        with self.lock:
            return list(self.injected)


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
        """The path of the instance's simulated API route."""
        return API_ROUTES.get(inst.service_name.split("-")[0], f"{API_PREFIX}/work")

    def declared_routes(self, inst: Instance) -> dict[str, Route]:
        """Path → how the service declares it. The Python services mount their metrics
        router at the metrics path with a route declared as ""."""
        api = {p: (API_PREFIX, p.removeprefix(API_PREFIX)) for p in (HEALTH_ROUTE, READY_ROUTE)}
        api[self.api_route(inst)] = (API_PREFIX, self.api_route(inst).removeprefix(API_PREFIX))
        return {**api, self.metrics_path(inst): (self.metrics_path(inst), "")}

    def route_of(self, inst: Instance, path: str) -> str:
        """The `route` label the instance's middleware records for a request of `path`."""
        svc = self.service(inst)
        declared = self.declared_routes(inst).get(path)
        if declared is None:
            return path if svc.language == "python" else UNMATCHED_ROUTE
        prefix, route = declared
        if svc.language == "python" and svc.name not in FULL_PATH_PYTHON_TYPES:
            return route or UNMATCHED_ROUTE
        return prefix + route

    def synthetic_routes(self, inst: Instance) -> dict[RouteKey, float]:
        """Synthetic request rates per route: the API route (a share answered 400) and the
        stray requests no route serves (404)."""
        rate = self.instance_rate(inst)
        route = self.route_of(inst, self.api_route(inst))
        rates = {
            ("POST", route, "200"): rate * (1 - ERROR_SHARE),
            ("POST", route, "400"): rate * ERROR_SHARE,
        }
        for method, path, stray in STRAY_REQUESTS:
            key = (method, self.route_of(inst, path), "404")
            rates[key] = rates.get(key, 0.0) + stray  # Go: every stray path is `unknown`
        return rates

    def client_error_rate(self, inst: Instance) -> float:
        """Synthetic requests/s answered 4xx: the API's bad requests and the stray ones."""
        return self.instance_rate(inst) * ERROR_SHARE + sum(r for _, _, r in STRAY_REQUESTS)

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
        streams = [Injection(k, r, 0.0) for k, r in self.synthetic_routes(inst).items()]
        for stream in [*streams, *traffic.injections()]:
            count = math.floor(stream.rate * (elapsed - stream.since))
            if count > 0:
                first = self.started_at + stream.since + 1 / stream.rate
                seen = routes.setdefault(stream.key, _Observed(created=first))
                seen.created = min(seen.created, first)
                seen.add(SYNTHETIC_SECONDS, count)
        return routes

    def red_families(self, inst: Instance, elapsed: float, traffic: Traffic) -> list[Family]:
        const = self._constant_labels(inst)
        requests = Family(ex.REQUESTS, "counter", "Total number of HTTP requests")
        errors = Family(ex.ERRORS, "counter", "Total number of HTTP request errors")
        duration = Family(ex.DURATION, "histogram", "HTTP request duration in seconds")
        created = {
            fam.name: Family(name, "gauge", fam.help)
            for fam, name in zip((requests, errors, duration), ex.PYTHON_CREATED, strict=True)
        }
        for (method, route, code), seen in sorted(self._routes(inst, elapsed, traffic).items()):
            labels = {**dict(zip(ex.RED_LABELS, (method, route, code), strict=True)), **const}
            requests.samples.append((labels, float(seen.count)))
            created[ex.REQUESTS].samples.append((labels, seen.created))
            if int(code) >= 400:  # the middleware counts a 404 as an error too
                errors.samples.append((labels, float(seen.count)))
                created[ex.ERRORS].samples.append((labels, seen.created))
            for bound, n in zip(ex.DURATION_BUCKETS, seen.buckets, strict=True):
                duration.suffixed.append(("_bucket", {**labels, "le": repr(bound)}, float(n)))
            duration.suffixed.append(("_bucket", {**labels, "le": "+Inf"}, float(seen.count)))
            duration.suffixed.append(("_sum", labels, seen.total_seconds))
            duration.suffixed.append(("_count", labels, float(seen.count)))
            created[ex.DURATION].samples.append((labels, seen.created))
        families = [requests, errors, duration]
        if self.service(inst).language == "python":
            # prometheus-client's text format: each family's `_created` gauge right after it.
            families = [f for fam in families for f in (fam, created[fam.name])]
        return [f for f in families if f.samples or f.suffixed]

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

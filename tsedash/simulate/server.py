"""One process, one HTTP listener per registry address, each serving that address's metrics."""

from __future__ import annotations

import errno
import functools
import json
import socket
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from tsedash.errors import InputError
from tsedash.registry import Instance
from tsedash.simulate.exposition import CONTENT_TYPE, Family, render
from tsedash.simulate.plan import HEALTH_ROUTE, READY_ROUTE, Injection, SimulationPlan, Traffic


class SimulatorError(InputError):
    """An address the simulator cannot serve (taken port, unknown host, duplicate)."""


def split_address(address: str) -> tuple[str, int]:
    host, _, port = address.rpartition(":")
    return host, int(port)


class _Endpoint:
    """One instance's HTTP surface: its metrics path, health and readiness, 404 elsewhere;
    every answer counted by the instance's simulated middleware, on the route it records."""

    def __init__(
        self,
        metrics_path: str,
        families: Callable[[], list[Family]],
        traffic: Traffic | None,
        route_of: Callable[[str], str] = str,
    ) -> None:
        self.metrics_path = metrics_path
        self.families = families
        self.traffic = traffic
        self.route_of = route_of

    def answer(self, path: str) -> tuple[int, str, bytes, str]:
        """(status, content type, body, route) for a GET of `path`."""
        if path == self.metrics_path:
            return 200, CONTENT_TYPE, render(self.families()), self.route_of(path)
        if self.traffic is not None and path in (HEALTH_ROUTE, READY_ROUTE):
            status = json.dumps({"status": "healthy" if path == HEALTH_ROUTE else "ready"})
            return 200, "application/json", status.encode(), self.route_of(path)
        missing = f"404 page not found (metrics are at {self.metrics_path})\n".encode()
        return 404, "text/plain; charset=utf-8", missing, self.route_of(path)


def send(handler: BaseHTTPRequestHandler, status: int, content_type: str, body: bytes) -> None:
    """One whole answer with its length (the simulator's endpoints and exporters alike)."""
    handler.send_response(status)
    handler.send_header("Content-Type", content_type)
    handler.send_header("Content-Length", str(len(body)))
    handler.end_headers()
    handler.wfile.write(body)


def _handler(endpoint: _Endpoint) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            started = time.perf_counter()
            path = self.path.split("?")[0]
            status, content_type, body, route = endpoint.answer(path)
            if endpoint.traffic is not None:
                # Counted once answered (a scrape shows in the next one), as the middleware
                # does, and before the bytes leave, so the client's next request sees it.
                seconds = time.perf_counter() - started
                endpoint.traffic.record("GET", route, status, seconds, path)
            send(self, status, content_type, body)

        def log_message(self, format: str, *args: object) -> None:
            pass  # scrapes every second would drown the terminal

    return Handler


class Listeners:
    """HTTP servers each on its own daemon thread, stopped together."""

    def __init__(self) -> None:
        self._servers: list[ThreadingHTTPServer] = []
        self._threads: list[threading.Thread] = []

    def serve(self, server: ThreadingHTTPServer, name: str) -> None:
        server.daemon_threads = True
        self._servers.append(server)
        thread = threading.Thread(target=server.serve_forever, name=name, daemon=True)
        thread.start()
        self._threads.append(thread)

    def stop(self) -> None:
        """Every listener is asked to stop at once: each notices within its poll interval
        (0.5 s), so stopping takes about one interval, not one per endpoint (one after the
        other, a SIGTERM or Ctrl-C waited seconds on a small stack)."""
        stoppers = [
            threading.Thread(target=server.shutdown, name="sim-stop", daemon=True)
            for server in self._servers
        ]
        for stopper in stoppers:
            stopper.start()
        for stopper in stoppers:
            stopper.join(timeout=5)
        for server in self._servers:
            server.server_close()
        for thread in self._threads:
            thread.join(timeout=5)
        self._servers.clear()
        self._threads.clear()


class Simulator:
    def __init__(self, plan: SimulationPlan, bind_host: str | None = None) -> None:
        self.plan = plan
        self.bind_host = bind_host
        self.started = time.monotonic()
        self._listeners = Listeners()
        self.traffic = {inst.instance_name: Traffic() for inst in plan.registry.instances}

    def elapsed(self) -> float:
        return time.monotonic() - self.started

    def _instance_families(self, inst: Instance) -> list[Family]:
        return self.plan.instance_families(inst, self.elapsed(), self.traffic[inst.instance_name])

    def _cadvisor_families(self) -> list[Family]:
        return self.plan.cadvisor_families(self.elapsed())

    def endpoints(self) -> dict[str, Callable[[], list[Family]]]:
        """Address → what it serves; two owners of one address is an error."""
        out: dict[str, Callable[[], list[Family]]] = {}
        owner: dict[str, str] = {}
        for inst in self.plan.registry.instances:
            if inst.address in out:
                raise SimulatorError(
                    f"{inst.instance_name} and {owner[inst.address]} share the address "
                    f"{inst.address}; give each instance its own `address:`"
                )
            out[inst.address] = functools.partial(self._instance_families, inst)
            owner[inst.address] = inst.instance_name
        cadvisor = self.plan.cadvisor_address()
        if cadvisor is not None:
            if cadvisor in out:
                raise SimulatorError(
                    f"cadvisor shares the address {cadvisor} with {owner[cadvisor]}"
                )
            out[cadvisor] = functools.partial(self._cadvisor_families)
        return out

    def _endpoint(self, inst: Instance | None, families: Callable[[], list[Family]]) -> _Endpoint:
        if inst is None:  # cAdvisor
            return _Endpoint("/metrics", families, None)
        return _Endpoint(
            self.plan.metrics_path(inst),
            families,
            self.traffic[inst.instance_name],
            functools.partial(self.plan.route_of, inst),
        )

    def inject(
        self, instance: str, path: str, status: int, rate: float, method: str = "GET"
    ) -> str:
        """From now on, `rate` requests/s of `path` answered `status` on `instance`, counted by
        its middleware like the synthetic traffic; returns the `route` they are counted on."""
        inst = next((i for i in self.plan.registry.instances if i.instance_name == instance), None)
        if inst is None:
            raise SimulatorError(f"no instance {instance!r} in the registry")
        route = self.plan.route_of(inst, path)
        key = (method, route, str(status))
        self.traffic[instance].inject(Injection(key, rate, self.elapsed()))
        return route

    def start(self) -> list[str]:
        """Bind every address (all or nothing) and serve in background threads."""
        served = []
        by_address = {inst.address: inst for inst in self.plan.registry.instances}
        try:
            for address, families in self.endpoints().items():
                endpoint = self._endpoint(by_address.get(address), families)
                host, port = split_address(address)
                host = self.bind_host or host
                try:
                    server = ThreadingHTTPServer((host, port), _handler(endpoint))
                except socket.gaierror:
                    raise SimulatorError(
                        f"cannot bind {address}: host '{host}' does not resolve here "
                        "(use --bind 127.0.0.1 with distinct ports, or `make demo`)"
                    ) from None
                except OSError as exc:
                    reason = (
                        "port already in use" if exc.errno == errno.EADDRINUSE else exc.strerror
                    )
                    raise SimulatorError(
                        f"cannot bind {host}:{port} for {address}: {reason}"
                    ) from None
                self._listeners.serve(server, f"sim-{address}")
                served.append(f"{host}:{port}")
        except BaseException:
            self.stop()
            raise
        self.started = time.monotonic()
        return served

    def stop(self) -> None:
        self._listeners.stop()

    def __enter__(self) -> Simulator:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

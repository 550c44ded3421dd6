"""End to end, errors as the services count them: the simulator (the orchestrator's seven
instances) scraped by a real Prometheus that evaluates the generated recording and alert rules.

A stream of 404s into one instance (a scanner probing paths no route serves) counts in its
`http_request_errors_total`, yet leaves its server error ratio at 0 and HighErrorRatio neither
pending nor firing; a stream of 500s into another raises its ratio above the threshold and
makes HighErrorRatio pending. The dashboards' raw queries and the recorded series give the same
values on the same data.

Started here on free loopback ports and stopped by the PIDs started: Debian's prometheus, the
expected-instances server and the in-process simulator.
"""

from __future__ import annotations

import shutil
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tsedash import queries
from tsedash.processes import ProcessGroup
from tsedash.queries.expand import expand
from tsedash.registry import Registry, load_registry
from tsedash.registry import recorded as rec
from tsedash.simulate import SimulationPlan, Simulator
from tsedash.stack import api, distinct_free_ports, localize, start_prometheus, wait_for_targets

from .conftest import ROOT

SCANNED = "risk-monitor-lh"  # a Python service: each probed path is a route of its own
FAILING = "exchange-okx"  # a Go service
THRESHOLD = 0.05  # the registry's default error_ratio


@dataclass
class Stack:
    registry: Registry
    simulator: Simulator
    prometheus: str


@pytest.fixture(scope="module")
def stack() -> Iterator[Stack]:
    workdir = Path(tempfile.mkdtemp(prefix="tsedash-e2e-errors-"))
    group = ProcessGroup(workdir)
    simulator: Simulator | None = None
    try:
        registry = localize(load_registry(ROOT / "instances.yaml"), {})
        assert registry.services["risk-monitor"].alerts.error_ratio == THRESHOLD
        simulator = Simulator(SimulationPlan(registry, 3.0))
        simulator.start()
        [port] = distinct_free_ports(1)
        url = start_prometheus(group, registry, port, "1s")  # rules evaluated every second
        wait_for_targets(url, len(registry.instances))
        time.sleep(3)  # a few samples for the 1m rates
        yield Stack(registry, simulator, url)
    finally:
        if simulator is not None:
            simulator.stop()
        group.stop_all()
        shutil.rmtree(workdir, ignore_errors=True)


def _query(stack: Stack, expr: str, at: float | None = None) -> dict[str, float]:
    params = {"query": expr} if at is None else {"query": expr, "time": f"{at:.3f}"}
    result = api(stack.prometheus, "/api/v1/query", params)["data"]["result"]
    return {s["metric"].get("instance", ""): float(s["value"][1]) for s in result}


def _wait_for(what: str, probe: Callable[[], Any], timeout: float = 40) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = probe()
        if found:
            return found
        time.sleep(0.5)
    raise AssertionError(f"{what}: not within {timeout:.0f}s")


def _alerts(stack: Stack, instance: str) -> list[dict[str, Any]]:
    alerts = api(stack.prometheus, "/api/v1/alerts")["data"]["alerts"]
    return [
        a
        for a in alerts
        if a["labels"]["alertname"] == "HighErrorRatio" and a["labels"]["instance"] == instance
    ]


def _evaluated_at(stack: Stack, series: str, instance: str) -> tuple[float, float]:
    """(the time of the recorded series' latest evaluation, its value then)."""
    selector = f'{series}{{instance="{instance}"}}'
    at = _query(stack, f"timestamp({selector})")[instance]
    return at, _query(stack, selector, at)[instance]


def _dashboard(stack: Stack, query: queries.Query, service: str, at: float) -> dict[str, float]:
    """A dashboard's raw query as Grafana sends it, on the recording rules' 1m window."""
    values = {"__rate_interval": rec.WINDOW, "service": service, "instance": ".+"}
    return _query(stack, expand(query.expr, values), at)


def test_a_stream_of_404s_is_no_server_error(stack: Stack) -> None:
    route = stack.simulator.inject(SCANNED, "/wp-login.php", 404, 30.0)
    assert route == "/wp-login.php"  # the raw URL: a Python service matched no route
    scanned = f'instance="{SCANNED}"'
    # The errors counter counts them: a ratio of it crosses the threshold…
    errors_ratio = (
        f"sum by (instance) (rate(http_request_errors_total{{{scanned}}}[1m])) / "
        f"sum by (instance) (rate(http_requests_total{{{scanned}}}[1m]))"
    )
    _wait_for("404s counted", lambda: _query(stack, errors_ratio).get(SCANNED, 0) > THRESHOLD)
    client = _wait_for(
        "recorded 4xx ratio above the threshold",
        lambda: _query(stack, f"{rec.CLIENT_ERROR_RATIO}{{{scanned}}}").get(SCANNED, 0) > THRESHOLD,
    )
    assert client
    time.sleep(3)  # three more evaluations of the alert rules
    # … but the server error ratio stays 0, and HighErrorRatio is neither pending nor firing.
    at, server = _evaluated_at(stack, rec.SERVER_ERROR_RATIO, SCANNED)
    assert server == 0.0
    assert _alerts(stack, SCANNED) == []
    assert _dashboard(stack, queries.error_ratio("risk-monitor"), "risk-monitor", at) == {
        SCANNED: 0.0
    }
    # The 4xx line of the panel holds what the recording rule holds.
    at, recorded = _evaluated_at(stack, rec.CLIENT_ERROR_RATIO, SCANNED)
    client_line = queries.type_error_ratio("risk-monitor", queries.CLIENT_ERRORS)
    assert recorded > THRESHOLD
    assert _dashboard(stack, client_line, "risk-monitor", at)[""] == pytest.approx(
        recorded, rel=0.05
    )
    routes = _query(stack, f'http_request_errors_total{{{scanned}, route="/wp-login.php"}}')
    assert routes[SCANNED] > 0


def test_a_stream_of_500s_raises_the_ratio_and_the_alert(stack: Stack) -> None:
    assert stack.simulator.inject(FAILING, "/api/v1/orders", 500, 20.0, "POST") == "/api/v1/orders"
    [pending] = _wait_for("HighErrorRatio pending", lambda: _alerts(stack, FAILING))
    assert pending["state"] == "pending"  # `for: 5m`
    assert float(pending["value"]) > THRESHOLD
    at, recorded = _evaluated_at(stack, rec.SERVER_ERROR_RATIO, FAILING)
    assert THRESHOLD < recorded < 1
    # The dashboards' raw queries, per instance and for the type, give the same value.
    raw = _dashboard(stack, queries.error_ratio("exchange-simulator"), "exchange-simulator", at)
    assert raw[FAILING] == pytest.approx(recorded, rel=0.05)
    together = queries.type_error_ratio("exchange-simulator", queries.SERVER_ERRORS)
    assert _dashboard(stack, together, "exchange-simulator", at)[""] == pytest.approx(
        recorded, rel=0.05
    )  # exchange-okx is the type's one instance
    # The scanned instance of the other test is still at 0: only 5xx count.
    assert _alerts(stack, SCANNED) == []

"""The simulator: exposition format, known rates, and clear errors on bad addresses."""

from __future__ import annotations

import dataclasses
import math
import re
import socket
import time
import urllib.error
import urllib.request

import pytest

from tsedash.processes import MissingProgram, find_program, free_port
from tsedash.simulate import SimulationPlan, Simulator, SimulatorError
from tsedash.simulate.exposition import Family, render
from tsedash.simulate.plan import Traffic
from tsedash.stack import localize

from .dashboard_helpers import fixture_registry


def test_exposition_format_escapes_label_values() -> None:
    fam = Family("x_total", "counter", "help\nline")
    fam.samples.append(({"b": 'q"\\', "a": "1"}, 2.5))
    fam.samples.append(({}, 1.0))
    assert render([fam]) == (
        b'# HELP x_total help\\nline\n# TYPE x_total counter\nx_total{a="1",b="q\\"\\\\"} 2.5\n'
        b"x_total 1.0\n"
    )


def _families(
    plan: SimulationPlan, name: str, elapsed: float, traffic: Traffic
) -> dict[str, Family]:
    inst = next(i for i in plan.registry.instances if i.instance_name == name)
    return {f.name: f for f in plan.instance_families(inst, elapsed, traffic)}


def test_the_real_services_exposition() -> None:
    reg = fixture_registry()
    plan = SimulationPlan(reg, base_rate=2.0)
    okx = next(i for i in reg.instances if i.instance_name == "exchange-OKX")
    traffic = Traffic()
    families = _families(plan, "exchange-OKX", 10.0, traffic)
    # Go service: RED metrics with the constant labels service/instance/version.
    requests = families["http_requests_total"].samples
    assert {tuple(sorted(labels)) for labels, _ in requests} == {
        ("code", "instance", "method", "route", "service", "version")
    }
    by_code = {labels["code"]: value for labels, value in requests}
    assert by_code == {
        "200": math.floor(plan.instance_rate(okx) * 0.95 * 10),
        "400": math.floor(plan.instance_rate(okx) * 0.05 * 10),
        "404": math.floor((0.2 + 0.05) * 10),  # /favicon.ico and /.env: both `unknown` on Go
    }
    assert {labels["route"] for labels, _ in requests} == {"/api/v1/orders", "unknown"}
    # Every status >= 400 is an error to the middleware: the bad requests and the 404s.
    errors = {
        labels["code"]: value for labels, value in families["http_request_errors_total"].samples
    }
    assert errors == {"400": by_code["400"], "404": by_code["404"]}
    buckets = [s for s in families["http_request_duration_seconds"].suffixed if s[0] == "_bucket"]
    assert {labels["le"] for _, labels, _ in buckets} >= {"0.005", "10.0", "+Inf"}
    assert families["process_start_time_seconds"].samples[0][1] == int(plan.started_at)
    assert "go_goroutines" in families and "python_info" not in families
    assert not [name for name in families if name.endswith("_created")]  # prometheus-client's
    # Readiness only after /api/v1/ready was requested.
    assert "service_dependency_ready" not in families
    traffic.record("GET", "/api/v1/ready", 200, 0.001)
    ready = _families(plan, "exchange-OKX", 10.0, traffic)["service_dependency_ready"]
    assert sorted(labels["dependency"] for labels, _ in ready.samples) == ["postgres", "redis"]


def test_series_appear_with_their_first_request() -> None:
    plan = SimulationPlan(fixture_registry(), base_rate=2.0)
    traffic = Traffic()
    # At start nothing was requested: no RED series at all (the errors counter neither).
    early = _families(plan, "test-coordinator", 0.0, traffic)
    assert "http_requests_total" not in early and "http_request_errors_total" not in early
    assert "python_info" in early and "go_goroutines" not in early  # a Python service
    traffic.record("GET", "/metrics", 200, 0.003)
    after = _families(plan, "test-coordinator", 0.0, traffic)
    [(labels, value)] = after["http_requests_total"].samples
    assert labels == {"method": "GET", "route": "/metrics", "code": "200"}  # no constant labels
    assert value == 1.0
    assert "http_request_errors_total" not in after
    # prometheus-client serves each series' creation time beside it: when it was first counted.
    [(created_labels, created)] = after["http_requests_created"].samples
    assert created_labels == labels and created == pytest.approx(time.time(), abs=5)
    assert after["http_requests_created"].type == "gauge"
    assert (
        list(after).index("http_requests_created") == list(after).index("http_requests_total") + 1
    )


def test_planned_metrics_only_when_asked() -> None:
    reg = fixture_registry()
    plain = _families(SimulationPlan(reg), "audit-correlator", 10.0, Traffic())
    assert "audit_backlog" not in plain and "audit_events_total" in plain
    planned = _families(SimulationPlan(reg, with_planned=True), "audit-correlator", 10.0, Traffic())
    assert "audit_backlog" in planned


def test_counters_are_rate_times_elapsed() -> None:
    reg = fixture_registry()
    plan = SimulationPlan(reg, base_rate=2.0)
    okx = next(i for i in reg.instances if i.instance_name == "exchange-OKX")
    families = _families(plan, "exchange-OKX", 10.0, Traffic())
    [(labels, value)] = families["trades_total"].samples
    assert labels == {} and value == pytest.approx(plan.instance_rate(okx) * 10)
    depth = families["order_book_depth"]
    assert len(depth.samples) == 3 * 2  # symbol x side


def fetch(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=5) as resp:
        body: bytes = resp.read()
        return body


def test_serves_each_instance_on_its_address() -> None:
    reg = localize(fixture_registry(), {"cadvisor": f"127.0.0.1:{free_port()}"})
    with Simulator(SimulationPlan(reg)) as sim:
        for inst in reg.instances:
            fetch(f"http://{inst.address}/metrics")
            # The first scrape is counted after it was answered, as the middleware does, on
            # the route its middleware records: test-coordinator (a newer FastAPI) declares
            # its metrics route as "", so `unknown`.
            route = "unknown" if inst.service_name == "test-coordinator" else "/metrics"
            body = fetch(f"http://{inst.address}/metrics").decode()
            assert (route, "200") in _red_labels(body, "http_requests_total"), inst.instance_name
        cadvisor = reg.infrastructure[0].address
        body = fetch(f"http://{cadvisor}/metrics").decode()
        assert 'container_memory_working_set_bytes{name="te-exchange-OKX"}' in body
        first = reg.instances[0].address
        with pytest.raises(urllib.error.HTTPError) as info:
            fetch(f"http://{first}/other")
        assert info.value.code == 404
        info.value.close()
        body = fetch(f"http://{first}/metrics").decode()
        assert 'http_request_errors_total{code="404",instance="audit-correlator"' in body
        assert 'route="unknown"' in body
        assert b'"healthy"' in fetch(f"http://{first}/api/v1/health")
        assert sim.elapsed() >= 0


def test_trading_engine_path_and_404_on_metrics() -> None:
    from tsedash.registry import load_registry

    from .conftest import ROOT

    reg = localize(load_registry(ROOT / "instances.yaml"), {})
    engine = next(i for i in reg.instances if i.service_name == "trading-system-engine")
    with Simulator(SimulationPlan(reg)):
        with pytest.raises(urllib.error.HTTPError) as info:
            fetch(f"http://{engine.address}/metrics")
        assert info.value.code == 404
        info.value.close()
        body = fetch(f"http://{engine.address}/api/v1/metrics").decode()
        assert "python_info" in body


def test_port_in_use_is_a_clear_error() -> None:
    reg = localize(fixture_registry(), {})
    host, port = reg.instances[1].address.split(":")
    with socket.socket() as taken:
        taken.bind((host, int(port)))
        taken.listen()
        with pytest.raises(
            SimulatorError, match=f"cannot bind 127.0.0.1:{port}.*port already in use"
        ):
            Simulator(SimulationPlan(reg)).start()
    # All or nothing: the first instance's listener was closed again.
    first_host, first_port = reg.instances[0].address.split(":")
    with socket.socket() as probe:
        probe.bind((first_host, int(first_port)))


def test_unresolvable_host_and_shared_address() -> None:
    reg = fixture_registry()  # addresses like exchange-OKX:9100: not resolvable here
    with pytest.raises(SimulatorError, match="does not resolve here"):
        Simulator(SimulationPlan(reg)).start()
    shared = dataclasses.replace(
        reg,
        instances=tuple(dataclasses.replace(i, address="127.0.0.1:1") for i in reg.instances),
    )
    with pytest.raises(SimulatorError, match=re.escape("share the address 127.0.0.1:1")):
        Simulator(SimulationPlan(shared)).endpoints()


def test_missing_program_names_the_debian_package() -> None:
    with pytest.raises(MissingProgram, match="apt-get install prometheus-nothing"):
        find_program("prometheus-nothing")


def test_distinct_free_ports_never_repeat() -> None:
    from tsedash.stack import distinct_free_ports

    taken = free_port()
    ports = distinct_free_ports(40, {taken})
    assert len(set(ports)) == 40 and taken not in ports


def _red_labels(body: str, metric: str) -> set[tuple[str, str]]:
    """(route, code) of every sample of `metric` in an exposition."""
    found = set()
    for line in body.splitlines():
        if line.startswith(metric + "{"):
            labels = dict(re.findall(r'(\w+)="([^"]*)"', line.partition("}")[0]))
            found.add((labels["route"], labels["code"]))
    return found


def test_each_service_spells_its_routes_as_its_middleware_does() -> None:
    """Go: the full route, `unknown` for a path no route matches. Python: the raw URL of such
    a path; the full route on risk-monitor (FastAPI 0.120), the route without its router's
    prefix on the newer FastAPI of trading-system-engine and test-coordinator, where the
    metrics route is declared as "" and so `unknown`."""
    from tsedash.registry import load_registry

    from .conftest import ROOT

    reg = localize(load_registry(ROOT / "instances.yaml"), {})
    by_name = {i.instance_name: i for i in reg.instances}
    paths = ["/api/v1/health", "/favicon.ico", "/api/v1/nope", "/api/v1/metrics", "/metrics"]
    expected = {
        "exchange-okx": {
            ("/api/v1/health", "200"),
            ("unknown", "404"),
            ("/metrics", "200"),
        },
        "risk-monitor-lh": {
            ("/api/v1/health", "200"),
            ("/favicon.ico", "404"),
            ("/api/v1/nope", "404"),
            ("/api/v1/metrics", "404"),
            ("/metrics", "200"),
        },
        "trading-engine-lh": {
            ("/health", "200"),
            ("/favicon.ico", "404"),
            ("/api/v1/nope", "404"),
            ("unknown", "200"),
            ("/metrics", "404"),  # its metrics are at /api/v1/metrics
        },
        "test-coordinator": {
            ("/health", "200"),
            ("/favicon.ico", "404"),
            ("/api/v1/nope", "404"),
            ("/api/v1/metrics", "404"),
            ("unknown", "200"),
        },
    }
    with Simulator(SimulationPlan(reg)) as sim:
        sim.started = time.monotonic() + 3600  # no synthetic traffic: only these requests
        for name in expected:
            for path in paths:
                try:
                    fetch(f"http://{by_name[name].address}{path}")
                except urllib.error.HTTPError as err:
                    err.close()
            metrics = reg.metrics_path(reg.services[by_name[name].service_name])
            body = fetch(f"http://{by_name[name].address}{metrics}").decode()
            assert _red_labels(body, "http_requests_total") == expected[name], name
            errors = {(route, code) for route, code in expected[name] if code == "404"}
            assert _red_labels(body, "http_request_errors_total") == errors, name
            created = _red_labels(body, "http_requests_created")
            python = reg.services[by_name[name].service_name].language == "python"
            assert created == (expected[name] if python else set()), name


def test_synthetic_stray_requests_keep_their_url_on_python_services() -> None:
    from tsedash.registry import load_registry

    from .conftest import ROOT

    plan = SimulationPlan(load_registry(ROOT / "instances.yaml"), base_rate=2.0)
    engine = next(i for i in plan.registry.instances if i.instance_name == "trading-engine-lh")
    okx = next(i for i in plan.registry.instances if i.instance_name == "exchange-okx")
    assert plan.synthetic_routes(engine) == {
        ("POST", "/strategies", "200"): pytest.approx(plan.instance_rate(engine) * 0.95),
        ("POST", "/strategies", "400"): pytest.approx(plan.instance_rate(engine) * 0.05),
        ("GET", "/favicon.ico", "404"): 0.2,
        ("GET", "/.env", "404"): 0.05,
    }
    assert plan.synthetic_routes(okx) == {
        ("POST", "/api/v1/orders", "200"): pytest.approx(plan.instance_rate(okx) * 0.95),
        ("POST", "/api/v1/orders", "400"): pytest.approx(plan.instance_rate(okx) * 0.05),
        ("GET", "unknown", "404"): pytest.approx(0.25),
    }
    assert plan.client_error_rate(okx) == pytest.approx(plan.instance_rate(okx) * 0.05 + 0.25)


def test_injected_errors_are_counted_from_when_they_start() -> None:
    reg = localize(fixture_registry(), {})
    with Simulator(SimulationPlan(reg, base_rate=2.0)) as sim:
        assert sim.inject("exchange-OKX", "/api/v1/orders", 500, 50.0, "POST") == "/api/v1/orders"
        assert sim.inject("test-coordinator", "/wp-login.php", 404, 50.0) == "/wp-login.php"
        with pytest.raises(SimulatorError, match="no instance 'nope'"):
            sim.inject("nope", "/", 500, 1.0)
        time.sleep(0.3)
        okx = next(i for i in reg.instances if i.instance_name == "exchange-OKX")
        body = fetch(f"http://{okx.address}/metrics").decode()
        after = sim.elapsed()
        [served] = re.findall(
            r'^http_request_errors_total\{code="500",[^}]*route="/api/v1/orders"[^}]*\} (\S+)',
            body,
            re.MULTILINE,
        )
        # Injected 0.3 s or more before the scrape began, at most `after` s after start.
        assert math.floor(50 * 0.3) <= float(served) <= 50 * after
        coordinator = next(i for i in reg.instances if i.service_name == "test-coordinator")
        body = fetch(f"http://{coordinator.address}/metrics").decode()
        assert ("/wp-login.php", "404") in _red_labels(body, "http_request_errors_total")

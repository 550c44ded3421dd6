"""The simulator: exposition format, known rates, and clear errors on bad addresses."""

from __future__ import annotations

import dataclasses
import re
import socket
import urllib.error
import urllib.request

import pytest

from tsedash.processes import MissingProgram, find_program, free_port
from tsedash.simulate import SimulationPlan, Simulator, SimulatorError
from tsedash.simulate.exposition import Family, render
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


def test_counters_are_rate_times_elapsed() -> None:
    reg = fixture_registry()
    plan = SimulationPlan(reg, base_rate=2.0)
    okx = next(i for i in reg.instances if i.instance_name == "exchange-OKX")
    families = {f.name: f for f in plan.instance_families(okx, elapsed=10.0)}
    [(labels, value)] = families["trades_total"].samples
    assert labels == {} and value == pytest.approx(plan.instance_rate(okx) * 10)
    depth = families["order_book_depth"]
    assert len(depth.samples) == 3 * 2  # symbol x side
    flows = families["http_requests_total"].samples
    assert [lab["target_service"] for lab, _ in flows] == plan.flow_targets(okx)
    assert all(v == pytest.approx(10.0) for _, v in flows)


def fetch(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=5) as resp:
        body: bytes = resp.read()
        return body


def test_serves_each_instance_on_its_address() -> None:
    reg = localize(fixture_registry(), {"cadvisor": f"127.0.0.1:{free_port()}"})
    with Simulator(SimulationPlan(reg)) as sim:
        for inst in reg.instances:
            assert b"http_requests_total" in fetch(f"http://{inst.address}/metrics")
        cadvisor = reg.infrastructure[0].address
        body = fetch(f"http://{cadvisor}/metrics").decode()
        assert 'container_memory_usage_bytes{name="te-exchange-OKX"}' in body
        with pytest.raises(urllib.error.HTTPError) as info:
            fetch(f"http://{reg.instances[0].address}/other")
        assert info.value.code == 404
        info.value.close()
        assert sim.elapsed() >= 0


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


def test_each_type_is_served_at_its_own_metrics_path() -> None:
    from tsedash.registry import load_registry
    from tsedash.simulate.plan import SimulationPlan
    from tsedash.simulate.server import Simulator

    from .conftest import ROOT

    paths = Simulator(SimulationPlan(load_registry(ROOT / "instances.yaml"))).metrics_paths()
    assert paths["trading-system-engine:8080"] == "/api/v1/metrics"
    assert paths["exchange-simulator:8080"] == "/metrics"

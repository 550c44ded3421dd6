"""`tsedash demo`: the simulator and a real Prometheus on loopback, until Ctrl-C."""

from __future__ import annotations

import contextlib
import signal
import tempfile
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from types import FrameType

from tsedash.processes import ProcessGroup, free_port
from tsedash.registry import Registry
from tsedash.simulate import SimulationPlan, Simulator
from tsedash.stack import (
    LOOPBACK,
    distinct_free_ports,
    localize,
    start_prometheus,
    wait_for_targets,
)


@contextlib.contextmanager
def stop_requested() -> Iterator[threading.Event]:
    """An event set by SIGINT/SIGTERM (Ctrl-C), caught from the moment this is entered: a
    Ctrl-C while things start up (or right after "ready" is printed) still stops cleanly."""
    stop = threading.Event()

    def handler(signum: int, frame: FrameType | None) -> None:
        stop.set()

    previous = {s: signal.signal(s, handler) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield stop
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)


def run_demo(
    registry: Registry,
    say: Callable[[str], None],
    port: int | None = None,
    rate: float = 2.0,
    seconds: float | None = None,
    workdir: Path | None = None,
    with_planned: bool = False,
) -> None:
    port = port or free_port()
    [cadvisor_port] = distinct_free_ports(1, {port})
    cadvisor = f"{LOOPBACK}:{cadvisor_port}"
    local = localize(registry, {"prometheus": f"{LOOPBACK}:{port}", "cadvisor": cadvisor})
    with stop_requested() as stop, tempfile.TemporaryDirectory(prefix="tsedash-demo-") as tmp:
        group = ProcessGroup(workdir or Path(tmp))
        simulator = Simulator(SimulationPlan(local, rate, with_planned))
        try:
            simulator.start()
            url = start_prometheus(group, local, port, "5s")
            say(f"simulator: {len(local.instances)} instances + cadvisor on {LOOPBACK}")
            say(f"prometheus: {url} (config {group.workdir / 'prometheus' / 'prometheus.yml'})")
            wait_for_targets(url, len(local.instances) + len(local.infrastructure), timeout=30)
            say("ready: every target is up")
            say(f"  try  tsedash verify --prometheus {url} --dashboards provisioning")
            say(f"  or   {url}/graph?g0.expr=sum%20by%20(job)%20(rate(http_requests_total[1m]))")
            say(f"  or   {url}/targets")
            say("  point a Grafana datasource at it, and mount provisioning/ ; Ctrl-C stops all")
            stop.wait(seconds)
        finally:
            simulator.stop()
            group.stop_all()
            say("stopped: simulator and prometheus")

"""`tsedash demo`: the simulator and a real Prometheus on loopback, until Ctrl-C.

Every job the registry declares is scraped: the services and cAdvisor from the simulator,
Prometheus itself, and the other infrastructure jobs (redis, postgres, grafana, jaeger) from
simulated exporters, labelled as such in the output. "ready" is said only when what
`tsedash verify --prometheus URL --dashboards DIR` checks passes: the demo runs that very
check (rates need two scrapes of every target in the rate window, so it takes ~3 scrapes).
"""

from __future__ import annotations

import contextlib
import signal
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import FrameType

from tsedash.processes import ProcessFailed, ProcessGroup, free_port
from tsedash.registry import Registry
from tsedash.simulate import SimulationPlan, Simulator
from tsedash.simulate.exporters import (
    NOT_SIMULATED,
    SIGNATURES,
    SimulatedExporters,
    simulated_jobs,
)
from tsedash.simulate.plan import CADVISOR_JOB
from tsedash.spec import DEFAULT_REGISTRY
from tsedash.stack import (
    LOOPBACK,
    api,
    distinct_free_ports,
    localize,
    start_prometheus,
    wait_for_targets,
)
from tsedash.verify import verify

SCRAPE_INTERVAL = "5s"
RATE_WINDOW = "1m"  # `tsedash verify`'s default $__rate_interval
READY_TIMEOUT = 120.0  # seconds; ready takes about three scrape intervals
RECHECK_SECONDS = 2.0


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


def wait_for_stop(stop: threading.Event, seconds: float | None = None) -> None:
    """Until `stop` is set or `seconds` pass, waking every second: a signal another thread
    (a server's) took is handled only once the main thread runs again, and an untimed wait
    would never run it."""
    deadline = None if seconds is None else time.monotonic() + seconds
    while not stop.wait(1.0 if deadline is None else min(1.0, deadline - time.monotonic())):
        if deadline is not None and time.monotonic() >= deadline:
            return


def simulate_until_stopped(
    plan: SimulationPlan, bind_host: str | None, on_serving: Callable[[list[str]], None]
) -> None:
    """`tsedash simulate`: serve the plan until Ctrl-C or SIGTERM, telling `on_serving` the
    endpoints once they listen."""
    simulator = Simulator(plan, bind_host)
    with stop_requested() as stop:
        on_serving(simulator.start())
        try:
            wait_for_stop(stop)
        finally:
            simulator.stop()


def serving_line(served: list[str]) -> str:
    """What `tsedash simulate` says once its endpoints listen (the first four named)."""
    more = " …" if len(served) > 4 else ""
    return f"serving {len(served)} endpoints ({', '.join(served[:4])}{more}); Ctrl-C stops"


def verify_options(
    registry: str | None, compose: Sequence[str] = (), discover: str | None = None
) -> str:
    """The options the printed `tsedash verify` command needs to read the demo's registry:
    none for the default registry, else `--registry FILE`, and every `--compose`/`--discover`."""
    default = registry is None or Path(registry).resolve() == Path(DEFAULT_REGISTRY).resolve()
    hint = "" if default else f" --registry {registry}"
    hint += "".join(f" --compose {c}" for c in compose)
    return hint + (f" --discover {discover}" if discover else "")


@dataclass(frozen=True)
class Ready:
    """What the demo says once ready: where Prometheus is and how to look at it."""

    prometheus: str
    checked: str  # what passed: verify on the dashboards, or every target scraped twice
    verify: str  # the `tsedash verify` command that passes now

    def as_dict(self) -> dict[str, str | bool]:
        return {
            "ready": True,
            "prometheus": self.prometheus,
            "checked": self.checked,
            "verify": self.verify,
            "graph": f"{self.prometheus}{GRAPH}",
            "targets": f"{self.prometheus}/targets",
            "preview": self.preview,
        }

    @property
    def preview(self) -> str:
        """The same dashboards drawn with this Prometheus' data (`tsedash preview`)."""
        dashboards = self.verify.partition(" --dashboards ")[2]
        where = f" --dashboards {dashboards}" if dashboards else ""
        return f"tsedash preview --prometheus {self.prometheus}{where}"

    def lines(self) -> list[str]:
        return [
            f"ready: every target is up; {self.checked}",
            f"  try  {self.verify}",
            f"  or   {self.preview}",
            f"  or   {self.prometheus}{GRAPH}",
            f"  or   {self.prometheus}/targets",
            "  point a Grafana datasource at it, and mount provisioning/ ; Ctrl-C stops all",
        ]


GRAPH = "/graph?g0.expr=sum%20by%20(job)%20(rate(http_requests_total[1m]))"


def run_demo(
    registry: Registry,
    say: Callable[[str], None],
    port: int | None = None,
    rate: float = 2.0,
    seconds: float | None = None,
    workdir: Path | None = None,
    with_planned: bool = False,
    dashboards: Path | None = None,
    verify_hint: str = "",
    ready_timeout: float = READY_TIMEOUT,
    on_ready: Callable[[Ready], None] | None = None,
) -> None:
    """Serve, scrape, and say "ready" only once `tsedash verify` against this Prometheus
    passes for `dashboards` (None: once every target is up and scraped twice).
    `verify_hint`: options the printed verify command needs (`--registry FILE`).
    `on_ready`: given the ready facts instead of `say` (a document, or lines elsewhere)."""
    port = port or free_port()
    stand_ins = [j.job for j in registry.infrastructure if j.job not in NOT_SIMULATED]
    cadvisor_port, *stand_in_ports = distinct_free_ports(1 + len(stand_ins), {port})
    infrastructure = {
        "prometheus": f"{LOOPBACK}:{port}",
        CADVISOR_JOB: f"{LOOPBACK}:{cadvisor_port}",
        **{job: f"{LOOPBACK}:{p}" for job, p in zip(stand_ins, stand_in_ports, strict=True)},
    }
    local = localize(registry, infrastructure)
    with stop_requested() as stop, tempfile.TemporaryDirectory(prefix="tsedash-demo-") as tmp:
        group = ProcessGroup(workdir or Path(tmp))
        simulator = Simulator(SimulationPlan(local, rate, with_planned))
        exporters = SimulatedExporters(
            simulated_jobs({j.job: j.address for j in local.infrastructure})
        )
        try:
            simulator.start()
            exporters.start()
            url = start_prometheus(group, local, port, SCRAPE_INTERVAL)
            say(f"simulator: {len(local.instances)} instances + cadvisor on {LOOPBACK}")
            if stand_ins:
                say(_stand_ins_line(stand_ins))
            say(f"prometheus: {url} (config {group.workdir / 'prometheus' / 'prometheus.yml'})")
            wait_for_targets(url, len(local.instances) + len(local.infrastructure), timeout=30)
            say(f"waiting until {_readiness(dashboards)}")
            checked = wait_until_ready(url, local, dashboards, stop, ready_timeout)
            if checked is None:
                return  # Ctrl-C while waiting
            where = dashboards or Path("provisioning")
            command = f"tsedash verify --prometheus {url}{verify_hint} --dashboards {where}"
            ready = Ready(url, checked, command)
            if on_ready is None:
                for line in ready.lines():
                    say(line)
            else:
                on_ready(ready)
            wait_for_stop(stop, seconds)
        finally:
            exporters.stop()
            simulator.stop()
            group.stop_all()
            say("stopped: simulator and prometheus")


def _stand_ins_line(jobs: list[str]) -> str:
    served = ", ".join(
        f"{job} ({SIGNATURES[job][0]} 1)" if job in SIGNATURES else job for job in jobs
    )
    return (
        f"simulated exporters: {served} on {LOOPBACK}: stand-ins so every infrastructure job "
        "is scraped; no real server runs behind them"
    )


def _readiness(dashboards: Path | None) -> str:
    if dashboards is None:
        return "every target has been scraped twice (no dashboards given to verify)"
    return (
        f"`tsedash verify` finds data in every panel of {dashboards} "
        f"(rates need two scrapes, every {SCRAPE_INTERVAL})"
    )


def wait_until_ready(
    url: str,
    registry: Registry,
    dashboards: Path | None,
    stop: threading.Event,
    timeout: float = READY_TIMEOUT,
) -> str | None:
    """Until what `tsedash verify --prometheus URL --dashboards DIR` checks passes (rates need
    two scrapes of every target in the rate window); what was checked, or None when stopped.
    ProcessFailed naming the first failure when it still fails after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        failures, checked = _readiness_failures(url, registry, dashboards)
        if not failures:
            return checked
        if time.monotonic() > deadline:
            more = f" (+{len(failures) - 1} more)" if len(failures) > 1 else ""
            raise ProcessFailed(f"not ready after {timeout:.0f}s: {failures[0]}{more}")
        if stop.wait(RECHECK_SECONDS):
            return None


def _readiness_failures(
    url: str, registry: Registry, dashboards: Path | None
) -> tuple[list[str], str]:
    if dashboards is not None:
        report = verify(url, registry, dashboards)
        shown = sum(1 for p in report.panels if not p.planned)
        return report.failures(), (
            f"`tsedash verify` passes: {shown} panels have data for all "
            f"{len(report.instances)} instances"
        )
    scrapes = api(url, "/api/v1/query", {"query": f"count_over_time(up[{RATE_WINDOW}])"})
    counts = {
        f"{s['metric'].get('job')}/{s['metric'].get('instance')}": float(s["value"][1])
        for s in scrapes["data"]["result"]
    }
    once = [f"{target}: scraped once so far" for target, n in sorted(counts.items()) if n < 2]
    return once, f"all {len(counts)} targets scraped at least twice"

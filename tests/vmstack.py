"""A real sharded stack on loopback for the tests: the simulator, N Prometheus shards writing
into Debian's VictoriaMetrics, vmalert over it, Alertmanager, and a reference Prometheus that
scrapes the same targets alone. Every program on a free 127.0.0.1 port, stopped by its PID.

The generated files are used as `tsedash.prometheus.shards` writes them, with two test-only
changes, both stated here: every alert's `for` is shortened to FOR (a test cannot wait 5 m per
alert), and one instance ("missing") is left out of the targets files while the
expected-instances list keeps it: what a forgotten scrape config looks like.
"""

from __future__ import annotations

import dataclasses
import json
import sys
import threading
import time
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from tsedash.files import atomic_write
from tsedash.processes import ProcessGroup, find_program, http_ok
from tsedash.prometheus import expected
from tsedash.prometheus.config import file_sd_targets
from tsedash.prometheus.shards import (
    ALERTMANAGER_FILE,
    GLOBAL_ALERTS_FILE,
    render_sharded,
    shard_config_file,
    shard_of,
)
from tsedash.registry import Registry
from tsedash.simulate import SimulationPlan, Simulator
from tsedash.stack import LOOPBACK, distinct_free_ports, localize, start_prometheus

SCRAPE = "1s"
FOR = "5s"  # every alert's `for`, shortened (the generated files say 1m to 5m)
BASE_RATE = 3.0


class AlertWatch:
    """Every alert Alertmanager holds, polled each second in a thread from `start` to `stop`:
    what a window of the stack raised, the transient alerts too (one look at the end would
    miss them)."""

    def __init__(self, alerts: Callable[[], list[dict[str, Any]]], every: float = 1.0) -> None:
        self._alerts = alerts
        self._every = every
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._poll, name="alert-watch", daemon=True)
        self.seen: set[tuple[str, str]] = set()  # (alertname, instance)
        self.polls = 0
        self.errors: list[str] = []
        self.started = self.stopped = time.monotonic()

    def start(self) -> None:
        self.started = time.monotonic()
        self._thread.start()

    def _poll(self) -> None:
        while not self._stopping.is_set():
            try:
                alerts = self._alerts()
            except OSError as err:  # kept: a window with blind spots must not pass
                self.errors.append(str(err))
            else:
                self.seen |= {
                    (a["labels"]["alertname"], a["labels"].get("instance", "")) for a in alerts
                }
                self.polls += 1
            self._stopping.wait(self._every)

    def stop(self) -> None:
        """Idempotent: the first call ends the window."""
        if self._thread.is_alive():
            self._stopping.set()
            self._thread.join(timeout=15)
            self.stopped = time.monotonic()

    def stop_after(self, seconds: float) -> float:
        """Until the window is `seconds` long (unless stopped before), then stop; its length."""
        if self._thread.is_alive():
            time.sleep(max(0.0, self.started + seconds - time.monotonic()))
            self.stop()
        return self.stopped - self.started


@dataclass
class VMStack:
    registry: Registry  # every instance, the missing one too
    shards: list[str]  # the shards' URLs, shard 0 first
    victoria: str
    vmalert: str
    alertmanager: str
    reference: str
    missing: str  # an instance in the registry that no shard scrapes
    victim: str  # an instance served by a simulator of its own, to be killed
    config_dir: Path
    victim_simulator: Simulator
    simulators: list[Simulator] = field(default_factory=list)
    group: ProcessGroup | None = None
    started: float = field(default_factory=time.monotonic)
    watch: AlertWatch | None = None  # the healthy window, ended by the first fault made

    def watch_alerts(self) -> AlertWatch:
        self.watch = AlertWatch(self.alerts)
        self.watch.start()
        return self.watch

    def end_healthy_window(self) -> None:
        """Before a fault is made: the healthy window ends there."""
        if self.watch is not None:
            self.watch.stop()

    def stop_shard(self, shard: int) -> None:
        """Stop one shard by the PID we started: its instances stop reaching the store."""
        assert self.group is not None
        self.end_healthy_window()
        next(m for m in self.group.started if m.name == f"prometheus-shard-{shard}").stop()

    def wait_for_full_windows(self, seconds: float = 75) -> None:
        """Until the recording rules' 1 m windows hold a full minute on every server: before
        that, rates ramp up, each server from its own first scrape."""
        time.sleep(max(0.0, seconds - (time.monotonic() - self.started)))

    def kill_victim(self) -> None:
        self.end_healthy_window()
        self.victim_simulator.stop()

    def alerts(self) -> list[dict[str, Any]]:
        """The alerts Alertmanager holds (active, silenced or not)."""
        with urllib.request.urlopen(f"{self.alertmanager}/api/v2/alerts", timeout=5) as resp:
            alerts: list[dict[str, Any]] = json.loads(resp.read())
        return alerts


def _shortened(text: bytes) -> bytes:
    rules = yaml.safe_load(text)
    for group in rules["groups"]:
        for rule in group["rules"]:
            if "for" in rule:
                rule["for"] = FOR
    return yaml.safe_dump(rules, sort_keys=True).encode()


def _spread_registry(registry: Registry, shards: int, infrastructure: dict[str, str]) -> Registry:
    """Loopback addresses on which every shard keeps at least two instances besides the
    missing one (the hash of random ports could leave a shard idle or holding only the
    victim, and then the test would prove less)."""
    while True:
        local = localize(registry, infrastructure)
        kept = [shard_of(i.address, shards) for i in local.instances[:-1]]
        if all(kept.count(shard) >= 2 for shard in range(shards)):
            return local


def _victim(registry: Registry, missing: str, shards: int) -> str:
    """An instance of the last shard: its alerts travel from a shard other than shard 0."""
    return next(
        i.instance_name
        for i in registry.instances
        if i.instance_name != missing and shard_of(i.address, shards) == shards - 1
    )


def write_files(
    registry: Registry, config_dir: Path, shards: int, urls: dict[str, str], missing: str
) -> None:
    files = render_sharded(
        registry,
        shards,
        urls["victoria"],
        scrape_interval=SCRAPE,
        expected_address=urls["expected"],
        alertmanager=urls["alertmanager"].removeprefix("http://"),
        refresh_interval="1s",
    )
    scraped = dataclasses.replace(
        registry, instances=tuple(i for i in registry.instances if i.instance_name != missing)
    )
    for job, entries in file_sd_targets(scraped).items():
        files[f"targets/{job}.json"] = json.dumps(entries, indent=2).encode()
    for name, text in list(files.items()):
        if name.startswith("rules/") and "alerts" in name:
            files[name] = _shortened(text)
    for name, text in files.items():
        atomic_write(config_dir / name, text)


def start_vmstack(group: ProcessGroup, registry: Registry, shards: int = 2) -> VMStack:
    """Everything started and ready (not yet scraped: see `wait_for_global`)."""
    ports = distinct_free_ports(shards + 5)
    shard_ports, (vm, vmalert, am, reference, served) = ports[:shards], ports[shards:]
    registry = _spread_registry(registry, shards, {"prometheus": f"{LOOPBACK}:{shard_ports[0]}"})
    missing = registry.instances[-1].instance_name
    victim = _victim(registry, missing, shards)
    url = {
        "victoria": f"http://{LOOPBACK}:{vm}",
        "alertmanager": f"http://{LOOPBACK}:{am}",
        "expected": f"{LOOPBACK}:{served}",
    }
    config_dir = group.workdir / "sharded"
    write_files(registry, config_dir, shards, url, missing)
    simulators = _start_simulators(registry, missing, victim)
    _serve_expected(group, config_dir, served)
    group.start(
        "victoria-metrics",
        [
            find_program("victoria-metrics"),
            f"-httpListenAddr={LOOPBACK}:{vm}",
            f"-storageDataPath={group.workdir / 'victoria-data'}",
            "-retentionPeriod=1d",
            "-search.latencyOffset=1s",  # the default 30 s hides the newest samples
        ],
        ready=lambda: http_ok(f"{url['victoria']}/health"),
    )
    group.start(
        "alertmanager",
        [
            find_program("prometheus-alertmanager"),
            f"--config.file={config_dir / ALERTMANAGER_FILE}",
            f"--storage.path={group.workdir / 'alertmanager-data'}",
            f"--web.listen-address={LOOPBACK}:{am}",
            "--cluster.listen-address=",  # one Alertmanager: no gossip port
        ],
        ready=lambda: http_ok(f"{url['alertmanager']}/-/ready"),
    )
    shard_urls = [_start_shard(group, config_dir, i, port) for i, port in enumerate(shard_ports)]
    vmalert_url = f"http://{LOOPBACK}:{vmalert}"
    group.start(
        "vmalert",
        [
            find_program("vmalert"),
            f"-rule={config_dir / GLOBAL_ALERTS_FILE}",
            f"-datasource.url={url['victoria']}",
            f"-notifier.url={url['alertmanager']}",
            f"-evaluationInterval={SCRAPE}",
            f"-httpListenAddr={LOOPBACK}:{vmalert}",
        ],
        ready=lambda: http_ok(f"{vmalert_url}/health"),
    )
    scraped = dataclasses.replace(
        registry, instances=tuple(i for i in registry.instances if i.instance_name != missing)
    )
    reference_url = start_prometheus(group, scraped, reference, SCRAPE, refresh_interval="1s")
    return VMStack(
        registry,
        shard_urls,
        url["victoria"],
        vmalert_url,
        url["alertmanager"],
        reference_url,
        missing,
        victim,
        config_dir,
        simulators[0],
        simulators,
        group,
    )


def _start_simulators(registry: Registry, missing: str, victim: str) -> list[Simulator]:
    """The victim on a simulator of its own (stopping it is a killed instance); the missing
    instance served by none."""
    only = {
        "victim": [i for i in registry.instances if i.instance_name == victim],
        "rest": [i for i in registry.instances if i.instance_name not in (victim, missing)],
    }
    simulators = []
    for instances in only.values():
        plan = SimulationPlan(dataclasses.replace(registry, instances=tuple(instances)), BASE_RATE)
        simulator = Simulator(plan)
        simulator.start()
        simulators.append(simulator)
    return simulators


def _serve_expected(group: ProcessGroup, config_dir: Path, port: int) -> None:
    directory = config_dir / Path(expected.FILE).parent
    group.start(
        "expected-instances",
        [sys.executable, "-m", "http.server", "--bind", LOOPBACK, "-d", str(directory), str(port)],
        ready=lambda: http_ok(f"http://{LOOPBACK}:{port}/metrics"),
    )


def _start_shard(group: ProcessGroup, config_dir: Path, shard: int, port: int) -> str:
    url = f"http://{LOOPBACK}:{port}"
    group.start(
        f"prometheus-shard-{shard}",
        [
            find_program("prometheus"),
            f"--config.file={config_dir / shard_config_file(shard)}",
            f"--storage.tsdb.path={group.workdir / f'shard-{shard}-data'}",
            f"--web.listen-address={LOOPBACK}:{port}",
        ],
        ready=lambda: http_ok(f"{url}/-/ready"),
    )
    return url


def query(url: str, expr: str) -> list[dict[str, Any]]:
    params = urllib.parse.urlencode({"query": expr})
    with urllib.request.urlopen(f"{url}/api/v1/query?{params}", timeout=10) as resp:
        result: list[dict[str, Any]] = json.loads(resp.read())["data"]["result"]
    return result


def delete_series(victoria: str, match: str) -> None:
    """VictoriaMetrics' delete API: the series are gone from every answer at once."""
    params = urllib.parse.urlencode({"match[]": match})
    url = f"{victoria}/api/v1/admin/tsdb/delete_series?{params}"
    with urllib.request.urlopen(urllib.request.Request(url, method="POST"), timeout=10):
        pass


def wait_until(what: str, check: Any, timeout: float = 60) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.5)
    raise AssertionError(f"not within {timeout:.0f}s: {what}")

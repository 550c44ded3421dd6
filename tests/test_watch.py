"""`tsedash watch` as users run it: a real process, real files, edits made while it runs."""

from __future__ import annotations

import json
import os
import queue
import re
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tsedash.processes import ProcessGroup
from tsedash.registry import Registry, load_registry
from tsedash.scrapewatch import JobTiming, job_timings, read_targets, seconds
from tsedash.simulate import SimulationPlan, Simulator
from tsedash.simulate.exporters import NOT_SIMULATED, SimulatedExporters, simulated_jobs
from tsedash.stack import (
    LOOPBACK,
    api,
    distinct_free_ports,
    localize,
    start_prometheus,
    wait_for_targets,
)

from .conftest import ROOT
from .grafana_double import ADMIN_TOKEN, GrafanaDouble

SIM = Path("provisioning/dashboards/trading-ecosystem/simulation-entity-view.json")
PATIENCE = 60.0  # a loaded CI machine is slow; the latency itself is printed, not asserted


class Watch:
    def __init__(self, cwd: Path, *args: str, env: dict[str, str] | None = None) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "tsedash", "watch", "--interval", "0.1", *args],
            cwd=cwd,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env={**os.environ, **(env or {})},
        )
        self.lines: queue.Queue[str] = queue.Queue()
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.put(line.rstrip("\n"))

    def next_line(self, containing: str) -> str:
        deadline = time.monotonic() + PATIENCE
        seen = []
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=0.2)
            except queue.Empty:
                continue
            seen.append(line)
            if containing in line:
                return line
        raise AssertionError(f"no line with {containing!r}; saw {seen}")

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=10)
        self.reader.join(timeout=10)
        assert self.proc.stdout is not None
        self.proc.stdout.close()


@pytest.fixture
def workdir(tmp_path: Path) -> Iterator[Path]:
    shutil.copy(ROOT / "instances.yaml", tmp_path / "instances.yaml")
    shutil.copy(ROOT / ".lint.yaml", tmp_path / ".lint.yaml")
    yield tmp_path


def _wait_for_change(path: Path, before: bytes) -> float:
    started = time.monotonic()
    while time.monotonic() - started < PATIENCE:
        if path.exists() and path.read_bytes() != before:
            return time.monotonic() - started
        time.sleep(0.05)
    raise AssertionError(f"{path} did not change")


def test_an_edit_rebuilds_and_a_broken_edit_keeps_the_last_good_files(workdir: Path) -> None:
    watch = Watch(workdir)
    try:
        start = watch.next_line("start:")
        # Everything the registry decides: the dashboards and the deployment artefacts.
        made = [
            p
            for d in ("provisioning", "deploy")
            for p in (workdir / d).rglob("*")
            if p.is_file() and not p.name.startswith(".tsedash-")
        ]
        assert len(made) > 4 + 13  # provisioning, one targets file per job, rules, SQL, …
        assert f"start: built {len(made)} written (targets/audit-correlator.json, " in start
        assert ", 0 unchanged in " in start
        registry = workdir / "instances.yaml"
        sim = workdir / SIM
        before = sim.read_bytes()
        registry.write_text(registry.read_text().replace("title: Trades,", "title: Fills,"))
        took = _wait_for_change(sim, before)
        print(f"\nedit to new provisioning file: {took:.2f}s")
        assert b"exchange-simulator Fills/s" in sim.read_bytes()
        line = watch.next_line("built 1")
        shown = "instances.yaml: built 1 written (trading-ecosystem/simulation-entity-view.json), "
        assert shown in line
        assert f"{len(made) - 1} unchanged in " in line and "targets:" not in line
        # A broken edit: one error line, the last good files untouched, byte for byte.
        good = {p: p.read_bytes() for p in (workdir / "provisioning").rglob("*") if p.is_file()}
        registry.write_text(registry.read_text() + "  - {service: nope\n")
        line = watch.next_line("previous output kept")
        assert "instances.yaml:" in line and "error" in line
        now = {p for p in (workdir / "provisioning").rglob("*") if p.is_file()}
        assert now == set(good) and {p: p.read_bytes() for p in now} == good
        # Fixed again: built again.
        registry.write_text(registry.read_text().replace("  - {service: nope\n", ""))
        assert "built" in watch.next_line("instances.yaml: built")
    finally:
        watch.stop()
    assert watch.proc.returncode is not None


def test_with_a_context_each_good_build_is_pushed(workdir: Path) -> None:
    with GrafanaDouble() as grafana:
        grafana.state.resource_api = True
        contexts = workdir / "contexts.yaml"
        contexts.write_text(
            f"contexts:\n  lab:\n    url: {grafana.url}\n    token_env: LAB_TOKEN\n"
        )
        env = {"LAB_TOKEN": ADMIN_TOKEN, "TSEDASH_CONTEXTS": str(contexts)}
        watch = Watch(workdir, "--context", "lab", env=env)
        try:
            assert "pushed: 2 created" in watch.next_line("start:")
            registry = workdir / "instances.yaml"
            registry.write_text(registry.read_text().replace("title: Trades,", "title: Fills,"))
            line = watch.next_line("instances.yaml:")
            assert "built 1 written" in line and "pushed: 1 unchanged, 1 updated" in line
        finally:
            watch.stop()
        model = grafana.state.dashboards["tse-simulation-entity"].model
        assert "exchange-simulator Fills/s" in str(model)


def test_the_watcher_in_process_reports_one_line_per_cycle(
    workdir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tsedash.watch import Watcher, watched_files

    monkeypatch.chdir(workdir)
    registry = workdir / "instances.yaml"
    lines: list[str] = []
    broken = registry.read_text() + "  - {service: nope\n"

    def echo(line: str) -> None:
        lines.append(line)
        if len(lines) == 1:  # the first build is done: now the edit, a broken one
            registry.write_text(broken)

    build = ["--registry", str(registry), "--out", "provisioning", "--lint", "--strict"]
    Watcher(build, [registry], [], interval=0.05, echo=echo, clock=lambda: "T").run(cycles=1)
    assert lines[0].startswith("T start: built 4 written (dashboards/trading-ecosystem.yml, ")
    assert ", 0 unchanged in " in lines[0]
    assert lines[1].startswith("T instances.yaml: ") and lines[1].endswith("(previous output kept)")
    assert "error" in lines[1]
    # Sizes and times of what is watched; a missing file is simply absent.
    seen = watched_files([registry, workdir / "missing.yaml"], [workdir / "provisioning"])
    assert registry in seen and workdir / "missing.yaml" not in seen
    assert any(p.suffix == ".json" for p in seen)


def test_sigterm_stops_the_watch_like_ctrl_c(workdir: Path) -> None:
    watch = Watch(workdir)
    watch.next_line("start:")
    watch.proc.terminate()
    assert watch.proc.wait(timeout=20) == 0
    assert "stopped" in watch.next_line("stopped")
    watch.reader.join(timeout=10)
    assert watch.proc.stdout is not None
    watch.proc.stdout.close()


# --- the running stack: scrape targets, Prometheus, the expected instances --------------------

COINBASE = "exchange-coinbase"
GHOST = "exchange-ghost"  # registered, but nothing serves its address


def _instance_line(name: str, address: str) -> str:
    return f'  - {{service: exchange-simulator, name: {name}, address: "{address}"}}\n'


@dataclass
class LiveStack:
    url: str
    work: Path  # the watch's working directory: instances.yaml, provisioning/
    deploy: Path  # the directory Prometheus reads (prometheus/targets, expected, rules)
    seven: str  # instances.yaml with the seven instances, on loopback
    coinbase: str  # the registry line of an eighth instance the simulator already serves


def _loopback_registry(text: str, default: Registry, local: Registry) -> str:
    """The registry text with every address (instances and infrastructure) on loopback."""
    pairs = [
        (a.address, b.address) for a, b in zip(default.instances, local.instances, strict=True)
    ]
    jobs = {j.job: j.address for j in local.infrastructure}
    pairs += [(j.address, jobs[j.job]) for j in default.infrastructure]
    for before, after in pairs:
        assert text.count(f'address: "{before}"') == 1, before
        text = text.replace(f'address: "{before}"', f'address: "{after}"')
    return text


@pytest.fixture
def live(tmp_path: Path) -> Iterator[LiveStack]:
    """The simulator (eight instances), simulated infrastructure exporters and a real
    Prometheus scraping every second whose file_sd re-reads every second and whose targets,
    expected instances and rules are the deploy directory the watch writes."""
    shipped = (ROOT / "instances.yaml").read_text()
    full_text = shipped + _instance_line(COINBASE, "exchange-coinbase:8080")
    (tmp_path / "full.yaml").write_text(full_text)
    default = load_registry(tmp_path / "full.yaml")
    stand_ins = [j.job for j in default.infrastructure if j.job not in NOT_SIMULATED]
    prom_port, cadvisor, *ports = distinct_free_ports(2 + len(stand_ins))
    infrastructure = {
        "prometheus": f"{LOOPBACK}:{prom_port}",
        "cadvisor": f"{LOOPBACK}:{cadvisor}",
        **{job: f"{LOOPBACK}:{p}" for job, p in zip(stand_ins, ports, strict=True)},
    }
    local = localize(default, infrastructure)
    text = _loopback_registry(full_text, default, local)
    coinbase = _instance_line(COINBASE, local.instances[-1].address)
    assert text.endswith(coinbase)
    seven = text.removesuffix(coinbase)
    work, deploy = tmp_path / "work", tmp_path / "deploy"
    work.mkdir()
    deploy.mkdir()
    (work / "instances.yaml").write_text(seven)
    shutil.copy(ROOT / ".lint.yaml", work / ".lint.yaml")
    group = ProcessGroup(deploy)
    simulator = Simulator(SimulationPlan(local))
    exporters = SimulatedExporters(simulated_jobs(infrastructure))
    try:
        simulator.start()
        exporters.start()
        registered = load_registry(work / "instances.yaml")
        url = start_prometheus(group, registered, prom_port, "1s", refresh_interval="1s")
        wait_for_targets(url, len(registered.instances) + len(registered.infrastructure))
        yield LiveStack(url, work, deploy, seven, coinbase)
    finally:
        exporters.stop()
        simulator.stop()
        group.stop_all()


def _query(url: str, query: str) -> dict[str, float]:
    result = api(url, "/api/v1/query", {"query": query})["data"]["result"]
    return {s["metric"].get("instance", ""): float(s["value"][1]) for s in result}


def _until(condition: Callable[[], bool], what: str, timeout: float = PATIENCE) -> float:
    started = time.monotonic()
    while not condition():
        assert time.monotonic() - started < timeout, what
        time.sleep(0.2)
    return time.monotonic() - started


def _verify(live: LiveStack) -> subprocess.CompletedProcess[str]:
    args = ["verify", "--prometheus", live.url, "--registry", "instances.yaml", "--json"]
    return subprocess.run(
        [sys.executable, "-m", "tsedash", *args, "--dashboards", "provisioning"],
        cwd=live.work,
        capture_output=True,
        text=True,
        check=False,
    )


def test_an_instance_added_while_watching_is_scraped_and_removed_is_not_missed(
    live: LiveStack,
) -> None:
    watch = Watch(live.work, "--deploy", str(live.deploy), "--prometheus", live.url)
    try:
        start = watch.next_line("start:")
        assert "targets:" not in start  # the targets Prometheus reads are already these
        registry = live.work / "instances.yaml"
        targets = live.deploy / "prometheus" / "targets" / "exchange-simulator.json"
        assert COINBASE not in targets.read_text()

        # Added: its target is written, Prometheus scrapes it without a restart.
        registry.write_text(live.seven + live.coinbase)
        edited = time.monotonic()
        line = watch.next_line("instances.yaml:")
        assert "(targets/exchange-simulator.json, expected/metrics, " in line
        assert line.endswith(f"; targets: +{COINBASE}")
        assert COINBASE in targets.read_text()
        scraped = watch.next_line("scraped:")
        observed = time.monotonic() - edited
        match = re.search(
            rf"scraped: {COINBASE} \(exchange-simulator\) up == 1 ([\d.]+)s after", scraped
        )
        assert match, scraped
        took = float(match.group(1))
        print(f"\nedit to up == 1 for {COINBASE}: {took:.1f}s ({scraped})")
        # Timed by the scrape's own timestamp: before the line reached us, after the edit.
        assert 0 < took <= observed + 0.1, (took, observed)
        up_query = f'up{{job="exchange-simulator",instance="{COINBASE}"}}'
        assert _query(live.url, up_query) == {COINBASE: 1.0}
        # The expected-instances list has it: InstanceMissing would name it if it went unscraped.
        expected = f'tsedash_expected_instance{{instance="{COINBASE}"}}'
        _until(lambda: COINBASE in _query(live.url, expected), "not in the expected instances")
        # `tsedash verify` passes with it, once its rates have two scrapes.
        waited = _until(lambda: _verify(live).returncode == 0, "verify never passed", 30)
        report = json.loads(_verify(live).stdout)
        assert report["ok"] and COINBASE in report["instances"], report["failures"]
        [scrape] = [s for s in report["scrapes"] if s["instance"] == COINBASE]
        assert scrape["state"] == "up"
        print(f"verify passes {waited:.1f}s after up == 1")

        # Removed: its target and its expected entry go together; InstanceMissing stays quiet.
        registry.write_text(live.seven)
        line = watch.next_line("instances.yaml:")
        assert line.endswith(f"; targets: -{COINBASE}")
        assert f"unscraped: {COINBASE} (exchange-simulator) gone" in watch.next_line("unscraped:")
        assert _query(live.url, up_query) == {}
        _until(lambda: COINBASE not in _query(live.url, expected), "still expected")
        gone = time.time()
        _until(lambda: _rule_evaluated_since(live.url, gone + 1), "rule not evaluated since")
        assert _query(live.url, 'ALERTS{alertname="InstanceMissing"}') == {}
        assert _instance_missing_alerts(live.url) == []

        # Registered but not served: said so after two refresh intervals.
        dead = f"{LOOPBACK}:{distinct_free_ports(1)[0]}"
        registry.write_text(live.seven + _instance_line(GHOST, dead))
        assert watch.next_line("instances.yaml:").endswith(f"; targets: +{GHOST}")
        late = watch.next_line("not scraped:")
        print(late)
        assert f"not scraped: {GHOST} (exchange-simulator) " in late
        assert "2 file_sd refreshes of 1s + 5s discovery + a 1s scrape" in late
        assert late.endswith("last seen: up == 0")
    finally:
        watch.stop()


def _instance_missing_rule(url: str) -> dict[str, Any]:
    groups = api(url, "/api/v1/rules", {"type": "alert"})["data"]["groups"]
    [rule] = [r for g in groups for r in g["rules"] if r["name"] == "InstanceMissing"]
    assert rule["health"] == "ok", rule
    return dict(rule)


def _rule_evaluated_since(url: str, since: float) -> bool:
    """Prometheus' RFC 3339 time, nanoseconds cut to what datetime holds."""
    from datetime import datetime

    last = _instance_missing_rule(url)["lastEvaluation"]
    match = re.match(r"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(\.\d+)?", last)
    assert match and last.endswith("Z"), last
    stamp = match.group(1) + (match.group(2) or ".0")[:7] + "+00:00"
    return datetime.fromisoformat(stamp).timestamp() > since


def _instance_missing_alerts(url: str) -> list[dict[str, Any]]:
    return list(_instance_missing_rule(url)["alerts"])


def test_following_targets_needs_the_deploy_directory(run_cli: Any) -> None:
    res = run_cli("watch", "--no-deploy", "--prometheus", "http://127.0.0.1:9")
    assert res.exit_code == 2
    assert "need the deploy directory: drop --no-deploy" in res.stderr
    res = run_cli("watch", "--prometheus", "localhost:9090")
    assert res.exit_code == 2 and "expected an http:// or https:// URL" in res.stderr


def _files(*dirs: Path) -> dict[Path, bytes]:
    return {p: p.read_bytes() for d in dirs for p in d.rglob("*") if p.is_file()}


def test_target_changes_between_two_builds(workdir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """In process: the cycle line counts every file the edit rewrote, the live ones (targets,
    expected instances) named first, and the targets added."""
    from tsedash.watch import Watcher

    monkeypatch.chdir(workdir)
    registry = workdir / "instances.yaml"
    outputs = (workdir / "provisioning", workdir / "deploy")
    lines: list[str] = []
    before: dict[Path, bytes] = {}

    def echo(line: str) -> None:
        lines.append(line)
        if len(lines) == 1:
            before.update(_files(*outputs))
            registry.write_text(registry.read_text() + _instance_line(COINBASE, "coinbase:8080"))

    build = ["--registry", str(registry), "--out", "provisioning", "--deploy", "deploy"]
    targets = workdir / "deploy" / "prometheus" / "targets"
    Watcher(
        build, [registry], [], interval=0.05, echo=echo, clock=lambda: "T", targets=targets
    ).run(cycles=1)
    assert ", +cadvisor:8080, " in lines[0]  # the first build wrote every target
    after = _files(*outputs)
    rewritten = [p for p in after if before.get(p) != after[p] and ".tsedash-" not in p.name]
    assert len(rewritten) >= 4  # targets, expected, volumes script, the new schema's SQL
    assert lines[1].startswith(
        f"T instances.yaml: built {len(rewritten)} written "
        "(targets/exchange-simulator.json, expected/metrics, "
    )
    assert lines[1].endswith(f"; targets: +{COINBASE}")
    assert read_targets(targets) >= {
        ("exchange-simulator", COINBASE),
        ("redis", "redis-exporter:9121"),
    }


def test_prometheus_durations_and_job_timings() -> None:
    assert [seconds(d) for d in ("30s", "1m30s", "500ms", "2h")] == [30, 90, 0.5, 7200]
    with pytest.raises(ValueError):
        seconds("30 s")
    timings = job_timings(
        "global: {scrape_interval: 15s}\n"
        "scrape_configs:\n"
        "  - {job_name: a, file_sd_configs: [{files: [x.json], refresh_interval: 30s}]}\n"
        "  - {job_name: b, scrape_interval: 5s, file_sd_configs: [{files: [y.json]}]}\n"
        "  - {job_name: c, static_configs: [{targets: [c:1]}]}\n"
    )
    assert timings == {"a": JobTiming(30, 15), "b": JobTiming(300, 5)}
    assert timings["a"].patience() == 2 * 30 + 5 + 15

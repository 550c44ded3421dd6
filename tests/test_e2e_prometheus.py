"""End to end: a real Prometheus scrapes the simulator and real exporters; every panel of both
dashboards returns data for every instance, and counter rates match the simulator's.

Started here, on free loopback ports, and stopped by the PIDs started: Debian's prometheus,
redis-server + prometheus-redis-exporter, PostgreSQL 15 (initdb + postgres) +
prometheus-postgres-exporter, and the in-process simulator.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from dashboards import build_all
from tsedash.processes import ProcessGroup, find_program, free_port, http_ok, port_open
from tsedash.queries.expand import expand
from tsedash.registry import Registry, load_registry
from tsedash.simulate import SimulationPlan, Simulator
from tsedash.stack import LOOPBACK, api, localize, start_prometheus, wait_for_targets

from .conftest import ROOT
from .services import start_postgres

SCRAPE = "1s"
RATE_WINDOW = "4s"  # Grafana's $__rate_interval for a 1 s scrape: 4 x scrape interval
BASE_RATE = 3.0


@dataclass
class Stack:
    registry: Registry
    plan: SimulationPlan
    prometheus: str


@pytest.fixture(scope="module")
def stack() -> Iterator[Stack]:
    # A directory the `postgres` user can enter (pytest's tmp dirs are private to root).
    workdir = Path(tempfile.mkdtemp(prefix="tsedash-e2e-"))
    os.chmod(workdir, 0o755)
    group = ProcessGroup(workdir)
    simulator: Simulator | None = None
    try:
        redis_port, redis_exp, pg_exp, prom_port, cadvisor = (free_port() for _ in range(5))
        group.start(
            "redis-server",
            [
                find_program("redis-server"),
                "--port",
                str(redis_port),
                "--bind",
                LOOPBACK,
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            ready=lambda: port_open(LOOPBACK, redis_port),
        )
        group.start(
            "redis-exporter",
            [
                find_program("prometheus-redis-exporter"),
                f"--redis.addr=redis://{LOOPBACK}:{redis_port}",
                f"--web.listen-address={LOOPBACK}:{redis_exp}",
            ],
            ready=lambda: http_ok(f"http://{LOOPBACK}:{redis_exp}/metrics"),
        )
        pg = start_postgres(group)
        group.start(
            "postgres-exporter",
            [
                find_program("prometheus-postgres-exporter"),
                f"--web.listen-address={LOOPBACK}:{pg_exp}",
            ],
            env={"DATA_SOURCE_NAME": f"postgresql://postgres@{pg}/postgres?sslmode=disable"},
            ready=lambda: http_ok(f"http://{LOOPBACK}:{pg_exp}/metrics"),
        )
        registry = localize(
            load_registry(ROOT / "instances.yaml"),
            {
                "redis": f"{LOOPBACK}:{redis_exp}",
                "postgres": f"{LOOPBACK}:{pg_exp}",
                "prometheus": f"{LOOPBACK}:{prom_port}",
                "cadvisor": f"{LOOPBACK}:{cadvisor}",
            },
        )
        plan = SimulationPlan(registry, BASE_RATE)
        simulator = Simulator(plan)
        simulator.start()
        url = start_prometheus(group, registry, prom_port, SCRAPE)
        wait_for_targets(url, len(registry.instances) + len(registry.infrastructure))
        time.sleep(6)  # enough samples for a 4 s rate window and a stable increase()
        yield Stack(registry, plan, url)
    finally:
        if simulator is not None:
            simulator.stop()
        group.stop_all()
        for managed in group.started:
            assert managed.proc.poll() is not None
        shutil.rmtree(workdir, ignore_errors=True)


def grafana_values(
    registry: Registry, model: dict[str, Any], instances: str | None
) -> dict[str, str]:
    """What Grafana sends for "All": each variable's allValue (or the regex of all values)."""
    variables = {v["name"]: v for v in model["templating"]["list"]}
    return {
        "service": variables["service"]["allValue"],
        "instance": instances or variables["instance"]["allValue"],
        "datasource": registry.datasource.uid,
        "__rate_interval": RATE_WINDOW,
        "__range": "5m",
    }


def expected_keys(stack: Stack, expr: str, legend: str) -> tuple[str, set[str]] | None:
    """The label a per-instance panel is keyed by and the values it must show, if any."""
    reg = stack.registry
    if "{{instance}}" in legend:
        job = re.search(r'job="([^"]+)"', expr)
        names = [
            i.instance_name for i in reg.instances if job is None or i.service_name == job.group(1)
        ]
        return "instance", set(names)
    if legend == "{{job}}":
        return "job", {j.job for j in reg.infrastructure}
    if legend == "{{name}}":
        return "name", {i.container_name for i in reg.instances}
    return None


def expected_rate(stack: Stack, panel: dict[str, Any], series: dict[str, str]) -> float | None:
    """The simulator's configured rate for a series of a rate panel, when it has one."""
    reg, plan = stack.registry, stack.plan
    inst = next((i for i in reg.instances if i.instance_name == series.get("instance")), None)
    if "Communication Flow" in panel["title"]:
        return 1.0 if inst else None
    if panel["title"] == "Container CPU":
        inst = next(i for i in reg.instances if i.container_name == series["name"])
        return plan.cpu_rate(inst)
    if panel["title"].endswith("/s by Instance") and inst is not None:
        return plan.instance_rate(inst)  # one series per (instance, by-labels)
    return None


Row = tuple[str, str, set[str], list[str]]


def run_all(stack: Stack, instances: str | None) -> tuple[list[Row], int]:
    """Query every target: (panel, refId, keys shown, problems) per target, rates compared."""
    rows: list[Row] = []
    rates_compared = 0
    for _, model in build_all(stack.registry):
        values = grafana_values(stack.registry, model, instances)
        for panel in model["panels"]:
            for target in panel.get("targets", []):
                expr = expand(target["expr"], values)
                problems: list[str] = []
                body = api(stack.prometheus, "/api/v1/query", {"query": expr})
                result = body["data"]["result"] if body.get("status") == "success" else []
                if body.get("status") != "success":
                    problems.append(f"error: {body}")
                if target["expr"].startswith("ALERTS{"):
                    # The generated rules are loaded; with everything up, none may fire.
                    if result:
                        problems.append(f"alerts fire while everything is up: {result}")
                elif not result:
                    problems.append("no series")
                shown: set[str] = set()
                keyed = expected_keys(stack, expr, target.get("legendFormat", ""))
                if keyed:
                    label, want = keyed
                    shown = {s["metric"].get(label, "") for s in result}
                    if missing := sorted(want - shown):
                        problems.append(f"missing {label}s: {missing}")
                for s in result:
                    want_rate = expected_rate(stack, panel, s["metric"])
                    got = float(s["value"][1])
                    if want_rate is None:
                        continue
                    rates_compared += 1
                    if abs(got - want_rate) > 0.1 * want_rate:
                        problems.append(
                            f"rate {got:.3f} not within 10% of {want_rate} for {s['metric']}"
                        )
                rows.append(
                    (f"{model['uid']} / {panel['title']}", target["refId"], shown, problems)
                )
    return rows, rates_compared


def coverage_table(stack: Stack, rows: list[Row]) -> str:
    names = [i.instance_name for i in stack.registry.instances]
    width = max(len(r[0]) for r in rows) + 4
    head = " " * width + " ".join(f"{n[:10]:>10}" for n in names)
    lines = ["Coverage: panel target x instance (X = series for that instance)", head]
    for title, ref, shown, problems in rows:
        marks = " ".join(f"{'X' if n in shown else '.':>10}" for n in names)
        status = "ok" if not problems else "FAIL"
        lines.append(f"{(title + ' ' + ref)[: width - 1]:<{width}}{marks}  {status}")
    return "\n".join(lines)


def test_every_panel_returns_data_for_every_instance(
    stack: Stack, capsys: pytest.CaptureFixture[str]
) -> None:
    rows, rates_compared = run_all(stack, None)
    table = coverage_table(stack, rows)
    with capsys.disabled():
        print(f"\n{table}\ncounter rates compared with the simulator's: {rates_compared}")
    failures = [f"{t} {r}: {p}" for t, r, _, p in rows if p]
    assert failures == [], "\n".join(failures)
    every_target = sum(
        len(p.get("targets", [])) for _, m in build_all(stack.registry) for p in m["panels"]
    )
    assert len(rows) == every_target
    # Every rate series: each multi-instance counter series (market data: one per symbol),
    # each instance's flow to its target services, each instance's container CPU.
    reg, plan = stack.registry, stack.plan
    per_metric = sum(
        len(plan.label_sets(m))
        for i in reg.instances
        if not i.singleton
        for m in reg.services[i.service_name].metrics
        if m.type == "counter"
    )
    flows = sum(len(plan.flow_targets(i)) for i in reg.instances)
    assert rates_compared == per_metric + flows + len(reg.instances) == 8 + 16 + 8


def test_explicit_selection_of_every_instance_works_too(stack: Stack) -> None:
    # The user ticks every instance instead of "All": Grafana sends (a|b|…) as the regex.
    regex = "(" + "|".join(i.instance_name for i in stack.registry.instances) + ")"
    rows, _ = run_all(stack, regex)
    failures = [f"{t} {r}: {p}" for t, r, _, p in rows if p]
    assert failures == [], "\n".join(failures)


def test_labels_after_relabeling_are_the_ones_the_dashboards_query(stack: Stack) -> None:
    result = api(stack.prometheus, "/api/v1/query", {"query": "up"})["data"]["result"]
    pairs = {(s["metric"]["job"], s["metric"]["instance"]) for s in result}
    for inst in stack.registry.instances:
        assert (inst.service_name, inst.instance_name) in pairs
    assert all(not k.startswith("__") for s in result for k in s["metric"] if k != "__name__")


def test_real_exporters_are_scraped(stack: Stack) -> None:
    for query in ("redis_up", "pg_up"):
        [series] = api(stack.prometheus, "/api/v1/query", {"query": query})["data"]["result"]
        assert series["value"][1] == "1"

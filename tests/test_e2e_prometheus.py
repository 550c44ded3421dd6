"""End to end: a real Prometheus scrapes the real-exposition simulator (the orchestrator's seven
instances, under their real names) and real exporters; `tsedash verify` finds data in every
visible panel for every instance, and the RED panels show the rates the simulator serves.

Started here, on free loopback ports, and stopped by the PIDs started: Debian's prometheus,
redis-server + prometheus-redis-exporter, PostgreSQL 15 (initdb + postgres) +
prometheus-postgres-exporter, and the in-process simulator.
"""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
import signal
import tempfile
import time
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

import tsedash_dashboards
from tsedash import pipeline
from tsedash.processes import ProcessGroup, find_program, free_port, http_ok, port_open
from tsedash.prometheus import write_prometheus
from tsedash.registry import Registry, load_registry
from tsedash.simulate import SimulationPlan, Simulator
from tsedash.simulate.plan import STRAY_REQUESTS
from tsedash.stack import (
    LOOPBACK,
    api,
    distinct_free_ports,
    localize,
    start_prometheus,
    wait_for_targets,
)
from tsedash.verify import DATA, PLANNED, render_table, verify

from .conftest import ROOT, Result
from .services import start_postgres

RunCli = Callable[..., Result]
SCRAPE = "1s"
RATE_WINDOW = "4s"  # Grafana's $__rate_interval for a 1 s scrape: 4 x scrape interval
BASE_RATE = 3.0
ENGINE = "trading-engine-lh"


@dataclass
class Stack:
    registry: Registry
    registry_file: Path  # the same registry as YAML, for the CLI
    plan: SimulationPlan
    prometheus: str
    provisioning: Path
    config_dir: Path
    prometheus_pid: int


def _registry_file(registry: Registry, path: Path) -> Path:
    """instances.yaml with the loopback addresses and the infrastructure the test runs."""
    text = (ROOT / "instances.yaml").read_text()
    default = load_registry(ROOT / "instances.yaml")
    for before, after in zip(default.instances, registry.instances, strict=True):
        text = text.replace(f'address: "{before.address}"', f'address: "{after.address}"')
    start = text.index("infrastructure:\n")
    end = text.index("\n\n", start)
    jobs = "".join(
        f'  - {{job: {j.job}, address: "{j.address}"}}\n' for j in registry.infrastructure
    )
    path.write_text(text[:start] + "infrastructure:\n" + jobs + text[end:])
    return path


@pytest.fixture(scope="module")
def stack() -> Iterator[Stack]:
    # A directory the `postgres` user can enter (pytest's tmp dirs are private to root).
    workdir = Path(tempfile.mkdtemp(prefix="tsedash-e2e-"))
    os.chmod(workdir, 0o755)
    group = ProcessGroup(workdir)
    simulator: Simulator | None = None
    try:
        redis_port, redis_exp, pg_exp, prom_port, cadvisor = distinct_free_ports(5)
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
        # What a user (or a readiness probe) does: ask the services that serve readiness.
        for inst in registry.instances:
            if registry.services[inst.service_name].readiness:
                with urllib.request.urlopen(f"http://{inst.address}/api/v1/ready", timeout=5):
                    pass
        url = start_prometheus(group, registry, prom_port, SCRAPE)
        wait_for_targets(url, len(registry.instances) + len(registry.infrastructure))
        time.sleep(6)  # enough samples for a 4 s rate window
        provisioning = workdir / "provisioning"
        pipeline.build(
            _registry_file(registry, workdir / "instances.yaml"), tsedash_dashboards, provisioning
        )
        yield Stack(
            registry,
            workdir / "instances.yaml",
            plan,
            url,
            provisioning,
            workdir / "prometheus",
            next(m.pid for m in group.started if m.name == "prometheus"),
        )
    finally:
        if simulator is not None:
            simulator.stop()
        group.stop_all()
        for managed in group.started:
            assert managed.proc.poll() is not None
        shutil.rmtree(workdir, ignore_errors=True)


def _verify_cli(run_cli: RunCli, stack: Stack, *more: str) -> Result:
    return run_cli(
        "verify",
        "--registry",
        str(stack.registry_file),
        "--prometheus",
        stack.prometheus,
        "--dashboards",
        str(stack.provisioning),
        "--rate-interval",
        RATE_WINDOW,
        *more,
    )


def test_verify_finds_data_in_every_visible_panel_for_every_instance(
    stack: Stack, run_cli: RunCli, capsys: pytest.CaptureFixture[str]
) -> None:
    res = _verify_cli(run_cli, stack)
    with capsys.disabled():
        print("\n" + res.stdout)
    assert res.exit_code == 0, res.stderr
    assert res.stdout.strip().endswith("every target is up")
    report = json.loads(_verify_cli(run_cli, stack, "--json").stdout)
    assert report["ok"] is True and report["failures"] == []
    names = [i.instance_name for i in stack.registry.instances]
    assert report["instances"] == names
    # Every instance has data in every panel of its own service type, readiness included.
    for inst in stack.registry.instances:
        own = [
            p
            for p in report["panels"]
            if p["dashboard"] == "tse-simulation-entity"
            and p["panel"].startswith(inst.service_name + " ")
            and not p["planned"]
        ]
        assert len(own) >= 7, inst.instance_name
        assert all(p["cells"] == {inst.instance_name: DATA} for p in own), own
    planned = [p for p in report["panels"] if p["planned"]]
    assert len(planned) == 2 * 6  # rate + total of each of the six planned domain metrics
    assert all(p["cells"] == {"(all)": PLANNED} for p in planned)
    health = next(p for p in report["panels"] if p["panel"] == "Service Instance Health")
    assert health["cells"] == dict.fromkeys(names, DATA)


def _series(stack: Stack, query: str) -> dict[str, float]:
    result = api(stack.prometheus, "/api/v1/query", {"query": query})["data"]["result"]
    return {s["metric"].get("instance", ""): float(s["value"][1]) for s in result}


def test_red_panels_show_the_rates_the_services_serve(stack: Stack) -> None:
    """Requests/s = the simulated API traffic + the stray requests (a favicon, a scanner) + one
    scrape per second; the errors counter: the API's 5 % bad requests and the strays' 404s."""
    requests = _series(stack, f"sum by (instance) (rate(http_requests_total[{RATE_WINDOW}]))")
    result = api(
        stack.prometheus,
        "/api/v1/query",
        {"query": "sum by (instance) (http_request_errors_total)"},
    )["data"]["result"]
    errors = {s["metric"]["instance"]: (float(s["value"][0]), float(s["value"][1])) for s in result}
    strays = sum(rate for _, _, rate in STRAY_REQUESTS)
    for inst in stack.registry.instances:
        api_rate = stack.plan.instance_rate(inst)
        assert requests[inst.instance_name] == pytest.approx(api_rate + strays + 1.0, rel=0.2)
        # The errors counter as last scraped (up to one scrape interval old), each of its
        # three streams rounded down.
        at, value = errors[inst.instance_name]
        elapsed = at - stack.plan.started_at
        client = stack.plan.client_error_rate(inst)
        assert client * (elapsed - 2) - 3 <= value <= client * elapsed


def test_go_constant_labels_arrive_renamed(stack: Stack) -> None:
    """Go services expose their own `instance`: Prometheus keeps the target's, renames theirs."""
    result = api(
        stack.prometheus,
        "/api/v1/query",
        {"query": 'http_requests_total{job="exchange-simulator"}'},
    )["data"]["result"]
    labels = result[0]["metric"]
    assert labels["instance"] == "exchange-okx" and labels["exported_instance"] == "exchange-okx"
    python = api(
        stack.prometheus, "/api/v1/query", {"query": 'http_requests_total{job="risk-monitor"}'}
    )["data"]["result"]
    assert all("exported_instance" not in s["metric"] for s in python)


def test_routes_as_each_service_spells_them(stack: Stack) -> None:
    """The same endpoint has a different `route` per service, the Python services keep a
    stray path's URL, and only they serve `_created` series."""
    result = api(
        stack.prometheus,
        "/api/v1/query",
        {"query": "count by (job, route, code) (http_requests_total)"},
    )
    seen = {
        (s["metric"]["job"], s["metric"]["route"], s["metric"]["code"])
        for s in result["data"]["result"]
    }
    assert {
        ("exchange-simulator", "/metrics", "200"),
        ("exchange-simulator", "/api/v1/ready", "200"),  # the fixture asked for readiness
        ("exchange-simulator", "unknown", "404"),  # a favicon, a scanner
        ("risk-monitor", "/metrics", "200"),  # FastAPI 0.120: the full path
        ("risk-monitor", "/api/v1/positions", "200"),
        ("risk-monitor", "/favicon.ico", "404"),  # the raw URL of a path no route matches
        ("trading-system-engine", "unknown", "200"),  # its scrape: a route declared as ""
        ("trading-system-engine", "/strategies", "200"),  # newer FastAPI: no router prefix
        ("trading-system-engine", "/favicon.ico", "404"),
        ("test-coordinator", "unknown", "200"),
    } <= seen
    created = api(
        stack.prometheus, "/api/v1/query", {"query": "count by (job) (http_requests_created)"}
    )["data"]["result"]
    assert {s["metric"]["job"] for s in created} == {
        "risk-monitor",
        "trading-system-engine",
        "test-coordinator",
    }
    [age] = _series(stack, 'time() - min(http_requests_created{job="risk-monitor"})').values()
    assert 0 < age < 600  # a creation time, in seconds since the epoch


def test_the_orchestrators_target_labels(stack: Stack) -> None:
    result = api(stack.prometheus, "/api/v1/query", {"query": "sum by (entity_type) (up)"})["data"][
        "result"
    ]
    assert {s["metric"].get("entity_type") for s in result} >= {
        "central",
        "trading",
        "exchange",
        "custodian",
        "market-data",
    }
    [okx] = api(stack.prometheus, "/api/v1/query", {"query": 'up{instance_name="exchange-okx"}'})[
        "data"
    ]["result"]
    assert okx["metric"]["schema_name"] == "exchange_okx"


def test_real_exporters_are_scraped(stack: Stack) -> None:
    for query in ("redis_up", "pg_up"):
        [series] = api(stack.prometheus, "/api/v1/query", {"query": query})["data"]["result"]
        assert series["value"][1] == "1"


def test_a_broken_metrics_path_fails_verify_naming_instance_and_path(
    stack: Stack, run_cli: RunCli
) -> None:
    """The scrape config the real stack had before: trading-system-engine on /metrics (404)."""
    engine_type = stack.registry.services["trading-system-engine"]
    broken = dataclasses.replace(
        stack.registry,
        services={
            **stack.registry.services,
            "trading-system-engine": dataclasses.replace(engine_type, metrics_path="/metrics"),
        },
    )
    # The expected-instances server the stack started stays where it is.
    config = yaml.safe_load((stack.config_dir / "prometheus.yml").read_text())
    [served] = [
        job["static_configs"][0]["targets"][0]
        for job in config["scrape_configs"]
        if job["job_name"] == "tsedash-expected"
    ]
    write_prometheus(broken, stack.config_dir, SCRAPE, served)
    os.kill(stack.prometheus_pid, signal.SIGHUP)
    try:
        deadline = time.monotonic() + 20
        while _series(stack, 'up{job="trading-system-engine"}').get(ENGINE) != 0.0:
            assert time.monotonic() < deadline, "the engine's target never went down"
            time.sleep(0.5)
        time.sleep(1.5)  # one more failed scrape: the engine's series are stale
        res = _verify_cli(run_cli, stack)
        print(res.stdout, res.stderr)
        assert res.exit_code == 1
        engine = next(i for i in stack.registry.instances if i.instance_name == ENGINE)
        line = next(ln for ln in res.stderr.splitlines() if f"instance {ENGINE}" in ln)
        assert f"up == 0 scraping http://{engine.address}/metrics" in line
        assert "404" in line
        # The table's scrape section shows it too (panels may still show the last samples).
        report = verify(stack.prometheus, stack.registry, stack.provisioning)
        [engine_scrape] = [r for r in report.scrapes if r.instance == ENGINE]
        assert engine_scrape.state == "down"
        assert any(
            ln.split()[:3] == ["trading-system-engine", ENGINE, "down"]
            for ln in render_table(report).splitlines()
        )
    finally:
        write_prometheus(stack.registry, stack.config_dir, SCRAPE, served)
        os.kill(stack.prometheus_pid, signal.SIGHUP)
        # Later tests see the stack whole again: the engine scraped on its real path.
        deadline = time.monotonic() + 20
        while _series(stack, 'up{job="trading-system-engine"}').get(ENGINE) != 1.0:
            assert time.monotonic() < deadline, "the engine's target never came back"
            time.sleep(0.5)
        time.sleep(1.5)


def test_the_expected_instances_are_scraped_with_their_own_job_and_instance(stack: Stack) -> None:
    """InstanceMissing's join works only if the served exposition arrives with the job and
    instance it names (honor_labels): on the real stack every registry instance is expected,
    and none is missing."""
    expected = api(stack.prometheus, "/api/v1/query", {"query": "tsedash_expected_instance"})
    pairs = {(s["metric"]["job"], s["metric"]["instance"]) for s in expected["data"]["result"]}
    assert pairs == {(i.service_name, i.instance_name) for i in stack.registry.instances}
    missing = "tsedash_expected_instance unless on (job, instance) up"
    assert api(stack.prometheus, "/api/v1/query", {"query": missing})["data"]["result"] == []
    assert _series(stack, 'up{job="tsedash-expected"}') != {}


def test_recording_rules_hold_what_the_services_serve(stack: Stack) -> None:
    """Prometheus evaluates the generated recording rules on the real scrapes: one series per
    instance, with its job, holding the 1-minute rate the raw query gives (the stack is younger
    than a minute, so both are below the served rate by the same factor), no server error
    (the simulated errors are all 4xx), the client errors' share, a p95."""
    requests = _series(stack, "instance:tsedash_http_requests:rate1m")
    raw = _series(stack, "sum by (job, instance) (rate(http_requests_total[1m]))")
    server = _series(stack, "instance:tsedash_http_server_error_ratio:rate1m")
    client = _series(stack, "instance:tsedash_http_client_error_ratio:rate1m")
    p95 = _series(stack, "instance:tsedash_http_request_duration_seconds:p95_rate1m")
    assert set(requests) == {i.instance_name for i in stack.registry.instances}
    for inst in stack.registry.instances:
        assert requests[inst.instance_name] == pytest.approx(raw[inst.instance_name], rel=0.25)
        assert requests[inst.instance_name] > 0
        assert server[inst.instance_name] == 0
        # The served share is 4-9 %; young series make the 1m rates rough.
        assert 0 < client[inst.instance_name] < 0.25
        assert 0 < p95[inst.instance_name] <= 10
    buckets = api(
        stack.prometheus,
        "/api/v1/query",
        {"query": "count by (job) (job:tsedash_http_request_duration_seconds_bucket:rate1m)"},
    )["data"]["result"]
    assert {s["metric"]["job"] for s in buckets} == set(stack.registry.services)
    containers = _series(stack, "name:tsedash_container_cpu_usage_seconds:rate1m")
    cpu = api(
        stack.prometheus,
        "/api/v1/query",
        {"query": "name:tsedash_container_cpu_usage_seconds:rate1m"},
    )["data"]["result"]
    assert containers and {s["metric"]["name"] for s in cpu} == {
        i.container_name for i in stack.registry.instances
    }


def test_dashboards_on_recording_rules_show_every_instance(
    stack: Stack, run_cli: RunCli, tmp_path: Path
) -> None:
    """`defaults: {recording_rules: true}`: every visible panel has data for every instance."""
    text = stack.registry_file.read_text()
    assert "container_prefix: trading-ecosystem-}" in text
    registry = tmp_path / "instances.yaml"
    registry.write_text(
        text.replace(
            "container_prefix: trading-ecosystem-}",
            "container_prefix: trading-ecosystem-, recording_rules: true}",
        )
    )
    provisioning = tmp_path / "provisioning"
    pipeline.build(registry, tsedash_dashboards, provisioning)
    assert "instance:tsedash_http_requests:rate1m" in "".join(
        p.read_text() for p in provisioning.rglob("*.json")
    )
    res = run_cli(
        "verify",
        "--registry",
        str(registry),
        "--prometheus",
        stack.prometheus,
        "--dashboards",
        str(provisioning),
        "--rate-interval",
        RATE_WINDOW,
        "--json",
    )
    report = json.loads(res.stdout)
    assert res.exit_code == 0 and report["ok"] is True, res.stdout


def test_unreachable_prometheus_exits_3(stack: Stack, run_cli: RunCli) -> None:
    res = run_cli(
        "verify",
        "--registry",
        str(stack.registry_file),
        "--prometheus",
        f"http://{LOOPBACK}:{free_port()}",
        "--dashboards",
        str(stack.provisioning),
    )
    assert res.exit_code == 3
    assert "cannot reach Prometheus" in res.stderr and "Traceback" not in res.stderr
    res = run_cli("verify", "--registry", str(stack.registry_file), "--prometheus", "ftp://x")
    assert res.exit_code == 2

"""`tsedash preview --prometheus` end to end: the simulator (the seven instances) scraped every
second by a real Prometheus; the committed dashboards drawn with their data, checked in the PNG
(pixels in every time series chart), in the HTML (stat values, lanes, table rows) and against
`--data` (the same bytes without Prometheus); then one instance stopped and drawn DOWN.

Started here on free loopback ports and stopped by the PIDs started: Debian's prometheus, the
expected-instances server and the in-process simulator.
"""

from __future__ import annotations

import json
import re
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from PIL import Image

from tsedash.preview.html import HEADER
from tsedash.preview.panels import CHROME, TITLE
from tsedash.processes import ProcessGroup
from tsedash.registry import Registry, load_registry
from tsedash.simulate import SimulationPlan, Simulator
from tsedash.simulate.exporters import SimulatedExporters, simulated_jobs
from tsedash.stack import api, distinct_free_ports, localize, start_prometheus, wait_for_targets

from .conftest import ROOT, Result

RunCli = Callable[..., Result]
VICTIM = "exchange-okx"
PAGES = ("devops-docker-view", "simulation-entity-view")


@dataclass
class Stack:
    registry: Registry
    simulator: Simulator
    prometheus: str
    dashboards: Path
    redis: SimulatedExporters  # the redis stand-in alone: stopped to turn its job DOWN


def _dashboards_scraped_every_second(workdir: Path) -> Path:
    """The committed provisioning, with the datasource's scrape interval set to what this
    Prometheus scrapes (1s), as a Grafana pointed at it would be configured."""
    copy = workdir / "provisioning"
    shutil.copytree(ROOT / "provisioning", copy)
    datasource = copy / "datasources/prometheus.yml"
    datasource.write_text(datasource.read_text().replace("timeInterval: 15s", "timeInterval: 1s"))
    return copy


@pytest.fixture(scope="module")
def stack() -> Iterator[Stack]:
    workdir = Path(tempfile.mkdtemp(prefix="tsedash-preview-data-"))
    group = ProcessGroup(workdir)
    simulator: Simulator | None = None
    exporters: list[SimulatedExporters] = []
    try:
        # As `make demo` runs it: cadvisor from the simulator, stand-ins for the other jobs.
        registry = load_registry(ROOT / "instances.yaml")
        jobs = [j.job for j in registry.infrastructure if j.job != "prometheus"]
        port, *ports = distinct_free_ports(1 + len(jobs))
        addresses = {"prometheus": f"127.0.0.1:{port}"}
        addresses |= {job: f"127.0.0.1:{p}" for job, p in zip(jobs, ports, strict=True)}
        registry = localize(registry, addresses)
        simulator = Simulator(SimulationPlan(registry, 3.0))
        simulator.start()
        stand_ins = simulated_jobs(addresses)
        redis = SimulatedExporters({"redis": stand_ins.pop("redis")})
        exporters = [redis, SimulatedExporters(stand_ins)]
        for exporter in exporters:
            exporter.start()
        url = start_prometheus(group, registry, port, "1s")
        wait_for_targets(url, len(registry.instances) + len(registry.infrastructure))
        time.sleep(15)  # the window drawn (25 s to 5 s ago) mostly filled with rates
        yield Stack(registry, simulator, url, _dashboards_scraped_every_second(workdir), redis)
    finally:
        for exporter in exporters:
            exporter.stop()
        if simulator is not None:
            simulator.stop()
        group.stop_all()
        shutil.rmtree(workdir, ignore_errors=True)


@pytest.fixture(scope="module")
def live(stack: Stack, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One live preview, PNGs and the saved data; up to 5 s ago, so that every scrape of
    that time is stored and a query of it answers the same later."""
    from click.testing import CliRunner

    from tsedash.cli import cli

    out = tmp_path_factory.mktemp("live")
    args = ["preview", "--dashboards", str(stack.dashboards), "--prometheus", stack.prometheus,
            "--from", "now-25s", "--to", "now-5s", "--out", str(out), "--save-data", str(out / "data.json")]  # fmt: skip
    res = CliRunner().invoke(cli, args, catch_exceptions=False)
    assert res.exit_code == 0, res.output
    return out


def _panels(html: str) -> list[tuple[str, list[int], str]]:
    """(title, grid x,y,w,h, inner HTML) of every panel drawn with data."""
    parts = re.split(r'(?=<div class="panel)', html)
    out = []
    for part in parts:
        head = re.match(r'<div class="panel data[^"]*" data-id="\d+" data-grid="([\d,]+)"', part)
        if head:
            title = re.search(r'<div class="title">([^<]*)', part)
            assert title
            out.append((title.group(1), [int(v) for v in head.group(1).split(",")], part))
    return out


def _colourful(image: Image.Image, box: tuple[int, int, int, int]) -> int:
    """Pixels in `box` with a colour: drawn series, not the grey frame, grid or text."""
    region = image.crop(box).convert("RGB")
    return sum(1 for r, g, b in region.get_flattened_data() if max(r, g, b) - min(r, g, b) > 20)


def test_every_timeseries_panel_plots_pixels(live: Path, stack: Stack) -> None:
    models = [json.loads(p.read_text()) for p in (stack.dashboards / "dashboards").rglob("*.json")]
    # Grafana queries what it shows: panels in a collapsed row are not drawn.
    drawn = sum(p["type"] == "timeseries" for m in models for p in m["panels"])
    checked = 0
    for page in PAGES:
        html = (live / f"{page}.html").read_text()
        image = Image.open(live / f"{page}.png")
        for title, (x, y, w, h), inner in _panels(html):
            if '<span class="type">timeseries' not in inner:
                continue
            left, top = 16 + x * 50, HEADER + y * 30
            body = h * 30 - CHROME - TITLE
            # The chart's plot area: right of the y axis, above the legend (at most 40 %).
            box = (
                left + 70,
                top + 8 + TITLE + 6,
                left + w * 50 - 12,
                top + 8 + TITLE + body * 55 // 100,
            )
            assert _colourful(image, box) > 30, f"{page} / {title}: nothing plotted"
            checked += 1
    assert checked == drawn > 25


def test_stats_show_the_instant_query_values(live: Path, stack: Stack) -> None:
    saved = json.loads((live / "data.json").read_text())
    html = (live / "devops-docker-view.html").read_text()
    stats = {
        title: inner
        for title, _, inner in _panels(html)
        if "stat-value" in inner or 'class="stat"' in inner
    }
    values = {
        t: [float(v) for v in re.findall(r'data-value="([^"]+)"', inner)]
        for t, inner in stats.items()
    }
    texts = {t: re.findall(r'<div class="sval"[^>]*>([^<]*)<', inner) for t, inner in stats.items()}
    instances = len(stack.registry.instances)
    assert values["Registered Instances"] == [instances]
    assert values["Instances Down"] == [0.0] and texts["Instances Down"] == ["0"]
    # Every stat value is what a fresh instant query at the same time answers.
    for key, answer in saved["answers"].items():
        if not key.startswith("/api/v1/query?"):
            continue
        params = dict(p.split("=", 1) for p in key.split("?", 1)[1].split("&"))
        from urllib.parse import unquote_plus

        again = api(
            stack.prometheus, "/api/v1/query", {k: unquote_plus(v) for k, v in params.items()}
        )
        assert again["data"]["result"] == answer["data"]["result"], key
    infra = texts["Infrastructure Services Health"]
    assert (
        set(infra) <= {"UP", "MISSING"} and "UP" in infra
    )  # prometheus scrapes itself? no: jobs absent → MISSING
    assert len(infra) == 6


def test_state_timeline_has_one_lane_per_instance(live: Path, stack: Stack) -> None:
    html = (live / "devops-docker-view.html").read_text()
    [inner] = [inner for title, _, inner in _panels(html) if title == "Service Instance Health"]
    assert f'data-lanes="{len(stack.registry.instances)}"' in inner
    labels = set(re.findall(r"<text[^>]*>([a-z-]+)</text>", inner, re.S))
    assert {i.instance_name for i in stack.registry.instances} <= labels


def test_saved_data_draws_the_same_bytes(
    live: Path, stack: Stack, tmp_path: Path, run_cli: RunCli
) -> None:
    res = run_cli("preview", "--dashboards", str(stack.dashboards), "--data", str(live / "data.json"),
                  "--out", str(tmp_path))  # fmt: skip
    assert res.exit_code == 0, res.stderr
    for page in PAGES:
        assert (tmp_path / f"{page}.html").read_bytes() == (live / f"{page}.html").read_bytes()
        assert (tmp_path / f"{page}.png").read_bytes() == (live / f"{page}.png").read_bytes()


def test_a_stopped_instance_is_drawn_down(
    live: Path, stack: Stack, tmp_path: Path, run_cli: RunCli
) -> None:
    stack.redis.stop()
    victim = next(i for i in stack.registry.instances if i.instance_name == VICTIM)
    port = int(victim.address.rsplit(":", 1)[1])
    # Stop only the victim's listener (the simulator serves every instance on its own port).
    for server in stack.simulator._listeners._servers:
        if server.server_address[1] == port:
            server.shutdown()
            server.server_close()
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        result = api(stack.prometheus, "/api/v1/query", {"query": f'up{{instance="{VICTIM}"}}'})
        redis = api(stack.prometheus, "/api/v1/query", {"query": 'up{job="redis"}'})
        values = [r["value"][1] for r in result["data"]["result"] + redis["data"]["result"]]
        if values == ["0", "0"]:
            break
        time.sleep(0.5)
    res = run_cli("preview", "--dashboards", str(stack.dashboards), "--prometheus", stack.prometheus,
                  "--from", "now-20s", "--out", str(tmp_path), "--no-png")  # fmt: skip
    assert res.exit_code == 0, res.stderr
    html = (tmp_path / "devops-docker-view.html").read_text()
    panels = {title: inner for title, _, inner in _panels(html)}
    rows = re.findall(r"<tr><td>([^<]*)</td>.*?</tr>", panels["All Service Instances"], re.S)
    assert rows[0] == VICTIM  # sort(bottomk(…)): down first
    first_row = (
        panels["All Service Instances"].split("<tr><td>" + VICTIM, 1)[1].split("</tr>", 1)[0]
    )
    assert ">DOWN<" in first_row and "#F2495C" in first_row
    assert first_row.count(">UP<") == 0
    down = re.search(r'data-value="([^"]+)" data-color="([^"]+)"', panels["Instances Down"])
    assert down and (float(down.group(1)), down.group(2)) == (1.0, "#F2495C")
    infra = re.findall(
        r'<div class="stat" data-value="([^"]+)" data-color="([^"]+)"[^>]*><div class="sname">'
        r'([^<]+)</div><div class="sval"[^>]*>([^<]+)<',
        panels["Infrastructure Services Health"],
    )
    shown = {job: (text, shade) for _, shade, job, text in infra}
    assert shown["redis"] == ("DOWN", "#F2495C")
    assert all(v == ("UP", "#73BF69") for job, v in shown.items() if job != "redis")

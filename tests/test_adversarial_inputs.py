"""Hostile inputs that used to be accepted, silently changed or a crash (issue 24, part 3/5).

Each case runs the real command in its own process and is judged the same way: the documented
exit code; one error line that names the file (and line, or JSON pointer) and the reason; no
traceback and never the line of an unexpected exception; nothing written or lost; an answer in
bounded time (the subprocess timeout only catches a hang, it measures nothing). The valid
neighbours of each hostile value are run too, with the values they give compared.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from tsedash.lint.core import DashboardContext
from tsedash.registry import load_registry
from tsedash.stack import distinct_free_ports
from tsedash_dashboards import build_all

from .conftest import ROOT
from .dashboard_helpers import FIXTURE, waived

HANG_GUARD = 120  # seconds: only a hang comes near it
BUG_LINE = "(a bug in tsedash)"
REGISTRY = FIXTURE.read_text()


def run(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GRAFANA_", "TSEDASH_"))}
    return subprocess.run(
        [sys.executable, "-m", "tsedash", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=HANG_GUARD,
        check=False,
    )


def judge(res: subprocess.CompletedProcess[str], code: int, located: str, reason: str) -> None:
    """The exit code; the first error line starts with `located` (file:line, or file and JSON
    pointer) and says `reason`; one line, short; no traceback, no bug line."""
    output = res.stdout + res.stderr
    assert res.returncode == code, output
    assert "Traceback" not in output and BUG_LINE not in output, output
    errors = [ln for ln in res.stderr.splitlines() if "error" in ln]
    assert errors, output
    first = errors[0]
    assert first.startswith(located) or first.startswith(f"error: {located}"), output
    assert reason in first, output
    assert len(first) < 400, f"an error line of {len(first)} characters"


# --- compose files: ports, port mappings, container names -----------------------------------


def _compose(tmp_path: Path, service: str, dotenv: str | None = None) -> Path:
    compose = tmp_path / "docker-compose.yml"
    compose.write_text(
        "services:\n"
        "  x:\n"
        "    image: y\n"
        "    environment:\n"
        "      SERVICE_NAME: exchange-simulator\n"
        "      SERVICE_INSTANCE_NAME: exchange-x\n" + service
    )
    if dotenv is not None:
        (tmp_path / ".env").write_text(dotenv)
    return compose


def _show(compose: Path) -> subprocess.CompletedProcess[str]:
    return run("registry", "show", "--json", "--registry", str(FIXTURE), "--compose", str(compose))


@pytest.mark.parametrize(
    ("service", "line", "reason"),
    [
        ("      HTTP_PORT: '99999999'\n", 7, "'99999999' is not a port"),
        ("      HTTP_PORT: '\uff18\uff10\uff18\uff10'\n", 7, "is not a port"),  # fullwidth 8080
        ("      HTTP_PORT: '²'\n", 7, "'²' is not a port"),
        ("      HTTP_PORT: '-1'\n", 7, "'-1' is not a port"),
        ("    ports: ['abc']\n", 7, "container port 'abc' is not a number from 1 to 65535"),
        ("    ports: ['8080:99999999']\n", 7, "container port '99999999'"),
        ("    ports: ['8080:-1']\n", 7, "container port '-1' is not a number"),
        ("    ports: ['99999999:8080']\n", 7, "host port '99999999'"),
        ("    ports: ['8080:80/xyz']\n", 7, "protocol 'xyz'"),
        ("    ports:\n      - target: abc\n", 8, "target 'abc' is not a number from 1 to 65535"),
        ("    ports:\n      - target: -1\n", 8, "target -1 is not a number"),
        ("    ports:\n      - target: 999999\n", 8, "target 999999 is not a number"),
        ("    expose: ['99999']\n", 7, "port '99999' is not a number from 1 to 65535"),
        ('    container_name: "a\\nb"\n', 7, "is not a container name Docker accepts"),
        ("    container_name: x\n", 7, "'x' is not a container name Docker accepts"),
        ("    container_name: -x\n", 7, "'-x' is not a container name Docker accepts"),
    ],
    ids=[
        "http-port-99999999",
        "http-port-fullwidth",
        "http-port-superscript",
        "http-port-minus-1",
        "port-abc",
        "port-target-huge",
        "port-target-minus-1",
        "port-host-huge",
        "port-protocol",
        "long-target-abc",
        "long-target-minus-1",
        "long-target-huge",
        "expose-99999",
        "container-name-newline",
        "container-name-one-char",
        "container-name-dash",
    ],
)
def test_compose_values_docker_refuses_are_located_errors(
    tmp_path: Path, service: str, line: int, reason: str
) -> None:
    """Each used to be accepted with exit 0, the address falling back to the default port
    (or the name going into the registry as written)."""
    compose = _compose(tmp_path, service)
    judge(_show(compose), 2, f"{compose}:{line}: error: services.x.", reason)


def test_http_port_given_as_a_list_item_is_located_too(tmp_path: Path) -> None:
    compose = tmp_path / "docker-compose.yml"
    compose.write_text(
        "services:\n  x:\n    image: y\n    environment:\n"
        "      - SERVICE_NAME=exchange-simulator\n      - HTTP_PORT=8o8o\n"
    )
    judge(_show(compose), 2, f"{compose}:6: error: services.x.environment.HTTP_PORT", "'8o8o'")


@pytest.mark.parametrize(
    ("service", "address"),
    [
        ("      HTTP_PORT: 9000\n", "x:9000"),
        ("      HTTP_PORT: ''\n", "x:9100"),  # empty: unset, the registry's default
        ("    ports: ['[::1]:8080:81/udp']\n", "x:81"),
        ("    ports: ['127.0.0.1::8082']\n", "x:8082"),
        ("    ports: [8083]\n", "x:8083"),
        ("    ports: ['9000-9001:8084-8085']\n", "x:8084"),
        ("    ports: ['0:8086']\n", "x:8086"),  # host port 0: Docker picks one
        ("    ports:\n      - {target: '8087', published: '8000-8010'}\n", "x:8087"),
        ("    expose: ['8088/tcp']\n", "x:8088"),
        ("    container_name: te-okx.1_a\n", "x:9100"),
    ],
)
def test_compose_values_docker_accepts_still_give_their_address(
    tmp_path: Path, service: str, address: str
) -> None:
    res = _show(_compose(tmp_path, service))
    assert res.returncode == 0, res.stderr
    [inst] = [i for i in json.loads(res.stdout) if i["instance_name"] == "exchange-x"]
    assert inst["address"] == address


# --- compose interpolation ---------------------------------------------------------------------


def _doubling_dotenv(lines: int) -> str:
    """`V1=${V0}${V0}`, `V2=${V1}${V1}`, …: each line twice the one above (line 15, V14,
    is the first over 64 KiB)."""
    return "V0=xxxxxxxx\n" + "".join(f"V{i}=${{V{i - 1}}}${{V{i - 1}}}\n" for i in range(1, lines))


def _aliased_references() -> str:
    """One short reference repeated 59,049 times through YAML aliases (within the alias
    budget), each expanding to a 60,000-character variable: 3.5 GB once interpolated."""
    levels = ['x-l0: &l0 "${X}-${X}"']
    levels += [f"x-l{i}: &l{i} [{', '.join([f'*l{i - 1}'] * 9)}]" for i in range(1, 6)]
    return "\n".join(levels) + "\n"


def test_an_exponential_dotenv_is_a_located_error(tmp_path: Path) -> None:
    compose = _compose(tmp_path, "      ID: ${V39}\n", _doubling_dotenv(40))
    started = time.monotonic()
    res = _show(compose)
    judge(res, 2, f"{tmp_path / '.env'}:15: error:", "grows beyond 65,536 characters")
    assert time.monotonic() - started < HANG_GUARD / 2


def test_aliases_multiplying_a_variable_are_a_located_error(tmp_path: Path) -> None:
    compose = tmp_path / "docker-compose.yml"
    compose.write_text(
        _aliased_references() + "services:\n  x:\n    image: y\n    labels: *l5\n"
        "    environment: {SERVICE_NAME: exchange-simulator, SERVICE_INSTANCE_NAME: exchange-x}\n"
    )
    (tmp_path / ".env").write_text("X=" + "x" * 30_000 + "\n")
    judge(_show(compose), 2, f"{compose}:", "all values together exceed 67,108,864 characters")


def test_interpolation_nesting_is_bounded(tmp_path: Path) -> None:
    nested = "x"
    for level in range(12):
        nested = f"${{A{level}:-{nested}}}"
    compose = _compose(tmp_path, f"      ID: '{nested}'\n")
    judge(_show(compose), 2, f"{compose}:7: error:", "nested deeper than 10 levels")


def test_dotenv_and_defaults_interpolate_as_compose_does(tmp_path: Path) -> None:
    """.env values see the lines above them (single-quoted ones stay as written); a default
    may hold a variable (`${A:-${B}}`): compose's rules, which these bounds keep finite."""
    dotenv = "BASE=90\nPORT=${BASE}01\nLITERAL='${BASE}'\nNAME=${MISSING:-${BASE}x}\n"
    compose = _compose(
        tmp_path,
        "      HTTP_PORT: ${PORT}\n    container_name: te-${NAME}\n    labels: [$LITERAL]\n",
        dotenv,
    )
    res = _show(compose)
    assert res.returncode == 0, res.stderr
    [inst] = [i for i in json.loads(res.stdout) if i["instance_name"] == "exchange-x"]
    assert (inst["address"], inst["container_name"]) == ("x:9001", "te-90x")


# --- the registry file -------------------------------------------------------------------------


def _version(digits: int) -> str:
    return REGISTRY.replace("version: 1", "version: " + "9" * digits, 1)


@pytest.mark.parametrize(
    ("content", "line", "reason"),
    [
        (_version(5000), 2, "version: an integer of 5,000 characters"),
        (_version(4000), 2, "unsupported registry version: an integer of 4,000 digits"),
        (REGISTRY.replace("version: 1", "version: 1\nx: 2024-13-45", 1), 3, "cannot be read"),
        (
            REGISTRY.replace("name: exchange-OKX}", "name: exchange-OKX, container_name: x}"),
            36,
            "'x': a Docker container name",
        ),
    ],
    ids=["version-5000-digits", "version-4000-digits", "impossible-date", "container-one-char"],
)
def test_hostile_registry_values(tmp_path: Path, content: str, line: int, reason: str) -> None:
    registry = tmp_path / "r.yaml"
    registry.write_text(content)
    out = tmp_path / "p"
    judge(run("registry", "check", "--registry", str(registry)), 2, f"{registry}:{line}:", reason)
    judge(run("build", "--registry", str(registry), "--out", str(out)), 2, str(registry), reason)
    assert not out.exists()


def _without_infrastructure(text: str) -> str:
    lines = text.splitlines(keepends=True)
    return "".join(
        "infrastructure: []\n" if ln.startswith("infrastructure:") else ln
        for ln in lines
        if "{job:" not in ln
    )


def test_a_registry_without_infrastructure_builds_valid_promql(tmp_path: Path) -> None:
    """`registry check` passes it, so the build must too: it used to write
    `max by (job) (up{job=~""}) or` (no such PromQL) and fail lint."""
    registry = tmp_path / "r.yaml"
    registry.write_text(_without_infrastructure(REGISTRY))
    assert "infrastructure: []" in registry.read_text()
    out = tmp_path / "p"
    check = run("registry", "check", "--registry", str(registry))
    assert check.returncode == 0 and "0 infrastructure jobs" in check.stdout, check.stderr
    args = ["--registry", str(registry), "--out", str(out), "--lint", "--strict"]
    # In its own directory: the project's .lint.yaml excuses the infrastructure panel, and
    # --strict reports an excuse that matches nothing.
    res = run("build", *args, "--deploy", str(tmp_path / "d"), cwd=tmp_path)
    assert res.returncode == 0, res.stdout + res.stderr
    assert run("validate", "--out", str(out)).returncode == 0
    devops = json.loads((out / "dashboards/trading-ecosystem/devops-docker-view.json").read_text())
    assert "Infrastructure Services Health" not in [p.get("title") for p in devops["panels"]]


@pytest.mark.parametrize(
    "edit",
    [
        _without_infrastructure,
        lambda text: text.replace('  - {job: cadvisor, address: "cadvisor:8080"}\n', ""),
        lambda text: text.replace('  - {job: redis, address: "redis-exporter:9121"}\n', ""),
        lambda text: text.replace("defaults: {", "defaults: {recording_rules: true, "),
    ],
    ids=["no-infrastructure", "no-cadvisor", "cadvisor-only", "recording-rules"],
)
def test_every_query_of_every_registry_shape_is_promql(tmp_path: Path, edit: Any) -> None:
    """Each target, its variables expanded as lint expands them, parses (promql-parser)."""
    registry = tmp_path / "r.yaml"
    registry.write_text(edit(REGISTRY))
    reg = load_registry(registry)
    for spec, model in build_all(reg):
        targets = DashboardContext(spec.filename, model, reg).targets
        assert targets
        broken = [(t.panel.get("title"), t.expanded, t.error) for t in targets if t.error]
        assert broken == [], broken


# --- old dashboards migrated -------------------------------------------------------------------


def _old(**fields: Any) -> dict[str, Any]:
    return {"uid": "old", "title": "Old", "schemaVersion": 12, **fields}


def _graph(**fields: Any) -> dict[str, Any]:
    return {"type": "graph", "title": "G", "targets": [{"expr": "up", "refId": "A"}], **fields}


def _stat(**fields: Any) -> dict[str, Any]:
    return {"type": "singlestat", "title": "S", "targets": [{"expr": "up", "refId": "A"}], **fields}


@pytest.mark.parametrize(
    ("model", "pointer", "reason"),
    [
        (_old(rows="x"), "/rows", "expected a list, got the string 'x'"),
        (_old(rows=[1, "a", None]), "/rows/0", "expected a mapping, got the number 1"),
        (
            _old(rows=[{"panels": ["junk"]}]),
            "/rows/0/panels/0",
            "expected a mapping, got the string 'junk'",
        ),
        (_old(rows=[{"panels": "x"}]), "/rows/0/panels", "expected a list"),
        (
            # Grafana's own stat migration (schema step 28) fails on it; named where the file
            # has it, inside its pre-v16 row.
            _old(rows=[{"panels": [_stat(gauge=[1])]}]),
            "/rows/0/panels/0/gauge",
            "not an object: Grafana's stat migration fails on it",
        ),
        (_old(panels=[_graph(targets=[3])]), "/panels/0/targets/0", "expected a mapping"),
        (_old(templating=[1]), "/templating", "expected a mapping"),
        (
            _old(panels=[{"gridPos": {"y": "a", "h": 1}}], rows=[{"panels": []}]),
            "/panels/0/gridPos/y",
            "expected a number",
        ),
    ],
    ids=[
        "rows-string",
        "rows-junk-items",
        "row-panel-junk",
        "row-panels-string",
        "singlestat-gauge-list",
        "target-number",
        "templating-list",
        "gridpos-y-string-beside-rows",
    ],
)
def test_hostile_old_dashboards_are_located_errors(
    tmp_path: Path, model: dict[str, Any], pointer: str, reason: str
) -> None:
    extras = tmp_path / "extras"
    extras.mkdir()
    (extras / "old.json").write_text(json.dumps(model))
    out = tmp_path / "p"
    res = run("build", "--registry", str(FIXTURE), "--out", str(out), "--extras", str(extras))
    judge(res, 2, f"{extras / 'old.json'}: cannot migrate", f"at {pointer}: {reason}")
    assert not out.exists()


@pytest.mark.parametrize(
    ("model", "check"),
    [
        # An unreadable span is 4 (8 of 24 columns), an unreadable row height 250px (7 cells).
        (_old(rows=[{"panels": [_graph(span="wide")]}]), ("gridPos", {"x": 0, "y": 0, "w": 8, "h": 7})),
        (_old(rows=[{"height": "big", "panels": [_graph(span=6)]}]), ("gridPos", {"x": 0, "y": 0, "w": 12, "h": 7})),
        # What the stat migration cannot read as a sparkline, colours or levels, it leaves out.
        (_old(panels=[_stat(sparkline=[2])]), ("type", "stat")),
        (_old(panels=[_stat(colors={"a": 1})]), ("type", "stat")),
        (_old(panels=[_stat(thresholds=[1])]), ("type", "stat")),
        # The graph migration reads `yaxes[0]` and `legend.show` as JavaScript does: an object's
        # "0" is missing, a list has no `show` (a hidden legend).
        (_old(panels=[_graph(yaxes={"a": 1})]), ("type", "timeseries")),
        (_old(panels=[_graph(legend=[1])]), ("options", {"legend": {"displayMode": "list", "showLegend": False, "placement": "bottom", "calcs": []}, "tooltip": {"mode": "single", "sort": "none"}})),
        (_old(panels=[_graph(fieldConfig=[1])]), ("type", "timeseries")),
        # A datasource that is not a name or a reference is none: the default (steps 33, 36).
        (_old(panels=[_graph(datasource=[1])]), ("datasource", {"uid": "prom-test", "type": "prometheus"})),
    ],
    ids=[
        "span-wide",
        "height-big",
        "singlestat-sparkline-list",
        "singlestat-colors-mapping",
        "singlestat-thresholds-list",
        "graph-yaxes-mapping",
        "graph-legend-list",
        "field-config-list",
        "datasource-list",
    ],
)  # fmt: skip
def test_odd_old_fields_are_read_as_grafana_reads_them(
    tmp_path: Path, model: dict[str, Any], check: tuple[str, Any]
) -> None:
    extras = tmp_path / "extras"
    extras.mkdir()
    (extras / "old.json").write_text(json.dumps(model))
    out = tmp_path / "p"
    args = ["--registry", str(FIXTURE), "--out", str(out), "--extras", str(extras)]
    res = run("build", *args, *waived(tmp_path, "old"))
    assert res.returncode == 0, res.stdout + res.stderr
    [panel] = json.loads((out / "dashboards/trading-ecosystem/extra-old.json").read_text())[
        "panels"
    ]
    key, expected = check
    assert panel[key] == expected


def test_numbers_written_as_strings_are_read_as_javascript_reads_them(tmp_path: Path) -> None:
    """Grafana's graph migration takes `pointradius` and `fill` only when they are numbers
    (lodash `isNumber`), passes `linewidth` on as it is, and sorts threshold values with `>`,
    which compares a string with a number as numbers (the old migration computed `2 + "33"`)."""
    graph = _graph(
        points=True,
        pointradius="3",
        fill="1",
        linewidth=2,
        lines=True,
        thresholds=[{"value": "5", "op": "gt", "colorMode": "critical"}, {"value": 3, "op": "gt"}],
        gridPos={"x": 0, "y": 0, "w": 12, "h": 8},
        id=1,
        datasource="Prometheus Test",
    )
    extras = tmp_path / "extras"
    extras.mkdir()
    (extras / "old.json").write_text(json.dumps(_old(panels=[graph])))
    out = tmp_path / "p"
    args = ["--registry", str(FIXTURE), "--out", str(out), "--extras", str(extras)]
    res = run("build", *args, *waived(tmp_path, "old"))
    assert res.returncode == 0, res.stdout + res.stderr
    panel = json.loads((out / "dashboards/trading-ecosystem/extra-old.json").read_text())["panels"][
        0
    ]
    custom = panel["fieldConfig"]["defaults"]["custom"]
    assert "pointSize" not in custom and "fillOpacity" not in custom
    assert custom["lineWidth"] == 2
    steps = panel["fieldConfig"]["defaults"]["thresholds"]["steps"]
    assert [s["value"] for s in steps] == [None, 3, "5"]


# --- schema v2 ---------------------------------------------------------------------------------


def _v1(panels: list[dict[str, Any]], **fields: Any) -> dict[str, Any]:
    return {
        "uid": "tiny",
        "title": "Tiny",
        "schemaVersion": 42,
        "panels": panels,
        "templating": {"list": []},
        **fields,
    }


def _tile(panel_id: int, x: int, y: int, kind: str = "stat") -> dict[str, Any]:
    ds = {"type": "prometheus", "uid": "prom-test"}
    panel: dict[str, Any] = {
        "id": panel_id,
        "type": kind,
        "title": f"T{panel_id}",
        "gridPos": {"x": x, "y": y, "w": 1, "h": 1},
    }
    if kind == "row":
        return {**panel, "collapsed": False, "panels": []}
    return {**panel, "datasource": ds, "targets": [{"refId": "A", "expr": "up", "datasource": ds}]}


def _build_v2(
    tmp_path: Path, model: dict[str, Any]
) -> tuple[subprocess.CompletedProcess[str], Path]:
    extras = tmp_path / "extras"
    extras.mkdir()
    (extras / "tiny.json").write_text(json.dumps(model))
    out = tmp_path / "p"
    args = ["--registry", str(FIXTURE), "--out", str(out), "--extras", str(extras)]
    return run("build", *args, "--schema", "v2", *waived(tmp_path, str(model["uid"]))), out


@pytest.mark.parametrize(
    "model",
    [
        _v1([_tile(1, 0, 0), _tile(2, 1, 0)]),
        _v1([_tile(1, 0, 0), _tile(2, 1, 0, "row"), _tile(3, 0, 1)]),
        _v1([_tile(1, 0, 0, "row"), _tile(2, 1, 0, "row")]),
        _v1(
            [_tile(1, 0, 0), _tile(2, 1, 0)],
            timepicker={
                "hidden": False,
                "refresh_intervals": [
                    "5s",
                    "10s",
                    "30s",
                    "1m",
                    "5m",
                    "15m",
                    "30m",
                    "1h",
                    "2h",
                    "1d",
                ],
            },
        ),
    ],
    ids=["two-tiles", "tile-beside-a-row", "two-narrow-rows", "grafanalib-timepicker"],
)
def test_v2_builds_what_grafana_converts(tmp_path: Path, model: dict[str, Any]) -> None:
    """A row is the grid's full width in Grafana whatever its gridPos says (its conversion
    keeps only `y`); Grafana's default time picker is no difference either."""
    res, out = _build_v2(tmp_path, model)
    assert res.returncode == 0, res.stdout + res.stderr
    resource = json.loads((out / "dashboards-v2/extra-tiny.json").read_text())
    assert sorted(resource["spec"]["elements"]) == sorted(
        f"panel-{p['id']}" for p in model["panels"] if p["type"] != "row"
    )


def test_v2_places_a_panel_on_its_rows_line_as_grafana_does(tmp_path: Path) -> None:
    """Grafana's conversion refuses no panel for its place: one on its row's line goes to
    y - rowY - 1 in its row (yOffsetInRows; -1 as written, or wherever the load defaults
    placed it first), and so does ours."""
    res, out = _build_v2(tmp_path, _v1([_tile(1, 0, 0, "row"), _tile(2, 1, 0)]))
    assert res.returncode == 0, res.stdout + res.stderr
    v1 = json.loads((out / "dashboards/trading-ecosystem/extra-tiny.json").read_text())
    row_y, panel_y = (p["gridPos"]["y"] for p in v1["panels"])
    resource = json.loads((out / "dashboards-v2/extra-tiny.json").read_text())
    (row,) = resource["spec"]["layout"]["spec"]["rows"]
    items = row["spec"]["layout"]["spec"]["items"]
    assert [i["spec"]["y"] for i in items] == [panel_y - row_y - 1]


# --- signals -----------------------------------------------------------------------------------

STOP_BOUND = 5.0  # seconds: stopping takes about one poll interval (0.5 s) however many endpoints


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_simulate_stops_promptly_on_a_signal(tmp_path: Path, sig: signal.Signals) -> None:
    """20 endpoints scraped once, last first, as a scraper's order may be: one after the
    other, each listener's shutdown waited out its own poll interval (~10 s in all)."""
    ports = distinct_free_ports(20, set())
    registry = tmp_path / "r.yaml"
    registry.write_text(
        "version: 1\ncategories: {venue: Venues}\n"
        "services:\n  exchange-simulator: {category: venue}\ninstances:\n"
        + "".join(
            f'  - {{service: exchange-simulator, name: exchange-x{i:02d}, address: "127.0.0.1:{p}"}}\n'
            for i, p in enumerate(ports)
        )
    )
    proc = subprocess.Popen(
        [sys.executable, "-m", "tsedash", "simulate", "--registry", str(registry)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    try:
        assert proc.stdout is not None
        assert re.match(r"serving 20 endpoints", proc.stdout.readline())
        for port in reversed(ports):
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as resp:
                assert resp.status == 200
        started = time.monotonic()
        proc.send_signal(sig)
        _, err = proc.communicate(timeout=HANG_GUARD)
        took = time.monotonic() - started
        assert proc.returncode == 0, err
        assert "Traceback" not in err
        assert took < STOP_BOUND, f"stopped {took:.1f}s after {sig.name}"
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()

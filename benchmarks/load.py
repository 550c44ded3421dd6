"""What one load of both dashboards asks of a real Prometheus, at 100 / 1,000 / 10,000 instances.

Per size: a registry of the repository's service types with N instances, their data backfilled
into a real Prometheus (`promtool tsdb create-blocks-from openmetrics`, benchmarks/backfill.py),
the generated recording rules backfilled over the same range (`promtool tsdb create-blocks-from
rules`), then every request Grafana makes for one load of each dashboard with every variable on
All (the variables' label-values calls, then each visible panel's targets: a 15-minute range at
a 15 s step, instant targets at its end; panels in collapsed rows are not queried) is sent and
its answer counted: series (or values), points, bytes, and the time Prometheus took (wall time
of the request on the loopback). Three designs side by side in the same Prometheus: the
dashboards as they were before bounding (benchmarks/baseline/, committed output of the earlier
code), ours with raw queries, ours with `defaults: {recording_rules: true}`.
Then the generated rules (alerts and recording rules) are evaluated on live data, as on a
running stack: a second Prometheus scrapes the same series every 15 s from one exposition
(`honor_labels`, so each series keeps its job and instance) into its head, and the figure is
the sum of every group's `evaluationTime` per interval (median of three, after five scrapes).
"""

from __future__ import annotations

import contextlib
import http.server
import io
import json
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import yaml  # noqa: E402

from benchmarks.backfill import STEP, write_file, write_openmetrics  # noqa: E402
from tsedash.processes import ProcessGroup, find_program, free_port, http_ok  # noqa: E402
from tsedash.prometheus.config import render_prometheus  # noqa: E402
from tsedash.registry import Registry, load_registry_text  # noqa: E402
from tsedash_dashboards import build_all  # noqa: E402

SIZES = (100, 1_000, 10_000)
RANGE = 15 * 60
QUERY_STEP = 15
HISTORY = RANGE + 4 * STEP * 2  # the range plus room for the first rate window
# Grafana's macros for a 15-minute range, 15 s step and a 30 s scrape interval.
MACROS = {
    "$__rate_interval": f"{4 * STEP}s",
    "$__range": f"{RANGE}s",
    "$__interval": f"{QUERY_STEP}s",
}
BASELINE = ROOT / "benchmarks" / "baseline"


def registry_text(n: int, recording: bool) -> str:
    """The repository's registry header (service types, infrastructure) with N instances."""
    header = (ROOT / "instances.yaml").read_text().split("\ninstances:")[0]
    if recording:
        header = header.replace(
            "container_prefix: trading-ecosystem-}",
            "container_prefix: trading-ecosystem-, recording_rules: true}",
        )
    prefixes = {
        "exchange-simulator": "exchange-x",
        "custodian-simulator": "custodian-c",
        "market-data-simulator": "market-data-m",
        "risk-monitor": "risk-monitor-r",
        "trading-system-engine": "trading-engine-t",
    }
    lines = ["instances:"]
    lines += [f"  - {{service: {s}, address: '{s}:8080'}}" for s in ("audit-correlator",)]
    lines += ["  - {service: test-coordinator, address: 'test-coordinator:8080'}"]
    kinds = list(prefixes.items())
    for k in range(n - 2):
        service, prefix = kinds[k % len(kinds)]
        name = f"{prefix}{k:05d}"
        lines.append(f"  - {{service: {service}, name: {name}, address: '{name}:8080'}}")
    return header + "\n" + "\n".join(lines) + "\n"


@dataclass
class Load:
    requests: int = 0
    series: int = 0
    points: int = 0
    bytes: int = 0
    seconds: float = 0.0
    biggest: list[tuple[int, str]] = field(default_factory=list)
    slowest: list[tuple[float, str]] = field(default_factory=list)


def _ask(
    url: str, path: str, params: list[tuple[str, str]], post: bool = True
) -> tuple[bytes, float]:
    """One request as Grafana sends it (queries POSTed, label values by GET)."""
    body = urllib.parse.urlencode(params)
    target = f"{url}{path}" if post else f"{url}{path}?{body}"
    started = time.perf_counter()
    with urllib.request.urlopen(target, data=body.encode() if post else None, timeout=300) as resp:
        data = resp.read()
    return data, time.perf_counter() - started


def _substitute(expr: str, values: dict[str, str]) -> str:
    for macro, value in MACROS.items():
        expr = expr.replace(macro, value)
    for name, value in sorted(values.items(), key=lambda kv: -len(kv[0])):
        expr = expr.replace("${" + name + "}", value).replace("$" + name, value)
    return expr


def _visible_targets(model: dict[str, Any]) -> list[dict[str, Any]]:
    """Targets of the panels Grafana loads: top level, not inside a collapsed row."""
    return [t for p in model["panels"] if p.get("type") != "row" for t in p.get("targets", [])]


def _variable_values(
    url: str,
    var: dict[str, Any],
    values: dict[str, str],
    window: list[tuple[str, str]],
    count: Callable[[bytes, float, str, int, int], None],
) -> list[str]:
    """label_values() → the label values API; query_result() → an instant query whose series
    (as Grafana prints them) the variable's regex picks from."""
    m = re.fullmatch(r"label_values\((.*), *(\w+)\)", var["query"])
    if m:
        match, label = _substitute(m.group(1), values), m.group(2)
        body, took = _ask(
            url, f"/api/v1/label/{label}/values", [("match[]", match), *window], post=False
        )
        found: list[str] = json.loads(body)["data"]
    else:
        m = re.fullmatch(r"query_result\((.*)\)", var["query"])
        assert m, var["query"]
        params = [("query", _substitute(m.group(1), values)), ("time", window[1][1])]
        body, took = _ask(url, "/api/v1/query", params)
        pattern = re.compile(var["regex"].strip("/"))
        printed = [
            ",".join(f'{k}="{v}"' for k, v in s["metric"].items())
            for s in json.loads(body)["data"]["result"]
        ]
        found = sorted({m.group(1) for text in printed if (m := pattern.search(text))})
    count(body, took, f"variable {var['name']}", len(found), len(found))
    return found


def load_dashboard(url: str, model: dict[str, Any], end: int) -> Load:
    result = Load()
    window = [("start", str(end - RANGE)), ("end", str(end))]
    values: dict[str, str] = {}

    def count(body: bytes, seconds: float, what: str, series: int, points: int) -> None:
        result.requests += 1
        result.series += series
        result.points += points
        result.bytes += len(body)
        result.seconds += seconds
        result.biggest.append((series, what))
        result.slowest.append((seconds, what))

    for var in model["templating"]["list"]:
        if var.get("type") == "textbox":
            values[var["name"]] = var["current"]["value"]
        if var.get("type") != "query":
            continue
        found = _variable_values(url, var, values, window, count)
        escaped = [re.escape(v) for v in found]
        values[var["name"]] = var.get("allValue") or "(" + "|".join(escaped) + ")"
    for target in _visible_targets(model):
        expr = _substitute(target["expr"], values)
        if target.get("instant"):
            params = [("query", expr), ("time", str(end))]
            body, took = _ask(url, "/api/v1/query", params)
        else:
            params = [("query", expr), *window, ("step", str(QUERY_STEP))]
            body, took = _ask(url, "/api/v1/query_range", params)
        answer = json.loads(body)
        assert answer["status"] == "success", (expr, answer)
        data = answer["data"]["result"]
        points = sum(len(s.get("values", [])) or 1 for s in data)
        count(body, took, target["expr"][:90], len(data), points)
    return result


def _start_prometheus(group: ProcessGroup, work: Path, port: int) -> str:
    url = f"http://127.0.0.1:{port}"
    group.start(
        "prometheus",
        [
            find_program("prometheus"),
            f"--config.file={work / 'prometheus.yml'}",
            f"--storage.tsdb.path={work / 'data'}",
            "--storage.tsdb.retention.time=30d",
            f"--web.listen-address=127.0.0.1:{port}",
            "--query.max-samples=500000000",
        ],
        ready=lambda: http_ok(f"{url}/-/ready"),
        timeout=300,
    )
    return url


def _write_config(registry: Registry, work: Path) -> list[Path]:
    files = render_prometheus(registry)
    rule_files = yaml.safe_load(files["prometheus.yml"])["rule_files"]
    for name in rule_files:
        (work / name).parent.mkdir(parents=True, exist_ok=True)
        (work / name).write_bytes(files[name])
    config = {"global": {"evaluation_interval": "15s"}, "rule_files": rule_files}
    (work / "prometheus.yml").write_text(yaml.safe_dump(config))
    return [work / name for name in rule_files]


def _recording_layers(paths: list[Path]) -> list[list[dict[str, Any]]]:
    """The recording rules in the order they can be backfilled: promtool evaluates a rule
    against the Prometheus it is given, so a rule reading another recorded series waits until
    that series' blocks are loaded (a later layer)."""
    rules = [
        r
        for p in paths
        for g in yaml.safe_load(p.read_text())["groups"]
        for r in g["rules"]
        if "record" in r
    ]
    layers: list[list[dict[str, Any]]] = []
    done: set[str] = set()
    while rules:
        names = {r["record"] for r in rules}
        layer = [r for r in rules if not any(n in r["expr"] for n in names - done)]
        layer = layer or rules  # a cycle cannot happen in generated rules; never loop
        layers.append(layer)
        done |= {r["record"] for r in layer}
        rules = [r for r in rules if r not in layer]
    return layers


def _check_recorded(url: str, paths: list[Path], end: int) -> None:
    """Every recorded series has data at the end of the range: a dashboard reading a series
    the backfill missed would look cheap for the wrong reason."""
    for layer in _recording_layers(paths):
        for rule in layer:
            query = [("query", f"count({rule['record']})"), ("time", str(end))]
            result = json.loads(_ask(url, "/api/v1/query", query)[0])["data"]["result"]
            if not result or float(result[0]["value"][1]) == 0:
                raise SystemExit(f"backfill left {rule['record']} without data")


def _backfill_layer(
    group: ProcessGroup,
    work: Path,
    port: int,
    url: str,
    layer: list[dict[str, Any]],
    number: int,
    end: int,
) -> str:
    """Backfill one layer of recording rules over the range, load the blocks, restart."""
    rules = work / f"layer-{number}.yml"
    rules.write_text(yaml.safe_dump({"groups": [{"name": f"layer-{number}", "rules": layer}]}))
    out = work / f"rules-blocks-{number}"
    subprocess.run(
        [
            find_program("promtool"),
            "tsdb",
            "create-blocks-from",
            "rules",
            "-q",
            f"--url={url}",
            f"--start={end - HISTORY}",
            f"--end={end}",
            f"--eval-interval={STEP}s",
            f"--output-dir={out}",
            str(rules),
        ],
        check=True,
        capture_output=True,
    )
    group.stop_all()
    for block in out.iterdir():
        shutil.move(str(block), work / "data" / block.name)
    return _start_prometheus(group, work, port)


def rule_evaluation(url: str, polls: int = 3) -> tuple[float, dict[str, float]]:
    """Median over polls of the summed `evaluationTime` of every group, and per group."""
    totals: list[float] = []
    per_group: dict[str, list[float]] = {}
    last: dict[str, str] = {}
    deadline = time.monotonic() + 120
    while len(totals) < polls and time.monotonic() < deadline:
        time.sleep(15)
        groups = json.loads(urllib.request.urlopen(f"{url}/api/v1/rules", timeout=30).read())
        groups = groups["data"]["groups"]
        if any(g["lastEvaluation"].startswith("0001") for g in groups):
            continue
        stamp = {g["name"]: g["lastEvaluation"] for g in groups}
        if stamp == last:
            continue
        last = stamp
        totals.append(sum(float(g["evaluationTime"]) for g in groups))
        for g in groups:
            per_group.setdefault(g["name"], []).append(float(g["evaluationTime"]))
    return statistics.median(totals), {k: statistics.median(v) for k, v in per_group.items()}


class _Exposition(http.server.BaseHTTPRequestHandler):
    registry: Registry

    def do_GET(self) -> None:
        now = int(time.time())
        out = io.StringIO()
        write_openmetrics(self.registry, out, now - 1, now - 1)
        body = out.getvalue().encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/openmetrics-text; version=1.0.0")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        # A Prometheus stopped at the end of a run may hang up in the middle of a scrape.
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@contextlib.contextmanager
def live_prometheus(registry: Registry, rule_paths: list[Path], work: Path) -> Iterator[str]:
    """A real Prometheus (its URL) scraping the registry's series every 15 s from one
    exposition (`honor_labels`, so each series keeps its job and instance) and evaluating the
    rule files every 15 s; stopped on exit. Its head starts empty: wait for scrapes."""
    handler = type("Handler", (_Exposition,), {"registry": registry})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    live = work / "live"
    live.mkdir()
    config = {
        "global": {"scrape_interval": "15s", "evaluation_interval": "15s", "scrape_timeout": "14s"},
        "rule_files": [str(p) for p in rule_paths],
        "scrape_configs": [
            {
                "job_name": "bench",
                "honor_labels": True,
                "static_configs": [{"targets": [f"127.0.0.1:{server.server_address[1]}"]}],
            }
        ],
    }
    (live / "prometheus.yml").write_text(yaml.safe_dump(config))
    group = ProcessGroup(live)
    try:
        yield _start_prometheus(group, live, free_port())
    finally:
        group.stop_all()
        server.shutdown()


def live_rule_evaluation(
    registry: Registry, rule_paths: list[Path], work: Path
) -> tuple[float, dict[str, float]]:
    with live_prometheus(registry, rule_paths, work) as url:
        time.sleep(75)  # five scrapes: every 1m rate window holds four samples
        return rule_evaluation(url)


def measure(n: int) -> dict[str, Any]:
    raw = load_registry_text(registry_text(n, recording=False), f"bench-{n}.yaml")
    recorded = load_registry_text(registry_text(n, recording=True), f"bench-{n}.yaml")
    designs = {
        "before": [json.loads((BASELINE / f).read_text()) for f in sorted(BASELINE.iterdir())],
        "raw": [model for _, model in build_all(raw)],
        "recording rules": [model for _, model in build_all(recorded)],
    }
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        end = int(time.time()) // STEP * STEP
        started = time.perf_counter()
        series = write_file(raw, work / "data.om", end - HISTORY, end)
        generated = time.perf_counter() - started
        subprocess.run(
            [
                find_program("promtool"),
                "tsdb",
                "create-blocks-from",
                "openmetrics",
                "-q",
                str(work / "data.om"),
                str(work / "data"),
            ],
            check=True,
        )
        (work / "data.om").unlink()
        imported = time.perf_counter() - started - generated
        rule_paths = _write_config(recorded, work)
        group = ProcessGroup(work)
        port = free_port()
        try:
            url = _start_prometheus(group, work, port)
            for number, layer in enumerate(_recording_layers(rule_paths)):
                url = _backfill_layer(group, work, port, url, layer, number, end)
            _check_recorded(url, rule_paths, end)
            loads = {
                name: [load_dashboard(url, m, end) for m in models]
                for name, models in designs.items()
            }
        finally:
            group.stop_all()
        evaluation, per_group = live_rule_evaluation(raw, rule_paths, work)
    return {
        "n": n,
        "series": series,
        "generate_s": generated,
        "import_s": imported,
        "loads": loads,
        "evaluation_ms": evaluation * 1000,
        "per_group_ms": {k: v * 1000 for k, v in per_group.items()},
    }


def main() -> None:
    sizes = tuple(int(a) for a in sys.argv[1:]) or SIZES
    print("One load of both dashboards, every variable on All, 15 min at 15 s, real Prometheus")
    head = (
        f"{'instances':>9} {'design':<16} {'requests':>8} {'series':>8} {'points':>10} "
        f"{'MB':>7} {'Prom s':>7} {'vs before':>9}"
    )
    results = []
    for n in sizes:
        r = measure(n)
        results.append(r)
        print(
            f"(N={n}: {r['series']:,} backfilled series; generated in {r['generate_s']:.1f} s, "
            f"imported in {r['import_s']:.1f} s)"
        )
        print(head)
        before = sum(x.seconds for x in r["loads"]["before"])
        for design, loads in r["loads"].items():
            total = Load()
            for x in loads:
                total.requests += x.requests
                total.series += x.series
                total.points += x.points
                total.bytes += x.bytes
                total.seconds += x.seconds
            print(
                f"{n:>9} {design:<16} {total.requests:>8} {total.series:>8,} "
                f"{total.points:>10,} {total.bytes / 1e6:>7.2f} {total.seconds:>7.3f} "
                f"{total.seconds / before:>8.1%}"
            )
        print(f"  rule evaluation per interval: {r['evaluation_ms']:.1f} ms (sum of groups)")
        worst = sorted(r["per_group_ms"].items(), key=lambda kv: -kv[1])[:4]
        print("  slowest groups: " + ", ".join(f"{k} {v:.1f} ms" for k, v in worst))
        for design in ("raw", "recording rules"):
            big = sorted((s for x in r["loads"][design] for s in x.biggest), reverse=True)[:3]
            print(f"  largest answers ({design}): " + "; ".join(f"{s} {w}" for s, w in big))
            slow = sorted((s for x in r["loads"][design] for s in x.slowest), reverse=True)[:3]
            print(f"  slowest ({design}): " + "; ".join(f"{s:.3f}s {w}" for s, w in slow))
        print()


if __name__ == "__main__":
    main()

"""Scale and speed of the dashboards build (`make bench`); ratios against baselines of this run.

Per registry size: the build of both dashboards (models + encoding) against the floor of
`json.dumps` of the same output; JSON bytes, panels and queries per dashboard; and the seed's
design (one panel and one query per instance, built with grafanalib) side by side. (Whole
processes and their imports: benchmarks/startup.py.)
Measurements only: nothing here fails on a timer.
"""

from __future__ import annotations

import gc
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.seed_design import build_seed_dashboards  # noqa: E402
from tsedash.encode import dump_json  # noqa: E402
from tsedash.registry import load_registry_text  # noqa: E402
from tsedash_dashboards import build_all  # noqa: E402

SIZES = (7, 100, 1_000, 10_000)
SERVICES = """\
version: 1
categories: {central: Central Services, exchange: Exchange Entities, market-data: Market Data}
infrastructure:
  - {job: redis, address: "redis-exporter:9121"}
  - {job: cadvisor, address: "cadvisor:8080"}
services:
  audit-correlator:
    category: central
    singleton: true
    metrics: [{name: audit_events_total, title: Audit Events, type: counter}]
  exchange-simulator:
    category: exchange
    metrics: [{name: trades_total, title: Trades, type: counter}]
  market-data-simulator:
    category: market-data
    metrics: [{name: price_updates_total, title: Price Updates, type: counter, by: [symbol]}]
"""


def registry_text(n: int) -> str:
    lines = ["instances:", "  - service: audit-correlator"]
    for i in range(n - 1):
        service, prefix = (
            ("exchange-simulator", "exchange") if i % 2 else ("market-data-simulator", "md")
        )
        lines.append(f"  - {{service: {service}, name: {prefix}-I{i:05d}}}")
    return SERVICES + "\n".join(lines) + "\n"


def best_of(fn: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    times, result = [], None
    for _ in range(repeat):
        gc.collect()  # start every run from the same heap, so runs compare
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return min(times), result


def queries(model: dict[str, Any]) -> int:
    """Every target, those of collapsed rows' children included."""
    panels = [c for p in model["panels"] for c in (p, *p.get("panels", []))]
    return sum(len(p.get("targets", [])) for p in panels)


def measure(n: int) -> dict[str, Any]:
    repeat = 5 if n <= 1000 else 3
    text = registry_text(n)
    load_s, registry = best_of(lambda: load_registry_text(text, f"bench-{n}.yaml"), 3)
    yaml_s, _ = best_of(lambda: yaml.load(text, Loader=yaml.CSafeLoader), 3)

    def ours() -> list[bytes]:
        return [dump_json(model) for _, model in build_all(registry)]

    build_s, encoded = best_of(ours, repeat)
    models = [model for _, model in build_all(registry)]
    floor_s, _ = best_of(lambda: [dump_json(m) for m in models], repeat)
    seed_s, seed_models = best_of(
        lambda: [dump_json(m) for m in build_seed_dashboards(registry)], max(1, repeat - 2)
    )
    seed_dicts = build_seed_dashboards(registry)
    return {
        "n": n,
        "load_ms": load_s * 1000,
        "yaml_ms": yaml_s * 1000,
        "build_ms": build_s * 1000,
        "floor_ms": floor_s * 1000,
        "ratio": build_s / floor_s,
        "bytes": [len(b) for b in encoded],
        "panels": [len(m["panels"]) for m in models],
        "queries": [queries(m) for m in models],
        "seed_ms": seed_s * 1000,
        "seed_bytes": [len(b) for b in seed_models],
        "seed_panels": [len(m["panels"]) for m in seed_dicts],
        "seed_queries": [queries(m) for m in seed_dicts],
    }


def main() -> None:
    print("Dashboards build at scale (both dashboards; DevOps / Simulation per column pair)")
    header = (
        f"{'instances':>9} {'build ms':>9} {'dumps ms':>9} {'ratio':>6} "
        f"{'bytes D/S':>17} {'panels D/S':>11} {'queries D/S':>12} | "
        f"{'seed ms':>9} {'seed bytes D/S':>19} {'seed panels':>12} {'seed queries':>13}"
    )
    print(header)
    print("-" * len(header))
    results = []
    for n in SIZES:
        r = measure(n)
        results.append(r)
        print(
            f"{r['n']:>9} {r['build_ms']:>9.1f} {r['floor_ms']:>9.1f} {r['ratio']:>5.2f}x "
            f"{'/'.join(map(str, r['bytes'])):>17} {'/'.join(map(str, r['panels'])):>11} "
            f"{'/'.join(map(str, r['queries'])):>12} | "
            f"{r['seed_ms']:>9.1f} {'/'.join(map(str, r['seed_bytes'])):>19} "
            f"{'/'.join(map(str, r['seed_panels'])):>12} "
            f"{'/'.join(map(str, r['seed_queries'])):>13}"
        )
    print()
    first, last = results[0], results[-1]
    print(f"Dashboard JSON at {first['n']} and at {last['n']:,} instances (the scale rule)")
    for i, name in enumerate(("DevOps", "Simulation")):
        a, b = first["bytes"][i], last["bytes"][i]
        print(
            f"  {name:<10} {a:>9,} bytes vs {b:>9,} bytes ({(b - a) / a:+.2%}); "
            f"queries {first['queries'][i]} vs {last['queries'][i]}"
        )
    print()
    print("Registry load (parse, check, derive) against the bare libyaml parse of the same file")
    print(f"{'instances':>9} {'load ms':>9} {'yaml ms':>9} {'ratio':>6}")
    for r in results:
        ratio = r["load_ms"] / r["yaml_ms"]
        print(f"{r['n']:>9} {r['load_ms']:>9.1f} {r['yaml_ms']:>9.1f} {ratio:>5.2f}x")


if __name__ == "__main__":
    main()

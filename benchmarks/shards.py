"""Rule evaluation per shard at 10,000 instances with 1, 2 and 4 hashmod shards (`make bench`).

The baseline, measured in the same run: one real Prometheus holding every instance with every
generated rule (the single server's recording and alert files). Then, for 2 and 4 shards, each
shard in turn: a real Prometheus holding only the instances `shard_of` gives it (live, scraped
every 15 s from one exposition, as benchmarks/load.py does) with the shard's own rule files
(its recording rules and the per-instance alerts; the whole-picture alerts run on vmalert and
are not a shard's cost). The figure is the summed `evaluationTime` of every group per interval
(median of three, after five scrapes); shards are measured one after the other so they do not
share the CPU, and the baseline is measured before, between and after the two shard counts:
each count's ratio is against the lower of the two baselines around it (every figure printed:
on a shared machine the load drifts within minutes, and a baseline slowed by other work must
not make a pass). Done-when of issue 27: each of
2 shards at most 55 % of the baseline, each of 4 at most 30 %.
"""

from __future__ import annotations

import dataclasses
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.load import live_rule_evaluation, registry_text  # noqa: E402
from tsedash.encode import dump_yaml  # noqa: E402
from tsedash.prometheus.rules import alert_rules, instance_alert_rules, recording_file  # noqa: E402
from tsedash.prometheus.shards import shard_of, shard_recording_rules  # noqa: E402
from tsedash.registry import Registry, load_registry_text  # noqa: E402

INSTANCES = 10_000
SHARDS = (2, 4)
LIMITS = {2: 0.55, 4: 0.30}


def _rule_files(work: Path, files: dict[str, dict[str, object]]) -> list[Path]:
    paths = []
    for name, content in files.items():
        path = work / name
        path.write_bytes(dump_yaml(content, "benchmarks/shards.py"))
        paths.append(path)
    return paths


def _measure(registry: Registry, files: dict[str, dict[str, object]], label: str) -> float:
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        seconds, _ = live_rule_evaluation(registry, _rule_files(work, files), work)
    print(f"  {label}: {seconds * 1000:.0f} ms per interval", flush=True)
    return seconds


def _part(registry: Registry, shards: int, shard: int) -> Registry:
    kept = tuple(i for i in registry.instances if shard_of(i.address, shards) == shard)
    return dataclasses.replace(registry, instances=kept)


def _baseline(registry: Registry, when: str) -> float:
    files = {"recording.yml": recording_file(registry), "alerts.yml": alert_rules(registry)}
    return _measure(registry, files, f"1 Prometheus, every instance and rule ({when})")


def _slowest_shard(registry: Registry, shards: int) -> float:
    worst = 0.0
    for shard in range(shards):
        part = _part(registry, shards, shard)
        files = {
            "recording.yml": shard_recording_rules(registry, shard),
            "alerts.yml": instance_alert_rules(registry),
        }
        label = f"{shards} shards, shard {shard} ({len(part.instances):,} instances)"
        worst = max(worst, _measure(part, files, label))
    return worst


def main() -> None:
    registry = load_registry_text(registry_text(INSTANCES, True), "bench.yaml")
    print(f"Rule evaluation per interval at {INSTANCES:,} instances, one run")
    baselines = [_baseline(registry, "baseline 1")]
    slowest: dict[int, float] = {}
    for shards in SHARDS:
        slowest[shards] = _slowest_shard(registry, shards)
        baselines.append(_baseline(registry, f"baseline {len(baselines) + 1}"))
    failed = False
    for index, (shards, worst) in enumerate(slowest.items()):
        baseline = min(baselines[index], baselines[index + 1])
        ratio = worst / baseline
        failed |= ratio > LIMITS[shards]
        verdict = "ok" if ratio <= LIMITS[shards] else "OVER"
        print(
            f"{shards} shards: slowest shard {worst * 1000:.0f} ms = {ratio:.0%} of the lower "
            f"baseline around it, {baseline * 1000:.0f} ms (limit {LIMITS[shards]:.0%}): "
            f"{verdict}",
            flush=True,
        )
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()

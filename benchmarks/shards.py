"""CPU spent on rule evaluation at 10,000 instances: one Prometheus vs each of 2 and 4 shards.

Issue 27's done-when: each of 2 hashmod shards evaluates its rules for at most 55 % of what one
Prometheus holding every instance spends, and each of 4 shards for at most 30 % (`make bench`).

Seven real Prometheus servers run at once, each scraping its series live every 15 s from an
exposition of its own (as benchmarks/load.py does) and evaluating its rules every 15 s:
- the baseline: every instance, with every generated rule (the single server's recording and
  alert files);
- every shard of 2 and of 4: the instances `shard_of` gives it, with the shard's own rule files
  (its recording rules and the per-instance alerts; the whole-picture alerts run on vmalert and
  are not a shard's cost).
After 90 s of scrapes (every 1 m rate window full), five windows of 60 s (four evaluations of
every group) are profiled in every server at the same time (Go's CPU profiler,
`/debug/pprof/profile`: 100 samples per CPU-second of each thread). The figure is the CPU time
of rule evaluation per 15 s interval: the samples of the rule groups' goroutines (the queries,
writing the recorded series, the alerts' state) and of the series selections their queries
start. Not counted: scraping, the HTTP API and garbage collection (its background marking, and
the marking a rule goroutine is made to do when it allocates during a GC cycle, which lands on
it or on a background worker by when the cycle falls). Printed beside it: the process's total
CPU (everything, GC included) and its groups' summed `evaluationTime`, the old figure, wall
time: groups run concurrently with each other and with scrapes, and on this 2-core machine
shared with other work it moves threefold with the load, so it is for reference only.

Per window, each shard's figure is divided by the baseline's of the same window: both ran
under the same load, so a busy minute slows both. A shard's ratio is the median of its five;
a shard count passes when its slowest shard's ratio is within the limit. Before the verdict
each server must have scraped its target, every group must be healthy and the recorded
per-instance request rates must cover exactly its instances: rules that produce nothing would
look cheap. About 7 minutes.
"""

from __future__ import annotations

import dataclasses
import gzip
import json
import os
import statistics
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.load import live_prometheus, registry_text  # noqa: E402
from tsedash.encode import dump_yaml  # noqa: E402
from tsedash.prometheus.rules import alert_rules, instance_alert_rules, recording_file  # noqa: E402
from tsedash.prometheus.shards import shard_of, shard_recording_rules  # noqa: E402
from tsedash.registry import Registry, load_registry_text  # noqa: E402
from tsedash.registry import recorded as rec  # noqa: E402

INSTANCES = 10_000
SHARDS = (2, 4)
LIMITS = {2: 0.55, 4: 0.30}
INTERVAL = 15  # seconds between scrapes and between rule evaluations
WARM_UP = 90  # six scrapes: every 1 m rate window holds four samples
WINDOWS = 5
WINDOW = 60  # four evaluations of every group
# The roots of the goroutines that evaluate rules, by the outermost function of a sample's
# stack: the group loops, and the series selections a query fans out to.
RULE_ROOTS = (
    "github.com/prometheus/prometheus/rules.",
    "github.com/prometheus/prometheus/storage.(*mergeGenericQuerier).Select",
)
ALERTING = "github.com/prometheus/prometheus/rules.(*AlertingRule).Eval"
# A goroutine that allocates during a GC cycle is made to mark for it (an assist): GC work,
# on the rule goroutine or a background worker by when the cycle falls.
GC_ASSIST = "runtime.gcAssistAlloc"


@dataclasses.dataclass
class Server:
    label: str
    registry: Registry
    files: dict[str, dict[str, Any]]
    shards: int = 1
    url: str = ""


@dataclasses.dataclass
class Cpu:
    """CPU seconds per interval in one window."""

    rules: float
    alerts: float
    process: float


# --- the CPU profile (profile.proto, gzipped): only what attributing samples needs ---


def _varint(data: bytes, at: int) -> tuple[int, int]:
    value = shift = 0
    while True:
        byte = data[at]
        at += 1
        value |= (byte & 0x7F) << shift
        if byte < 0x80:
            return value, at
        shift += 7


def _fields(data: bytes) -> Iterator[tuple[int, int | bytes]]:
    """(field number, value) of one protobuf message: ints for varints, bytes otherwise."""
    at = 0
    while at < len(data):
        key, at = _varint(data, at)
        kind = key & 7
        value: int | bytes
        if kind == 0:
            value, at = _varint(data, at)
        elif kind == 2:
            size, at = _varint(data, at)
            value, at = data[at : at + size], at + size
        elif kind in (1, 5):
            size = 8 if kind == 1 else 4
            value, at = data[at : at + size], at + size
        else:
            raise ValueError(f"protobuf wire type {kind} in a CPU profile")
        yield key >> 3, value


def _numbers(value: int | bytes) -> list[int]:
    """A repeated integer field's values, packed or not."""
    if isinstance(value, int):
        return [value]
    numbers, at = [], 0
    while at < len(value):
        number, at = _varint(value, at)
        numbers.append(number)
    return numbers


def _message(value: int | bytes) -> dict[int, list[int | bytes]]:
    assert isinstance(value, bytes)
    fields: dict[int, list[int | bytes]] = {}
    for number, item in _fields(value):
        fields.setdefault(number, []).append(item)
    return fields


def profile_samples(data: bytes) -> Iterator[tuple[list[str], int]]:
    """Each sample's stack (function names, innermost first) and its CPU nanoseconds."""
    strings: list[str] = []
    functions: dict[int, int] = {}  # function id -> name's string index
    locations: dict[int, list[int]] = {}  # location id -> function ids, innermost first
    samples: list[tuple[list[int], list[int]]] = []
    value_types: list[int] = []  # string index of each sample value's type
    for number, value in _fields(gzip.decompress(data)):
        if number == 1:
            value_types.append(int(_message(value)[1][0]))
        elif number == 2:
            sample = _message(value)
            ids = [n for item in sample.get(1, []) for n in _numbers(item)]
            values = [n for item in sample.get(2, []) for n in _numbers(item)]
            samples.append((ids, values))
        elif number == 4:
            location = _message(value)
            lines = [_message(line) for line in location.get(4, [])]
            locations[int(location[1][0])] = [int(line[1][0]) for line in lines]
        elif number == 5:
            function = _message(value)
            functions[int(function[1][0])] = int(function.get(2, [0])[0])
        elif number == 6:
            assert isinstance(value, bytes)
            strings.append(value.decode())
    cpu = [strings[t] for t in value_types].index("cpu")
    for ids, values in samples:
        stack = [strings[functions[f]] for i in ids for f in locations[i]]
        yield stack, values[cpu]


def attribute(data: bytes, seconds: float) -> Cpu:
    """A profile's CPU per interval: rule evaluation without GC (of it, alerting rules) and
    the process's total."""
    rules = alerts = total = 0
    for stack, nanoseconds in profile_samples(data):
        total += nanoseconds
        if stack and stack[-1].startswith(RULE_ROOTS) and GC_ASSIST not in stack:
            rules += nanoseconds
            alerts += nanoseconds if ALERTING in stack else 0
    per_interval = INTERVAL / seconds / 1e9
    return Cpu(rules * per_interval, alerts * per_interval, total * per_interval)


# --- the servers ---


def _part(registry: Registry, shards: int, shard: int) -> Registry:
    kept = tuple(i for i in registry.instances if shard_of(i.address, shards) == shard)
    return dataclasses.replace(registry, instances=kept)


def servers(registry: Registry) -> list[Server]:
    """The baseline first, then every shard of every count."""
    every = {"recording.yml": recording_file(registry), "alerts.yml": alert_rules(registry)}
    result = [Server("1 Prometheus", registry, every)]
    for shards in SHARDS:
        for shard in range(shards):
            files = {
                "recording.yml": shard_recording_rules(registry, shard),
                "alerts.yml": instance_alert_rules(registry),
            }
            label = f"{shards} shards, shard {shard}"
            result.append(Server(label, _part(registry, shards, shard), files, shards))
    return result


def _start(stack: ExitStack, server: Server, work: Path) -> None:
    work.mkdir()
    paths = []
    for name, content in server.files.items():
        path = work / name
        path.write_bytes(dump_yaml(content, "benchmarks/shards.py"))
        paths.append(path)
    server.url = stack.enter_context(live_prometheus(server.registry, paths, work))


def _get(url: str, path: str, **params: str) -> Any:
    query = f"?{urllib.parse.urlencode(params)}" if params else ""
    with urllib.request.urlopen(f"{url}{path}{query}", timeout=60) as resp:
        return json.loads(resp.read())["data"]


def _profile(url: str) -> bytes:
    with urllib.request.urlopen(
        f"{url}/debug/pprof/profile?seconds={WINDOW}", timeout=WINDOW + 60
    ) as resp:
        return bytes(resp.read())


def _evaluation_time(url: str) -> float:
    """The groups' last `evaluationTime`, summed (wall time)."""
    return sum(float(g["evaluationTime"]) for g in _get(url, "/api/v1/rules")["groups"])


def check_working(server: Server) -> None:
    """Rules that fail or read nothing cost little: a server is measured only while it scrapes
    its target, its groups are healthy and its recorded request rates cover its instances."""
    targets = _get(server.url, "/api/v1/targets")["activeTargets"]
    if [t["health"] for t in targets] != ["up"]:
        raise SystemExit(f"{server.label}: its exposition is not scraped: {targets}")
    for group in _get(server.url, "/api/v1/rules")["groups"]:
        for rule in group["rules"]:
            if rule["health"] != "ok":
                raise SystemExit(f"{server.label}: rule {rule['name']}: {rule.get('lastError')}")
    answer = _get(server.url, "/api/v1/query", query=f"count({rec.REQUESTS})")["result"]
    recorded = int(answer[0]["value"][1]) if answer else 0
    if recorded != len(server.registry.instances):
        raise SystemExit(
            f"{server.label}: {recorded:,} recorded request rates for "
            f"{len(server.registry.instances):,} instances"
        )


# --- the run ---


def _window(running: list[Server], number: int) -> list[Cpu]:
    load = os.getloadavg()[0]
    with ThreadPoolExecutor(len(running)) as pool:
        profiles = list(pool.map(_profile, (s.url for s in running)))
    cpus = [attribute(data, WINDOW) for data in profiles]
    print(f"window {number} (load average {load:.2f} at its start):", flush=True)
    base = cpus[0]
    for server, cpu in zip(running, cpus, strict=True):
        if cpu.rules == 0:
            raise SystemExit(f"{server.label}: no rule evaluation in its CPU profile")
        print(
            f"  {server.label:<17} {len(server.registry.instances):>6,} instances: "
            f"rules {cpu.rules:4.2f} CPU-s (alerting {cpu.alerts:4.2f}) "
            f"= {cpu.rules / base.rules:4.0%}; process {cpu.process:4.2f} CPU-s "
            f"= {cpu.process / base.process:4.0%}; "
            f"evaluationTime {_evaluation_time(server.url):5.2f} s",
            flush=True,
        )
    return cpus


def verdict(running: list[Server], windows: list[list[Cpu]]) -> bool:
    """Print each shard count's slowest shard (median of its per-window ratios); True if
    every count is within its limit."""
    passed = True
    for shards in SHARDS:
        medians = []
        for index, server in enumerate(running):
            if server.shards != shards:
                continue
            ratios = [w[index].rules / w[0].rules for w in windows]
            medians.append(statistics.median(ratios))
            listed = " ".join(f"{r:.0%}" for r in ratios)
            print(f"  {server.label}: {listed} -> median {medians[-1]:.0%}")
        worst = max(medians)
        ok = worst <= LIMITS[shards]
        passed &= ok
        print(
            f"{shards} shards: slowest shard {worst:.0%} of one Prometheus's rule evaluation "
            f"(limit {LIMITS[shards]:.0%}): {'ok' if ok else 'OVER'}",
            flush=True,
        )
    return passed


def main() -> None:
    started = time.monotonic()
    registry = load_registry_text(registry_text(INSTANCES, True), "bench.yaml")
    running = servers(registry)
    print(
        f"Rule evaluation at {INSTANCES:,} instances: CPU seconds per {INTERVAL} s interval, "
        f"{len(running)} Prometheus at once, {WINDOWS} windows of {WINDOW} s",
        flush=True,
    )
    with tempfile.TemporaryDirectory() as tmp, ExitStack() as stack:
        for number, server in enumerate(running):
            _start(stack, server, Path(tmp) / str(number))
        time.sleep(WARM_UP)
        windows = [_window(running, number + 1) for number in range(WINDOWS)]
        for server in running:
            check_working(server)
    print("Each shard against the baseline of the same window:")
    passed = verdict(running, windows)
    print(f"({time.monotonic() - started:.0f} s)")
    sys.exit(0 if passed else 1)


if __name__ == "__main__":
    main()

"""Backfilled data for the load benchmark: what N instances of the ecosystem would have scraped.

Writes OpenMetrics text for `promtool tsdb create-blocks-from openmetrics`: per instance its
`up` (with the target labels the generated file_sd config attaches), the RED metrics of the
real middleware (one route, the real 12 duration buckets), process start time and resident
memory, `service_dependency_ready` where served, and cAdvisor's container CPU and memory (the
domain counters are all planned: their panels wait in collapsed rows Grafana does not query).
Deterministic: the same N gives the same bytes. Every 50th instance is down for the last 5
minutes, every 7th answers errors, every 100th restarted mid-range, so the questions the
dashboards answer (which are down, worst error ratio, slowest) have answers.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TextIO

from tsedash.registry import Instance, Registry
from tsedash.registry import exposition as ex

STEP = 30  # seconds between samples (the datasource's scrape interval in the benchmark)
LE = (*map(str, ex.DURATION_BUCKETS), "+Inf")
ROUTE = 'method="GET",route="/api/v1/status",code="200"'
ERROR_ROUTE = 'method="GET",route="/api/v1/status",code="500"'


def _labels(inst: Instance) -> str:
    return f'job="{inst.service_name}",instance="{inst.instance_name}"'


def _target_labels(inst: Instance) -> str:
    """The labels `up` carries from the generated targets file (the reference table reads them)."""
    extra = {
        "instance_name": inst.instance_name,
        "schema_name": inst.schema_name,
        "redis_namespace": inst.redis_namespace,
        "discovery_key": inst.discovery_key,
        "container_name": inst.container_name,
    }
    return _labels(inst) + "".join(f',{k}="{v}"' for k, v in extra.items())


def _counter(rate: float, times: range, start: int) -> Iterator[tuple[int, float]]:
    for t in times:
        yield t, round(rate * (t - start), 3)


def _family(out: TextIO, name: str, series: Iterator[tuple[str, Iterator[tuple[int, float]]]]):
    out.write(f"# TYPE {name} unknown\n")
    for labels, samples in series:
        for t, value in samples:
            out.write(f"{name}{{{labels}}} {value:g} {t}\n")


def write_openmetrics(registry: Registry, out: TextIO, start: int, end: int) -> int:
    """All families from `start` to `end` (Unix seconds, inclusive); returns the series count."""
    instances = list(registry.instances)
    times = range(start, end + 1, STEP)
    down_from = end - 300
    count = 0

    def each(make):  # type: ignore[no-untyped-def]
        nonlocal count
        for i, inst in enumerate(instances):
            for labels, samples in make(i, inst):
                count += 1
                yield labels, samples

    def rate_of(i: int) -> float:
        return 1 + (i * 37 % 100) / 10

    def up(i: int, inst: Instance):  # type: ignore[no-untyped-def]
        down = i % 50 == 49
        yield (
            _target_labels(inst),
            ((t, 0.0 if down and t >= down_from else 1.0) for t in times),
        )

    def requests(i: int, inst: Instance):  # type: ignore[no-untyped-def]
        yield f"{_labels(inst)},{ROUTE}", _counter(rate_of(i), times, start - 3600)

    def errors(i: int, inst: Instance):  # type: ignore[no-untyped-def]
        if i % 7 == 3:
            share = (i % 13 + 1) / 100
            yield f"{_labels(inst)},{ERROR_ROUTE}", _counter(rate_of(i) * share, times, start)

    def buckets(i: int, inst: Instance):  # type: ignore[no-untyped-def]
        scale = 0.02 * (1 + i % 29)  # a per-instance typical latency, 20 ms .. 580 ms
        for le, bound in zip(LE, (*ex.DURATION_BUCKETS, float("inf")), strict=True):
            share = min(1.0, bound / (2 * scale))
            labels = f'{_labels(inst)},{ROUTE},le="{le}"'
            yield labels, _counter(rate_of(i) * share, times, start - 3600)

    def started(i: int, inst: Instance):  # type: ignore[no-untyped-def]
        restart = start + (end - start) // 2 if i % 100 == 17 else None
        yield (
            _labels(inst),
            ((t, float(restart if restart and t >= restart else start - 86400 - i)) for t in times),
        )

    def memory(i: int, inst: Instance):  # type: ignore[no-untyped-def]
        yield _labels(inst), ((t, float(40_000_000 + i * 997 % 30_000_000)) for t in times)

    def ready(i: int, inst: Instance):  # type: ignore[no-untyped-def]
        if registry.services[inst.service_name].readiness:
            yield f'{_labels(inst)},dependency="redis"', ((t, 1.0) for t in times)

    def container_cpu(i: int, inst: Instance):  # type: ignore[no-untyped-def]
        name = inst.container_name
        yield f'job="cadvisor",name="{name}"', _counter(0.01 * (1 + i % 17), times, start)

    def container_memory(i: int, inst: Instance):  # type: ignore[no-untyped-def]
        name = inst.container_name
        yield f'job="cadvisor",name="{name}"', ((t, 5e7 + i * 7919 % 4e7) for t in times)

    _family(out, "up", each(up))
    _family(out, ex.REQUESTS, each(requests))
    _family(out, ex.ERRORS, each(errors))
    _family(out, f"{ex.DURATION}_bucket", each(buckets))
    _family(out, ex.START_TIME, each(started))
    _family(out, ex.RESIDENT_MEMORY, each(memory))
    _family(out, ex.READINESS, each(ready))
    _family(out, "container_cpu_usage_seconds_total", each(container_cpu))
    _family(out, "container_memory_working_set_bytes", each(container_memory))
    out.write("# EOF\n")
    return count


def write_file(registry: Registry, path: Path, start: int, end: int) -> int:
    with path.open("w", buffering=1 << 20) as out:
        return write_openmetrics(registry, out, start, end)

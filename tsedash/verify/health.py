"""Target health where `/api/v1/targets` knows nothing: a global store (VictoriaMetrics, a
federating Prometheus) answers it empty, so every instance would read "missing".

- `from_up`: from the `up` series the shards wrote into the store (1 up, 0 down, no series
  missing, no new sample for `max_age` seconds down: a store answers a stopped shard's last
  values for minutes). What a store cannot say is why a scrape failed: the error names the
  registry address and "up == 0".
- `from_shards`: from the shards' own target APIs, merged (their scrape URLs and errors).

Both return what `verify` reports per instance and infrastructure job (`ScrapeResult`), and
plug into `verify(..., health=...)`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from tsedash.registry import Registry
from tsedash.remote import NUMBER, STRING, ListOf, MapOf, Object, Pair, expect
from tsedash.verify import ScrapeResult, scrapes_of_targets
from tsedash.verify.api import QUERY, SERVER, PrometheusAPI

Health = Callable[[PrometheusAPI, Registry], list[ScrapeResult]]

_VECTOR = Object(
    {
        "data": Object(
            {"result": ListOf(Object({"metric": MapOf(STRING), "value": Pair((NUMBER, STRING))}))}
        )
    }
)
STORE_DOWN = "up == 0 in the global store"
# Seconds without a new `up` sample before an instance counts as not scraped any more: a store
# keeps answering a series' last value for minutes after its writer stopped (VictoriaMetrics:
# 5 m), so a stopped shard's instances would read "up". Two 15 s scrapes, VictoriaMetrics' 30 s
# -search.latencyOffset and remote-write batching fit well within it.
MAX_AGE = 120.0


def _vector(api: PrometheusAPI, expr: str) -> list[dict[str, Any]]:
    body = api.get(QUERY, {"query": expr})
    expect(body, _VECTOR, SERVER, f"GET {api.shown}{QUERY}")
    result: list[dict[str, Any]] = body["data"]["result"]
    return result


def up_values(
    api: PrometheusAPI, registry: Registry
) -> dict[tuple[str, str], list[tuple[float, float]]]:
    """(job, instance) → (value, seconds since the sample) of each `up` series of the
    registry's jobs (`timestamp()` is the sample's own time in PromQL and MetricsQL alike)."""
    jobs = [*registry.services, *(j.job for j in registry.infrastructure)]
    selector = 'up{job=~"' + "|".join(jobs) + '"}'
    ages = {
        _key(s["metric"]): float(s["value"][1])
        for s in _vector(api, f"time() - timestamp({selector})")
    }
    out: dict[tuple[str, str], list[tuple[float, float]]] = {}
    for series in _vector(api, selector):
        key = _key(series["metric"])
        out.setdefault(key, []).append((float(series["value"][1]), ages.get(key, 0.0)))
    return out


def _key(labels: dict[str, str]) -> tuple[str, str]:
    return labels.get("job", ""), labels.get("instance", "")


def from_up(api: PrometheusAPI, registry: Registry, max_age: float = MAX_AGE) -> list[ScrapeResult]:
    """Every instance and infrastructure job's state from `up` in the store; a series without a
    sample for `max_age` seconds is down (nothing scrapes it any more)."""
    values = up_values(api, registry)
    out = []
    for inst in registry.instances:
        found = values.get((inst.service_name, inst.instance_name))
        out.append(_state(inst.service_name, inst.instance_name, found, inst.address, max_age))
    for job in registry.infrastructure:
        found = [v for (j, _), vs in values.items() if j == job.job for v in vs]
        out.append(_state(job.job, "", found or None, job.address, max_age))
    return out


def _state(
    job: str,
    instance: str,
    found: list[tuple[float, float]] | None,
    where: str,
    max_age: float = MAX_AGE,
) -> ScrapeResult:
    if found is None:
        return ScrapeResult(job, instance, "missing")
    oldest = max(age for _, age in found)
    if oldest > max_age:
        why = f"no `up` sample for {oldest:.0f}s in the global store: is its shard writing?"
        return ScrapeResult(job, instance, "down", where, why)
    if all(value == 1 for value, _ in found):
        return ScrapeResult(job, instance, "up", where)
    return ScrapeResult(job, instance, "down", where, STORE_DOWN)


def from_shards(urls: Sequence[str], timeout: float = 10.0) -> Health:
    """Health from the shards' target APIs (every shard's active targets, merged), whatever
    server the panels are queried on."""

    def health(_: PrometheusAPI, registry: Registry) -> list[ScrapeResult]:
        targets = [t for url in urls for t in PrometheusAPI(url, timeout).active_targets()]
        return scrapes_of_targets(targets, registry)

    return health


def overlapping(targets_by_shard: Sequence[Sequence[dict[str, Any]]]) -> set[tuple[str, str]]:
    """(job, instance) pairs more than one shard scrapes: the hashmod split must keep none."""
    seen: set[tuple[str, str]] = set()
    twice: set[tuple[str, str]] = set()
    for targets in targets_by_shard:
        keys = {(t["labels"].get("job", ""), t["labels"].get("instance", "")) for t in targets}
        twice |= seen & keys
        seen |= keys
    return twice

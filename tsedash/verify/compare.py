"""Values, not only presence: the global store's answers against a reference Prometheus that
scrapes the same targets alone (a sharded stack's store can hold data that is all there and
wrong: the per-job buckets of two shards colliding, or recorded twice).

Each comparison is one instant query run on both servers at the same time; the series must be
the same label sets and each value within a relative tolerance:
- recorded series (`RECORDED_TOLERANCE`): computed by Prometheus on both sides, from scrapes of
  the same counters a fraction of a scrape interval apart;
- raw rates (`raw_tolerance`): MetricsQL's `rate()` does not extrapolate to the window's edges
  as PromQL's does, so it differs by up to (scrape interval / window); documented in
  docs/scaling.md.
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from tsedash.registry import Registry
from tsedash.registry import exposition as ex
from tsedash.registry import recorded as rec
from tsedash.remote import NUMBER, STRING, ListOf, MapOf, Object, Pair, expect
from tsedash.verify.api import QUERY, SERVER, PrometheusAPI

RECORDED_TOLERANCE = 0.05
WINDOW_SECONDS = 60.0  # the dashboards' and recording rules' rate window (1m)


def raw_tolerance(scrape_interval: float = 15.0) -> float:
    """MetricsQL's raw rate is off by up to one scrape interval's share of the window (17 %
    was seen at 15 s scrapes and a 1 m window), plus the recorded series' tolerance."""
    return min(0.5, RECORDED_TOLERANCE + scrape_interval / WINDOW_SECONDS)


# Seconds in the past compared by default: VictoriaMetrics hides its newest 30 s
# (-search.latencyOffset) and Prometheus remote-writes in batches of up to 5 s.
LAG = 40.0

_VECTOR = Object(
    {
        "data": Object(
            {
                "resultType": STRING,
                "result": ListOf(
                    Object({"metric": MapOf(STRING), "value": Pair((NUMBER, STRING))})
                ),
            }
        )
    }
)


@dataclass(frozen=True)
class Comparison:
    name: str
    query: str
    tolerance: float  # relative


@dataclass
class CompareReport:
    store: str
    reference: str
    at: float
    checked: int = 0  # series compared
    differences: list[str] = field(default_factory=list)
    worst: dict[str, float] = field(default_factory=dict)  # comparison → largest relative gap

    def failures(self) -> list[str]:
        if self.checked == 0:  # an empty answer on both sides is no agreement
            return [
                f"compared nothing: neither {self.store} nor the reference {self.reference} has "
                f"the compared series at {self.at:.0f} (too young, or not recording?)"
            ]
        return list(self.differences)

    def as_dict(self) -> dict[str, Any]:
        return {
            "store": self.store,
            "reference": self.reference,
            "at": self.at,
            "checked": self.checked,
            "differences": self.differences,
            "worst": self.worst,
        }


def default_comparisons(registry: Registry, scrape_interval: float = 15.0) -> list[Comparison]:
    """What the dashboards read: the recorded per-instance rates, ratios and p95, the per-job
    buckets summed as every query reads them, and one raw rate."""
    by_job = "sum by (job, le)"
    return [
        Comparison("requests per instance", rec.REQUESTS, RECORDED_TOLERANCE),
        Comparison("server errors per instance", rec.SERVER_ERRORS, RECORDED_TOLERANCE),
        Comparison("p95 per instance", rec.P95, RECORDED_TOLERANCE),
        Comparison("buckets per type", f"{by_job} ({rec.JOB_BUCKETS})", RECORDED_TOLERANCE),
        Comparison(
            "p95 per type",
            f"histogram_quantile(0.95, {by_job} ({rec.JOB_BUCKETS}))",
            RECORDED_TOLERANCE,
        ),
        Comparison(
            "raw request rate per instance",
            f"sum by (job, instance) (rate({ex.REQUESTS}[{rec.WINDOW}]))",
            raw_tolerance(scrape_interval),
        ),
    ]


def _vector(api: PrometheusAPI, expr: str, at: float) -> dict[frozenset[tuple[str, str]], float]:
    body = api.get(QUERY, {"query": expr, "time": f"{at:.3f}"})
    expect(body, _VECTOR, SERVER, f"GET {api.shown}{QUERY}")
    return {frozenset(s["metric"].items()): float(s["value"][1]) for s in body["data"]["result"]}


def _labels(key: frozenset[tuple[str, str]]) -> str:
    return "{" + ", ".join(f'{k}="{v}"' for k, v in sorted(key) if k != "__name__") + "}"


def gap(a: float, b: float) -> float:
    """The relative difference (to the larger magnitude); NaN equals only NaN (0/0 on both
    sides), anything else against NaN is infinitely apart."""
    if math.isnan(a) or math.isnan(b):
        return 0.0 if math.isnan(a) and math.isnan(b) else math.inf
    larger = max(abs(a), abs(b))
    return 0.0 if larger < 1e-9 else abs(a - b) / larger


def compare(
    store: str,
    reference: str,
    registry: Registry,
    comparisons: Sequence[Comparison] | None = None,
    at: float | None = None,
    timeout: float = 10.0,
) -> CompareReport:
    """Every comparison on both servers at `at` (default: LAG seconds ago)."""
    store_api = PrometheusAPI(store, timeout)
    reference_api = PrometheusAPI(reference, timeout)
    when = time.time() - LAG if at is None else at
    report = CompareReport(store_api.shown, reference_api.shown, when)
    for item in comparisons if comparisons is not None else default_comparisons(registry):
        got = _vector(store_api, item.query, when)
        want = _vector(reference_api, item.query, when)
        _compare_vectors(report, item, got, want)
    return report


def _compare_vectors(
    report: CompareReport,
    item: Comparison,
    got: dict[frozenset[tuple[str, str]], float],
    want: dict[frozenset[tuple[str, str]], float],
) -> None:
    report.worst.setdefault(item.name, 0.0)
    for key in sorted(set(got) | set(want), key=_labels):
        report.checked += 1
        where = f"{item.name} {_labels(key)}"
        if key not in got:
            report.differences.append(f"{where}: missing in the store (reference {want[key]:g})")
        elif key not in want:
            report.differences.append(f"{where}: only in the store ({got[key]:g})")
        else:
            apart = gap(got[key], want[key])
            report.worst[item.name] = max(report.worst[item.name], apart)
            if apart > item.tolerance:
                report.differences.append(
                    f"{where}: store {got[key]:g}, reference {want[key]:g} "
                    f"(more than {item.tolerance:.0%} apart)"
                )

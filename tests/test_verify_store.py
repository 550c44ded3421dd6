"""The value comparison and the store's target health, on answers made here (the real sharded
stack runs them in tests/test_shards_e2e.py)."""

from __future__ import annotations

import math

from tsedash.verify.compare import (
    RECORDED_TOLERANCE,
    CompareReport,
    Comparison,
    _compare_vectors,
    default_comparisons,
    gap,
    raw_tolerance,
)
from tsedash.verify.health import STORE_DOWN, _state, overlapping

from .test_shards import _registry


def test_gap_is_relative_to_the_larger_and_nan_equals_only_nan() -> None:
    assert gap(1.0, 2.0) == 0.5
    assert gap(-2.0, -1.0) == 0.5
    assert gap(0.0, 0.0) == 0.0
    assert gap(math.nan, math.nan) == 0.0  # 0/0 on both sides: no requests anywhere
    assert gap(1.0, math.nan) == math.inf


def _key(**labels: str) -> frozenset[tuple[str, str]]:
    return frozenset(labels.items())


def test_missing_extra_and_apart_series_are_each_a_difference() -> None:
    report = CompareReport("store", "reference", 0.0)
    item = Comparison("buckets per type", "q", RECORDED_TOLERANCE)
    got = {_key(job="a", le="1"): 2.0, _key(job="b", le="1"): 1.0, _key(job="c", le="1"): 1.0}
    want = {_key(job="a", le="1"): 1.0, _key(job="c", le="1"): 1.02, _key(job="d", le="1"): 3.0}
    _compare_vectors(report, item, got, want)
    assert report.checked == 4
    assert report.failures() == [
        'buckets per type {job="a", le="1"}: store 2, reference 1 (more than 5% apart)',
        'buckets per type {job="b", le="1"}: only in the store (1)',
        'buckets per type {job="d", le="1"}: missing in the store (reference 3)',
    ]
    assert report.worst == {"buckets per type": 0.5}


def test_the_default_comparisons_read_what_the_dashboards_read() -> None:
    comparisons = default_comparisons(_registry())
    assert [c.tolerance for c in comparisons if c.name.startswith("raw")] == [0.3]
    assert raw_tolerance(1) < 0.07 and raw_tolerance(60) == 0.5
    buckets = next(c for c in comparisons if c.name == "buckets per type")
    assert buckets.query.startswith("sum by (job, le) (")  # the shard label summed away


def test_store_health_states() -> None:
    assert _state("redis", "", None, "redis:9121").state == "missing"
    assert _state("redis", "", [(1.0, 3.0)], "redis:9121").state == "up"
    down = _state("x", "x-1", [(1.0, 3.0), (0.0, 2.0)], "x-1:8080")
    assert (down.state, down.scrape_url, down.error) == ("down", "x-1:8080", STORE_DOWN)
    stale = _state("x", "x-1", [(1.0, 3.0)], "x-1:8080", max_age=2.0)
    assert stale.state == "down"
    assert stale.error == "no `up` sample for 3s in the global store: is its shard writing?"


def test_overlapping_names_a_target_two_shards_keep() -> None:
    a = {"labels": {"job": "x", "instance": "x-1"}}
    b = {"labels": {"job": "x", "instance": "x-2"}}
    assert overlapping([[a], [b]]) == set()
    assert overlapping([[a, b], [b]]) == {("x", "x-2")}


def test_a_comparison_that_compared_nothing_fails() -> None:
    """Both servers empty is no agreement: `verify --reference` on a store too young, or one
    that records nothing, must not pass."""
    from tsedash.verify.compare import CompareReport

    empty = CompareReport("http://store", "http://reference", 1_700_000_000.0)
    assert empty.failures() == [
        "compared nothing: neither http://store nor the reference http://reference has the "
        "compared series at 1700000000 (too young, or not recording?)"
    ]
    checked = CompareReport("http://store", "http://reference", 0.0, checked=3)
    assert checked.failures() == []
    checked.differences.append("p95 per instance: 9.67 vs 0.024")
    assert checked.failures() == ["p95 per instance: 9.67 vs 0.024"]
    assert checked.as_dict()["differences"] == ["p95 per instance: 9.67 vs 0.024"]


def test_store_checks_choose_the_health_source() -> None:
    import pytest

    from tsedash.errors import InputError
    from tsedash.verify.store import StoreChecks

    assert StoreChecks().health_source(1.0) is None  # the server's own targets API
    assert callable(StoreChecks("up").health_source(1.0))
    assert callable(StoreChecks(shard_targets=("http://a:9090",)).health_source(1.0))
    for bad, message in (
        (StoreChecks("up", ("http://a:9090",)), "exclude each other"),
        (StoreChecks("federated"), "--health federated: expected targets or up"),
    ):
        with pytest.raises(InputError, match=message):
            bad.health_source(1.0)
    assert StoreChecks().compare("http://store", None, 1.0) is None  # type: ignore[arg-type]

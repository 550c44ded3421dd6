"""Step, `$__interval`, `$__rate_interval` and `$__range` as Grafana computes them
(`rangeutil.ts: calculateInterval`, `pkg/promlib/models/query.go`), with Grafana's own outputs."""

from __future__ import annotations

import pytest

from tsedash.preview.interval import (
    DAY,
    HOUR,
    MINUTE,
    backend_round_interval,
    format_interval,
    frontend_interval,
    go_duration,
    interval_to_ms,
    query_timing,
    round_interval,
    seconds_to_hms,
)

# (range, maxDataPoints, low limit) → calculateInterval's interval, computed by @grafana/data.
FRONTEND = [
    (HOUR, 1000, "15s", "15s"),
    (HOUR, 1000, None, "5s"),
    (6 * HOUR, 1000, "15s", "20s"),
    (12 * HOUR, 1200, "15s", "30s"),
    (DAY, 1000, "15s", "1m"),
    (7 * DAY, 1000, "15s", "10m"),
    (30 * DAY, 1000, "15s", "30m"),
    (HOUR, 100, "1m", "1m"),
    (HOUR, 1000, "30s", "30s"),
]


@pytest.mark.parametrize(("range_ms", "mdp", "low", "expected"), FRONTEND)
def test_frontend_interval(range_ms: int, mdp: int, low: str | None, expected: str) -> None:
    assert seconds_to_hms(frontend_interval(range_ms, mdp, low)) == expected


# (range, mdp, scrape, panel min interval) → step as `$__interval`, `$__rate_interval`.
BACKEND = [
    (5 * MINUTE, 1000, "15s", None, "15s", "1m0s"),
    (HOUR, 1000, "15s", None, "15s", "1m0s"),
    (3 * HOUR, 1000, "15s", None, "15s", "1m0s"),
    (6 * HOUR, 1000, "15s", None, "20s", "1m0s"),
    (12 * HOUR, 1000, "15s", None, "30s", "1m0s"),
    (DAY, 1000, "15s", None, "1m", "1m15s"),
    (DAY, 1500, "15s", None, "1m", "1m15s"),
    (2 * DAY, 1000, "15s", None, "2m", "2m15s"),
    (7 * DAY, 1000, "15s", None, "10m", "10m15s"),
    (30 * DAY, 1000, "15s", None, "30m", "30m15s"),
    (HOUR, 1000, "30s", None, "30s", "2m0s"),
    (HOUR, 1000, "15s", "1m", "1m", "1m15s"),
    (DAY, 1000, "60s", None, "1m", "4m0s"),
]


@pytest.mark.parametrize(("range_ms", "mdp", "scrape", "panel", "step", "rate"), BACKEND)
def test_step_and_rate_interval(
    range_ms: int, mdp: int, scrape: str, panel: str | None, step: str, rate: str
) -> None:
    timing = query_timing(0, range_ms, mdp, panel_interval=panel, scrape=scrape)
    macros = timing.macros()
    assert (macros["__interval"], macros["__rate_interval"]) == (step, rate)
    assert macros["__interval_ms"] == str(interval_to_ms(step))


def test_range_macros_and_alignment() -> None:
    start, end = 1_700_000_007_300, 1_700_003_607_300  # 1 h, not on a step
    timing = query_timing(start, end, 1200)
    assert timing.step_ms == 15_000
    assert (timing.start_ms, timing.end_ms) == (1_699_999_995_000, 1_700_003_595_000)
    assert timing.macros()["__range"] == "3600s"
    assert timing.macros()["__range_s"] == "3600"
    assert timing.macros()["__range_ms"] == "3600000"
    assert query_timing(0, 1_500, 1000).macros()["__range"] == "2s"  # Go rounds half away


def test_min_step_literal_and_variables() -> None:
    assert query_timing(0, HOUR, 1000, min_step="30s").step_ms == 30_000
    assert query_timing(0, HOUR, 1000, min_step="30s").macros()["__rate_interval"] == "2m0s"
    by_rate = query_timing(0, HOUR, 1000, min_step="$__rate_interval")
    assert by_rate.step_ms == 60_000  # max(15s + 15s, 4 x 15s)
    assert by_rate.macros()["__rate_interval"] == "1m0s"
    assert query_timing(0, HOUR, 1000, min_step="$__interval").step_ms == 15_000
    assert query_timing(0, HOUR, 1000, interval_factor=2).step_ms == 30_000


@pytest.mark.parametrize(
    ("ms", "front", "back"),
    [(9, 1, 1), (10, 10, 1), (11, 10, 10), (15, 20, 10), (1500, 2000, 1000), (90000, 120000, 60000),
     (604800000, 604800000, 86400000), (3628800001, 31536000000, 31536000000)],
)  # fmt: skip
def test_round_interval_bounds(ms: int, front: int, back: int) -> None:
    assert round_interval(ms) == front  # strict <
    assert backend_round_interval(ms) == back  # <=


@pytest.mark.parametrize(
    ("ms", "text"),
    [(500, "500ms"), (15_000, "15s"), (90_000, "1m"), (2 * HOUR, "2h"), (3 * DAY, "3d"),
     (400 * DAY, "1y"), (0, "1ms")],
)  # fmt: skip
def test_format_interval(ms: int, text: str) -> None:
    assert format_interval(ms) == text


@pytest.mark.parametrize(
    ("ms", "text"),
    [(0, "0s"), (500, "500ms"), (60_000, "1m0s"), (75_000, "1m15s"), (1_500, "1.5s"),
     (2 * HOUR, "2h0m0s"), (HOUR + 61_000, "1h1m1s")],
)  # fmt: skip
def test_go_duration(ms: int, text: str) -> None:
    assert go_duration(ms) == text


def test_interval_parsing_and_hms() -> None:
    assert interval_to_ms("90") == 90_000
    assert interval_to_ms("250ms") == 250
    assert interval_to_ms("1w") == 7 * DAY
    assert seconds_to_hms(500) == "500ms"
    assert seconds_to_hms(0) == "less than a millisecond"
    assert seconds_to_hms(400 * DAY) == "1y"
    with pytest.raises(ValueError, match="not an interval"):
        interval_to_ms("soon")

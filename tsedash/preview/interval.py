"""Grafana's query interval, step and time macros for a Prometheus panel query.

Frontend (`packages/grafana-data/src/datetime/rangeutil.ts: calculateInterval`, called by the
scenes query runner with the panel's maxDataPoints, default its width in px, and the panel's
"Min interval" or the datasource's scrape interval): `$__interval`'s request `intervalMs`.
Backend (`pkg/promlib/models/query.go: calculatePrometheusInterval`, `intervalv2`, the SDK's
`gtime`): the step of the range query, start and end aligned down to it, and the values of
`$__interval`, `$__rate_interval` and `$__range*` substituted into the expression.
All durations here are integer milliseconds.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

SECOND = 1000
MINUTE = 60 * SECOND
HOUR = 60 * MINUTE
DAY = 24 * HOUR

# roundInterval's buckets: (bound, result) in ms, in order.
_BUCKETS = (
    (10, 1), (15, 10), (35, 20), (75, 50), (150, 100), (350, 200), (750, 500),
    (1500, 1000), (3500, 2000), (7500, 5000), (12500, 10000), (17500, 15000),
    (25000, 20000), (45000, 30000), (90000, 60000), (210000, 120000), (450000, 300000),
    (750000, 600000), (1050000, 900000), (1500000, 1200000), (2700000, 1800000),
    (5400000, 3600000), (9000000, 7200000), (16200000, 10800000), (32400000, 21600000),
    (86400000, 43200000), (604800000, 86400000), (1814400000, 604800000),
    (3628800000, 2592000000),
)  # fmt: skip
_YEAR_MS = 31536000000
DEFAULT_SCRAPE = "15s"  # Prometheus datasource default "Scrape interval"
SAFE_RESOLUTION = 11000  # intervalv2: at most 11,000 points per series
DEFAULT_RESOLUTION = 1500  # when a query carries no maxDataPoints

RATE_VARIABLES = ("$__rate_interval", "${__rate_interval}", "$__rate_interval_ms",
                  "${__rate_interval_ms}")  # fmt: skip
INTERVAL_VARIABLES = (*RATE_VARIABLES, "$__interval", "${__interval}", "$__interval_ms",
                      "${__interval_ms}")  # fmt: skip


def round_interval(ms: float) -> int:
    """The frontend's `rangeutil.roundInterval` (strict `<`)."""
    return next((out for bound, out in _BUCKETS if ms < bound), _YEAR_MS)


def backend_round_interval(ms: float) -> int:
    """The SDK's `gtime.RoundInterval`: the same table compared with `<=`."""
    return next((out for bound, out in _BUCKETS if ms <= bound), _YEAR_MS)


_INTERVAL = re.compile(r"^(-?\d+(?:\.\d+)?)(ms|[Mwdhmsy])?")
_UNIT_S = {"y": 31536000, "M": 2592000, "w": 604800, "d": 86400, "h": 3600, "m": 60, "s": 1}


def interval_to_ms(text: str) -> int:
    """`rangeutil.intervalToMs`; a bare number counts as seconds. ValueError when unreadable."""
    match = _INTERVAL.match(text.strip())
    if not match:
        raise ValueError(f"not an interval: {text!r} (e.g. 15s, 1m)")
    number, unit = match.groups()
    if unit == "ms":
        return int(float(number))
    return int(float(number) * _UNIT_S[unit or "s"] * 1000)


def seconds_to_hms(ms: int) -> str:
    """`rangeutil.secondsToHms` of the frontend's `$__interval` (whole units, floored)."""
    seconds = ms / 1000
    for unit, size in (("y", 31536000), ("d", 86400), ("h", 3600), ("m", 60), ("s", 1)):
        if math.floor(seconds / size):
            return f"{math.floor(seconds / size)}{unit}"
    if math.floor(ms):
        return f"{math.floor(ms)}ms"
    return "less than a millisecond"


def format_interval(ms: int) -> str:
    """`gtime.FormatInterval`: the backend's `$__interval`, the largest whole unit."""
    for unit, size in (("y", 365 * DAY), ("d", DAY), ("h", HOUR), ("m", MINUTE), ("s", SECOND)):
        if ms >= size:
            return f"{ms // size}{unit}"
    return f"{ms}ms" if ms >= 1 else "1ms"


def go_duration(ms: int) -> str:
    """Go's `time.Duration.String()` for whole milliseconds: "1m0s", "1m15s", "500ms"."""
    if ms == 0:
        return "0s"
    if ms < SECOND:
        return f"{ms}ms"
    hours, rest = divmod(ms, HOUR)
    minutes, rest = divmod(rest, MINUTE)
    seconds = f"{rest // 1000}" + (f".{rest % 1000:03d}".rstrip("0") if rest % 1000 else "")
    text = f"{seconds}s"
    if hours or minutes:
        text = f"{minutes}m{text}"
    if hours:
        text = f"{hours}h{text}"
    return text


def frontend_interval(range_ms: int, max_data_points: int, low_limit: str | None) -> int:
    """`calculateInterval`: the request's `intervalMs`."""
    low = interval_to_ms(low_limit) if low_limit else 1
    return max(round_interval(range_ms / max_data_points), low)


def rate_interval(query_interval_ms: int, scrape: str) -> int:
    """`calculateRateInterval`: max(query interval + scrape, 4 * scrape)."""
    scrape_ms = interval_to_ms(scrape or DEFAULT_SCRAPE)
    return max(query_interval_ms + scrape_ms, 4 * scrape_ms)


@dataclass(frozen=True)
class QueryTiming:
    """What the backend sends Prometheus and substitutes for one panel query."""

    start_ms: int  # aligned down to the step
    end_ms: int
    step_ms: int
    interval_ms: int  # the frontend's intervalMs
    rate_interval_ms: int
    range_ms: int

    def macros(self) -> dict[str, str]:
        """`InterpolateVariables` of query.go."""
        range_s = math.floor(self.range_ms / 1000 + 0.5)  # Go math.Round, ranges are positive
        return {
            "__interval": format_interval(self.step_ms),
            "__interval_ms": str(self.step_ms),
            "__rate_interval": go_duration(self.rate_interval_ms),
            "__rate_interval_ms": str(self.rate_interval_ms),
            "__range": f"{range_s}s",
            "__range_s": str(range_s),
            "__range_ms": str(self.range_ms),
        }


def query_timing(
    from_ms: int,
    to_ms: int,
    max_data_points: int,
    *,
    panel_interval: str | None = None,
    min_step: str | None = None,
    scrape: str = DEFAULT_SCRAPE,
    interval_factor: int = 1,
) -> QueryTiming:
    """The step as `calculatePrometheusInterval` computes it; `min_step` is the target's
    "Min step" (`interval`), `panel_interval` the panel's "Min interval", `scrape` the
    datasource's `timeInterval`."""
    range_ms = to_ms - from_ms
    interval_ms = frontend_interval(range_ms, max_data_points, panel_interval or scrape or None)
    step_text = "" if (min_step or "") in INTERVAL_VARIABLES else (min_step or "")
    if step_text not in ("", "0s"):
        min_interval = interval_to_ms(step_text)
    else:
        min_interval = interval_ms or interval_to_ms(scrape or DEFAULT_SCRAPE)
    raw = range_ms // (max_data_points or DEFAULT_RESOLUTION)
    calculated = min_interval if raw < min_interval else backend_round_interval(raw)
    step = max(calculated, backend_round_interval(range_ms // SAFE_RESOLUTION))
    if min_step in RATE_VARIABLES:
        step = rate_interval(step, scrape)
    elif step_text not in ("", "0s"):
        step = interval_to_ms(step_text)  # the newest query.go: a literal Min step is the step
    else:
        step *= interval_factor or 1
    # The rate interval's scrape is the Min step when set, `$__interval` → the step.
    rate_scrape = scrape
    if min_step in RATE_VARIABLES:
        rate_ms = step
    else:
        if min_step and min_step in INTERVAL_VARIABLES:
            rate_scrape = f"{step}ms"
        elif step_text not in ("", "0s"):
            rate_scrape = step_text
        rate_ms = rate_interval(interval_ms, rate_scrape)
    return QueryTiming(
        start_ms=(from_ms // step) * step,
        end_ms=(to_ms // step) * step,
        step_ms=step,
        interval_ms=interval_ms,
        rate_interval_ms=rate_ms,
        range_ms=range_ms,
    )

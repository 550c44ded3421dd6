"""Grafana's unit formatting, ported from `packages/grafana-data/src/valueFormats/`
(`baseFormatters.ts`, `symbolFormatters.ts`, `arithmeticFormatters.ts`, `dateTimeFormatters.ts`,
dispatched as `valueFormats.ts: getValueFormat` does), with JavaScript's number semantics where
they show: `Math.round` rounds halves up, `String(n)` prints `1e-7` and `1e+21`.

`format_value(unit, value, decimals)` is what a stat value, legend value or table cell shows;
`format_tick` is an axis tick (trailing zeros stripped, as the time series axis does).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from decimal import Decimal

Formatted = tuple[str, str, str]  # prefix, text, suffix
Formatter = Callable[[float, int | None], Formatted]


def js_string(value: float) -> str:
    """JavaScript's `String(number)`: the shortest round-trip digits, exponent from 1e21 up
    and below 1e-6 (`Number.prototype.toString`, ECMA-262 6.1.6.1.20)."""
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    if value == 0:
        return "0"
    sign = "-" if value < 0 else ""
    _, digit_tuple, exponent = Decimal(repr(abs(value))).normalize().as_tuple()
    digits = "".join(map(str, digit_tuple))
    k = len(digits)
    n = int(exponent) + k  # value = 0.digits * 10**n
    if k <= n <= 21:
        return sign + digits + "0" * (n - k)
    if 0 < n <= 21:
        return sign + digits[:n] + "." + digits[n:]
    if -6 < n <= 0:
        return sign + "0." + "0" * -n + digits
    e = n - 1
    mantissa = digits if k == 1 else digits[0] + "." + digits[1:]
    return f"{sign}{mantissa}e{'+' if e > 0 else '-'}{abs(e)}"


def js_round(value: float) -> float:
    """`Math.round`: halves go up (-100.5 → -100), unlike Python's round."""
    return float(math.floor(value + 0.5))


def _locale(value: float) -> str:
    return "∞" if value > 0 else "-∞" if value < 0 else "NaN"


def decimals_for_value(value: float) -> int:
    """`getDecimalsForValue`: about three significant digits, none for integers."""
    log10 = math.floor(math.log(abs(value)) / math.log(10))
    dec = -log10 + 1
    magn = 10.0**-dec
    if abs(value) / magn > 2.25:
        dec += 1
    if value % 1 == 0:
        dec = 0
    return max(0, dec)


def to_fixed(value: float | None, decimals: int | None = None) -> str:
    """`toFixed` of baseFormatters.ts."""
    if value is None:
        return ""
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return _locale(value)
    if decimals is None:
        decimals = decimals_for_value(value) if value != 0 else 0
    if value == 0:
        return f"{0:.{max(0, decimals)}f}"
    factor = 10 ** max(0, decimals) if decimals else 1
    formatted = js_string(js_round(value * factor) / factor)
    if "e" in formatted:
        return formatted
    precision = len(formatted) - formatted.index(".") - 1 if "." in formatted else 0
    if precision < decimals:
        return (formatted if precision else formatted + ".") + "0" * (decimals - precision)
    return formatted


def _fixed_unit(unit: str) -> Formatter:
    def fmt(size: float, decimals: int | None) -> Formatted:
        return "", to_fixed(size, decimals), (" " + unit if unit else "")

    return fmt


def _scaled_units(factor: int, ext: list[str], offset: int = 0) -> Formatter:
    def fmt(size: float, decimals: int | None) -> Formatted:
        if math.isinf(size) or math.isnan(size):
            return "", _locale(size), ""
        si = 0 if size == 0 else math.floor(math.log10(abs(size)) / math.log10(factor))
        suffix = ext[min(max(offset + si, 0), len(ext) - 1)]
        power = min(max(si, -offset), len(ext) - offset - 1)
        return "", to_fixed(size / factor**power, decimals), suffix

    return fmt


def _count_unit(symbol: str) -> Formatter:
    scaled = _scaled_units(1000, ["", "K", "M", "B", "T"])

    def fmt(size: float, decimals: int | None) -> Formatted:
        prefix, text, suffix = scaled(size, decimals)
        return prefix, text, suffix + " " + symbol

    return fmt


def _percent_unit(size: float, decimals: int | None) -> Formatted:
    return "", to_fixed(100 * size, decimals), "%"


_PLURAL = (" min", " hour", " day", " week", " year")


def _fixed_scaled(value: float, decimals: int | None, ext: str) -> Formatted:
    plural = ext in _PLURAL and abs(value) > 1  # `appendPluralIf` on the unrounded value
    return "", to_fixed(value, decimals), ext + ("s" if plural else "")


def _seconds(size: float, decimals: int | None) -> Formatted:
    """`toSeconds`: ns … year, whichever the magnitude falls in."""
    if size == 0:
        return "", "0", " s"
    a = abs(size)
    if a < 1e-6:
        return _fixed_scaled(size * 1e9, decimals, " ns")
    if a < 1e-3:
        return _fixed_scaled(size * 1e6, decimals, " µs")
    if a < 1:
        return _fixed_scaled(size * 1e3, decimals, " ms")
    if a < 60:
        return "", to_fixed(size, decimals), " s"
    for limit, divisor, ext in (
        (3600, 60, " min"),
        (86400, 3600, " hour"),
        (604800, 86400, " day"),
        (31536000, 604800, " week"),
    ):
        if a < limit:
            return _fixed_scaled(size / divisor, decimals, ext)
    return _fixed_scaled(size / 3.15569e7, decimals, " year")


_DURATION_UNITS = (
    ("year", 31536000.0),
    ("month", 2592000.0),
    ("week", 604800.0),
    ("day", 86400.0),
    ("hour", 3600.0),
    ("minute", 60.0),
    ("second", 1.0),
    ("millisecond", 0.001),
)


def _duration(size: float, decimals: int | None) -> Formatted:
    """`toDuration(size, decimals, Interval.Second)`: the largest unit first, then
    `decimals` more units."""
    if size == 0:
        return "", "0", " seconds"
    if size < 0:
        prefix, text, suffix = _duration(-size, decimals)
        return prefix, text, suffix + " ago"
    ms = size * 1000
    parts: list[str] = []
    started = False
    count = decimals if decimals is not None else 0
    for name, seconds in _DURATION_UNITS:
        if count < 0:
            break
        interval = seconds * 1000
        value = ms / interval
        if value >= 1 or started:
            started = True
            whole = math.floor(value)
            parts.append(f"{whole} {name}{'' if whole == 1 else 's'}")
            ms = math.fmod(ms, interval)
            count -= 1
    return "", ", ".join(parts), ""


_BYTES = [" B", " KiB", " MiB", " GiB", " TiB", " PiB", " EiB", " ZiB", " YiB"]
_SHORT = ["", " K", " Mil", " Bil", " Tri", " Quadr", " Quint", " Sext", " Sept"]

# categories.ts: the units the project's panels and examples use.
UNITS: dict[str, Formatter] = {
    "none": _fixed_unit(""),
    "short": _scaled_units(1000, _SHORT),
    "percentunit": _percent_unit,
    "bytes": _scaled_units(1024, _BYTES),
    "s": _seconds,
    "dtdurations": _duration,
    "ops": _count_unit("ops/s"),
    "reqps": _count_unit("req/s"),
}


def formatter(unit: str | None) -> Formatter:
    """`getValueFormat(unit || 'none')`; an unknown id is a suffix (`toFixedUnit(id)`)."""
    return UNITS.get(unit or "none") or _fixed_unit(str(unit))


def format_value(unit: str | None, value: float | None, decimals: int | None = None) -> str:
    """`formattedValueToString(getValueFormat(unit)(value, decimals))`; '' for null."""
    if value is None:
        return ""
    prefix, text, suffix = formatter(unit)(value, decimals)
    return prefix + text + suffix


def format_tick(unit: str | None, value: float, step: float) -> str:
    """An axis tick: decimals from the distance between ticks, trailing zeros stripped
    (`+v.text`), as the time series axis formats numbers."""
    decimals = max(0, -math.floor(math.log10(step))) if step > 0 else None
    prefix, text, suffix = formatter(unit)(value, decimals)
    if "." in text and "e" not in text:
        text = text.rstrip("0").rstrip(".")
    return prefix + text + suffix

"""Unit formatting: Grafana's own outputs (@grafana/data 13.2.3, `valueFormats/`) for every unit
the project's panels use, plus the pairs Grafana's `valueFormats.test.ts` asserts."""

from __future__ import annotations

import math

import pytest

from tsedash.preview.units import format_tick, format_value, js_string, to_fixed

# fmt: off
NO_DECIMALS = {
    "bytes": [(0, "0 B"), (1, "1 B"), (512, "512 B"), (1000, "1000 B"), (1023, "1023 B"), (1024, "1 KiB"), (1536, "1.50 KiB"), (1048575, "1024 KiB"), (1048576, "1 MiB"), (123456789, "118 MiB"), (5.5e9, "5.12 GiB"), (1e12, "931 GiB"), (1073741824, "1 GiB"), (-2048, "-2 KiB"), (0.5, "0.500 B"), (1e15, "909 TiB")],
    "dtdurations": [(0, "0 seconds"), (0.5, "500 milliseconds"), (1, "1 second"), (59, "59 seconds"), (60, "1 minute"), (61, "1 minute"), (3661, "1 hour"), (86399, "23 hours"), (93784, "1 day"), (172800, "2 days"), (1209600, "2 weeks"), (2592000, "1 month"), (31536000, "1 year"), (-90, "1 minute ago"), (0.0004, "")],
    "none": [(0, "0"), (1, "1"), (1.5, "1.50"), (2.345, "2.35"), (0.0523, "0.0523"), (0.1, "0.100"), (12.345, "12.3"), (12.5, "12.5"), (99.99, "100.0"), (100.4, "100"), (1234.5678, "1235"), (1234567, "1234567"), (-0.001234, "-0.00123"), (-3.14159, "-3.14"), (1e21, "1e+21"), (1e-7, "1e-7"), (3.23, "3.23"), (0.0245, "0.0245"), (1 / 3, "0.333")],
    "ops": [(0, "0 ops/s"), (0.5, "0.500 ops/s"), (1, "1 ops/s"), (12.34, "12.3 ops/s"), (999, "999 ops/s"), (1000, "1K ops/s"), (1500, "1.50K ops/s"), (999999, "1000K ops/s"), (1234567, "1.23M ops/s"), (2.5e9, "2.50B ops/s"), (3e12, "3T ops/s"), (1e-7, "1e-7 ops/s")],
    "percentunit": [(0, "0%"), (0.00001, "0.00100%"), (0.00123, "0.123%"), (0.0523, "5.23%"), (0.12345, "12.3%"), (0.5, "50%"), (0.999, "99.9%"), (0.9999, "100.0%"), (1, "100%"), (1.5, "150%"), (2.5, "250%"), (-0.25, "-25%")],
    "reqps": [(0, "0 req/s"), (0.0123, "0.0123 req/s"), (0.25, "0.250 req/s"), (3.5, "3.50 req/s"), (42, "42 req/s"), (999.9, "1000 req/s"), (1000, "1K req/s"), (12345, "12.3K req/s"), (1.5e6, "1.50M req/s"), (-5, "-5 req/s")],
    "s": [(0, "0 s"), (1e-12, "0.00100 ns"), (4.5e-10, "0.450 ns"), (5e-7, "500 ns"), (1.23e-5, "12.3 µs"), (0.0234, "23.4 ms"), (0.5, "500 ms"), (-0.25, "-250 ms"), (1, "1 s"), (1.5, "1.50 s"), (-1.5, "-1.50 s"), (59.9, "59.9 s"), (60, "1 min"), (90, "1.50 mins"), (120, "2 mins"), (3600, "1 hour"), (5400, "1.50 hours"), (7200, "2 hours"), (86400, "1 day"), (93784, "1.09 days"), (604800, "1 week"), (2e6, "3.31 weeks"), (31536000, "0.999 year"), (1e8, "3.17 years")],
    "short": [(0, "0"), (0.001, "0.00100"), (0.5, "0.500"), (-0.5, "-0.500"), (1, "1"), (12.34, "12.3"), (999, "999"), (999.5, "1000"), (1000, "1 K"), (1234, "1.23 K"), (98765, "98.8 K"), (-4500, "-4.50 K"), (1234567, "1.23 Mil"), (2.5e9, "2.50 Bil"), (2.5e10, "25 Bil"), (3e12, "3 Tri"), (1e15, "1 Quadr"), (1.5e27, "1500 Sept"), (1200, "1.20 K"), (1250, "1.25 K"), (1000000, "1 Mil"), (1500000, "1.50 Mil"), (1000120, "1.00 Mil"), (9876543, "9.88 Mil")],
}
# fmt: on
WITH_DECIMALS = [
    ("dtdurations", 93784, 1, "1 day, 2 hours"),
    ("dtdurations", 93784, 2, "1 day, 2 hours, 3 minutes"),
    ("dtdurations", 93784, 3, "1 day, 2 hours, 3 minutes, 4 seconds"),
    ("dtdurations", 90, 1, "1 minute, 30 seconds"),
    ("dtdurations", 3661, 2, "1 hour, 1 minute, 1 second"),
    ("dtdurations", 1213200, 1, "2 weeks, 0 days"),
    ("s", 0.0234, 0, "23 ms"),
    ("s", 1.5, 0, "2 s"),
    ("s", 90, 0, "2 mins"),
    ("s", 93784, 0, "1 days"),
    ("s", 93784, 1, "1.1 days"),
    ("s", 0.0234, 2, "23.40 ms"),
    ("bytes", 1536, 0, "2 KiB"),
    ("bytes", 1536, 1, "1.5 KiB"),
    ("bytes", 123456789, 2, "117.74 MiB"),
    ("short", 1234567, 0, "1 Mil"),
    ("short", 1234567, 1, "1.2 Mil"),
    ("short", 0.5, 0, "1"),
]
CASES = [(unit, value, out) for unit, pairs in NO_DECIMALS.items() for value, out in pairs]


@pytest.mark.parametrize(("unit", "value", "expected"), CASES)
def test_unit_formats_as_grafana_does(unit: str, value: float, expected: str) -> None:
    assert format_value(unit, value) == expected


@pytest.mark.parametrize(("unit", "value", "decimals", "expected"), WITH_DECIMALS)
def test_unit_with_decimals_formats_as_grafana_does(
    unit: str, value: float, decimals: int, expected: str
) -> None:
    assert format_value(unit, value, decimals) == expected


@pytest.mark.parametrize("value", [0, 1.5, 12.345, 1234.5678, -3.14159, 1e21])
def test_empty_unit_is_none(value: float) -> None:
    assert format_value("", value) == format_value(None, value) == format_value("none", value)


def test_unknown_unit_is_a_suffix_and_null_is_empty() -> None:
    assert format_value("widgets", 12.5) == "12.5 widgets"
    assert format_value("a", 1532.82, 0) == "1533 a"
    assert format_value("bytes", None) == ""
    assert format_value("short", math.inf) == "∞"
    assert format_value("short", -math.inf) == "-∞"


# valueFormats.test.ts: toFixed
TO_FIXED = [
    (100, None, "100"), (100.4, None, "100"), (100.5, None, "101"), (27.4, None, "27.4"),
    (27.5, None, "27.5"), (-100, None, "-100"), (-100.5, None, "-100"), (-100.6, None, "-101"),
    (-27.5, None, "-27.5"), (-27.6, None, "-27.6"), (100, 1, "100.0"), (100.37, 1, "100.4"),
    (100.63, 1, "100.6"), (100.4, 2, "100.40"), (100.5, 2, "100.50"), (0, 1, "0.0"),
    (0, 2, "0.00"), (math.nan, None, "NaN"), (186.123, -2, "186"),
]  # fmt: skip


@pytest.mark.parametrize(("value", "decimals", "expected"), TO_FIXED)
def test_to_fixed_matches_grafanas_own_test(
    value: float, decimals: int | None, expected: str
) -> None:
    assert to_fixed(value, decimals) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (1e21, "1e+21"),
        (1e-7, "1e-7"),
        (123.456, "123.456"),
        (0.000001, "0.000001"),
        (1.5e-7, "1.5e-7"),
        (-2.5e22, "-2.5e+22"),
        (1e20, "100000000000000000000"),
    ],
)
def test_js_number_string(value: float, expected: str) -> None:
    assert js_string(value) == expected


def test_axis_ticks_strip_trailing_zeros() -> None:
    assert format_tick("percentunit", 0.5, 0.1) == "50%"
    assert format_tick("bytes", 1536, 512) == "2 KiB"
    assert format_tick("s", 0.25, 0.05) == "250 ms"
    assert format_tick("none", 1.5, 0.5) == "1.5"

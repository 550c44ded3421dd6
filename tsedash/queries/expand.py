"""Grafana's variable and macro substitution, for parsing (lint) and running (tests) queries.

Handles `$var`, `${var}`, `${var.field}`, `${var:format}` and `[[var]]`, inside quotes too,
as Grafana does before a query reaches Prometheus. `VARIABLE` is the one pattern of a variable
use in the project (validation finds undefined variables with it too).
"""

from __future__ import annotations

import re
from collections.abc import Mapping

VARIABLE = re.compile(
    r"\$\{(?P<braced>[A-Za-z_][A-Za-z0-9_]*)(?:\.[^}:]*)?(?::(?P<fmt>[^}]*))?\}"
    r"|\[\[(?P<old>[A-Za-z_][A-Za-z0-9_]*)(?::[^\]]*)?\]\]"
    r"|\$(?P<plain>[A-Za-z_][A-Za-z0-9_]*)"
)

_DURATION = re.compile(r"(\d+)(ms|s|m|h|d|w|y)")
_UNIT_MS = {"ms": 1, "s": 1000, "m": 60_000, "h": 3_600_000, "d": 86_400_000}
_UNIT_MS |= {"w": 7 * _UNIT_MS["d"], "y": 365 * _UNIT_MS["d"]}


def duration_ms(duration: str) -> int:
    """A Prometheus duration (`1m`, `1h30m`, `61s`) in milliseconds; ValueError otherwise."""
    parts = _DURATION.findall(duration)
    if not parts or "".join(n + u for n, u in parts) != duration:
        raise ValueError(f"not a duration: {duration!r} (e.g. 30s, 1m, 1h)")
    return sum(int(n) * _UNIT_MS[u] for n, u in parts)


def macro_values(rate_interval: str, interval: str, time_range: str) -> dict[str, str]:
    """Grafana's interval and range macros for one query run: the one table of them."""
    range_ms = duration_ms(time_range)
    return {
        "__rate_interval": rate_interval,
        "__rate_interval_ms": str(duration_ms(rate_interval)),
        "__interval": interval,
        "__interval_ms": str(duration_ms(interval)),
        "__range": time_range,
        "__range_s": str(range_ms // 1000),
        "__range_ms": str(range_ms),
    }


# Distinctive, valid durations for lint (below 2^32 ms: the promql-parser binding rejects
# longer ones), so a rule can tell `[$__rate_interval]` from a literal window.
LINT_GLOBALS = macro_values(rate_interval="61s", interval="59s", time_range="3607s")
# What a dashboard shows on first load (the preview draws that).
DEFAULT_MACROS = {"rate_interval": "1m", "interval": "15s", "time_range": "1h"}


def expand(expr: str, values: Mapping[str, str]) -> str:
    """Replace every variable that has a value; leave the others as written."""

    def sub(m: re.Match[str]) -> str:
        name = m.group("braced") or m.group("old") or m.group("plain")
        return values.get(name, m.group(0))

    return VARIABLE.sub(sub, expr)

"""Grafana's variable and macro substitution, for parsing (lint) and running (tests) queries.

Handles `$var`, `${var}`, `${var:format}` and `[[var]]`, inside quotes too, as Grafana does
before a query reaches Prometheus.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

VARIABLE = re.compile(
    r"\$\{(?P<braced>[A-Za-z_][A-Za-z0-9_]*)(?::(?P<fmt>[^}]*))?\}"
    r"|\[\[(?P<old>[A-Za-z_][A-Za-z0-9_]*)(?::[^\]]*)?\]\]"
    r"|\$(?P<plain>[A-Za-z_][A-Za-z0-9_]*)"
)

# Distinctive, valid durations for Grafana's interval macros (below 2^32 ms: the
# promql-parser binding rejects longer ones).
LINT_GLOBALS = {
    "__rate_interval": "61s",
    "__interval": "59s",
    "__range": "3607s",
    "__range_s": "3607",
    "__range_ms": "3607000",
    "__interval_ms": "59000",
}


def expand(expr: str, values: Mapping[str, str]) -> str:
    """Replace every variable that has a value; leave the others as written."""

    def sub(m: re.Match[str]) -> str:
        name = m.group("braced") or m.group("old") or m.group("plain")
        return values.get(name, m.group(0))

    return VARIABLE.sub(sub, expr)

"""panel-unit-known: a panel's units are Grafana unit ids (`bytes`, `reqps`, `percentunit`).

Grafana shows an unknown unit id as a literal suffix (`12 byts`) without complaint. The ids
come from grafana-foundation-sdk's unit list, generated from Grafana's own. The empty unit `""`
is Grafana's default (no unit: what a panel saved without one holds), not an unknown id; that a
numeric panel should set one is `panel-units`' concern.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator
from functools import cache
from typing import Any

from tsedash.lint.core import DashboardContext, Rule, Severity


@cache
def unit_ids() -> frozenset[str]:
    # The SDK's unit list alone: `tsedash lint` need not load the dashboard builders.
    from grafana_foundation_sdk.models import units as units_m

    return frozenset(
        v for k, v in vars(units_m).items() if not k.startswith("_") and isinstance(v, str)
    )


def _units(panel: dict[str, Any]) -> Iterator[str]:
    field_config = panel.get("fieldConfig") or {}
    unit = (field_config.get("defaults") or {}).get("unit")
    if isinstance(unit, str):
        yield unit
    for override in field_config.get("overrides") or []:
        for prop in (override or {}).get("properties") or []:
            if prop.get("id") == "unit" and isinstance(prop.get("value"), str):
                yield prop["value"]


def _custom(unit: str) -> bool:
    """Grafana's custom unit syntax: `suffix:`, `prefix:`, `si:`, `count:`, `currency:`, …"""
    return ":" in unit


def check(ctx: DashboardContext, panel: dict[str, Any]) -> Iterator[str]:
    known = unit_ids()
    for unit in _units(panel):
        if unit == "" or unit in known or _custom(unit):
            continue
        close = difflib.get_close_matches(unit, sorted(known), n=1)
        hint = f"; did you mean `{close[0]}`?" if close else ""
        yield f"unit `{unit}` is not a Grafana unit id{hint}"


RULE = Rule(
    "panel-unit-known",
    "Units are Grafana unit ids (a typo shows as a literal suffix).",
    Severity.ERROR,
    panel=check,
)

"""Grafana's display processor for one value: text from the unit (or a value mapping) and
colour from the mapping or the thresholds (`packages/grafana-data/src/field/displayProcessor.ts`,
`field/scale.ts`, `field/thresholds.ts`, `utils/valueMappings.ts`), and the stat reducers
(`transformations/fieldReducer.ts`). Dark theme colours."""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from tsedash.preview.units import format_value

# theme.visualization.getColorByName, dark theme.
NAMED_COLORS = {
    "green": "#73BF69",
    "red": "#F2495C",
    "orange": "#FF9830",
    "yellow": "#FADE2A",
    "blue": "#5794F2",
    "purple": "#B877D9",
    "text": "#ccccdc",
}
# The classic palette (`palette-classic`, the time series default), in series order.
CLASSIC = ["#7EB26D", "#EAB839", "#6ED0E0", "#EF843C", "#E24D42", "#1F78C1", "#BA43A9",
           "#705DA0", "#508642", "#CCA300"]  # fmt: skip
DEFAULT_THRESHOLDS: dict[str, Any] = {
    "mode": "absolute",
    "steps": [{"value": None, "color": "green"}, {"value": 80, "color": "red"}],
}
FALLBACK = "#808080"
NO_DATA = "No data"


def color(name: str) -> str:
    return NAMED_COLORS.get(name, name)


@dataclass(frozen=True)
class Display:
    text: str
    color: str
    mapped: bool = False


def steps(defaults: dict[str, Any]) -> list[tuple[float, str]]:
    """The threshold steps as (value, colour); the base step's value is -∞."""
    config = defaults.get("thresholds") or DEFAULT_THRESHOLDS
    out = []
    for step in config.get("steps") or []:
        value = step.get("value")
        out.append((-math.inf if value is None else float(value), color(str(step.get("color")))))
    return out


def _threshold_color(value: float, defaults: dict[str, Any], span: tuple[float, float]) -> str:
    all_steps = steps(defaults)
    if not all_steps:
        return FALLBACK
    if (defaults.get("thresholds") or {}).get("mode") == "percentage":
        delta = span[1] - span[0]
        value = (value - span[0]) / delta * 100 if delta else 0.0
    active = all_steps[0][1]
    for limit, shade in all_steps:
        if value >= limit:
            active = shade
        else:
            break
    return active


def _mapping(value: float | None, mappings: list[dict[str, Any]]) -> dict[str, Any] | None:
    """`getValueMappingResult`: the first mapping that matches, in list order."""
    for mapping in mappings:
        kind, options = mapping.get("type"), mapping.get("options") or {}
        if kind == "special":
            match = options.get("match")
            is_nan = value is not None and math.isnan(value)
            if (
                (match == "null" and value is None)
                or (match == "nan" and is_nan)
                or (match == "null+nan" and (value is None or is_nan))
            ):
                return dict(options.get("result") or {})
            continue
        if value is None or math.isnan(value):
            continue
        if kind == "value":
            key = js_key(value)
            if key in options:
                return dict(options[key])
        elif kind == "range":
            low = options.get("from")
            high = options.get("to")
            if (low is None or value >= low) and (high is None or value <= high):
                return dict(options.get("result") or {})
        elif kind == "regex":
            pattern = str(options.get("pattern", ""))
            if re.search(pattern.strip("/"), js_key(value)):
                return dict(options.get("result") or {})
    return None


def js_key(value: float) -> str:
    """A number as a JavaScript object key: 1.0 → "1"."""
    from tsedash.preview.units import js_string

    return js_string(value)


def display(
    value: float | None, defaults: dict[str, Any], span: tuple[float, float] = (0.0, 0.0)
) -> Display:
    """The text and colour Grafana shows for `value` with the field config `defaults`."""
    found = _mapping(value, list(defaults.get("mappings") or []))
    if value is None or math.isnan(value):
        text = "NaN" if value is not None else ""
    else:
        decimals = defaults.get("decimals")
        text = format_value(
            defaults.get("unit"), value, None if decimals is None else int(decimals)
        )
    if found is not None and found.get("text") is not None:
        text = str(found["text"])
    if found is not None and found.get("color"):
        return Display(text, color(str(found["color"])), True)
    number = value if value is not None and not math.isnan(value) else -math.inf
    return Display(text, _threshold_color(number, defaults, span), found is not None)


def reduce(values: Sequence[float], calc: str) -> float | None:
    """One of the reducers; NaN counts as null for the *NotNull ones."""
    present = [v for v in values if not math.isnan(v)]
    if calc == "last":
        return values[-1] if values else None
    if calc == "first":
        return values[0] if values else None
    if calc == "firstNotNull":
        return present[0] if present else None
    if calc == "count":
        return float(len(values))
    if not present:
        return None
    reducers = {"lastNotNull": present[-1], "mean": sum(present) / len(present),
                "max": max(present), "min": min(present), "sum": sum(present),
                "range": max(present) - min(present)}  # fmt: skip
    if calc not in reducers:
        raise ValueError(f"calculation {calc!r} is not drawn by the preview")
    return reducers[calc]


def stat_calcs(options: dict[str, Any]) -> list[str]:
    """No `calcs` → [lastNotNull] (the option default); an explicit [] → [last]."""
    reduce_options = options.get("reduceOptions") or {}
    if "calcs" not in reduce_options:
        return ["lastNotNull"]
    return list(reduce_options["calcs"]) or ["last"]

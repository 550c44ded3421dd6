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

# theme.visualization.getColorByName, dark theme: every shade of getDarkHues()
# (packages/grafana-data/src/themes/createVisualizationColors.ts).
NAMED_COLORS = {
    "super-light-red": "#FFA6B0",
    "light-red": "#FF7383",
    "red": "#F2495C",
    "semi-dark-red": "#E02F44",
    "dark-red": "#C4162A",
    "super-light-orange": "#FFCB7D",
    "light-orange": "#FFB357",
    "orange": "#FF9830",
    "semi-dark-orange": "#FF780A",
    "dark-orange": "#FA6400",
    "super-light-yellow": "#FFF899",
    "light-yellow": "#FFEE52",
    "yellow": "#FADE2A",
    "semi-dark-yellow": "#F2CC0C",
    "dark-yellow": "#E0B400",
    "super-light-green": "#C8F2C2",
    "light-green": "#96D98D",
    "green": "#73BF69",
    "semi-dark-green": "#56A64B",
    "dark-green": "#37872D",
    "super-light-blue": "#C0D8FF",
    "light-blue": "#8AB8FF",
    "blue": "#5794F2",
    "semi-dark-blue": "#3274D9",
    "dark-blue": "#1F60C4",
    "super-light-purple": "#DEB6F2",
    "light-purple": "#CA95E5",
    "purple": "#B877D9",
    "semi-dark-purple": "#A352CC",
    "dark-purple": "#8F3BB8",
    "text": "#ccccdc",
}
# The classic palette (`palette-classic`, the time series default), in series order:
# getClassicPalette() of the same file, its names resolved as above.
_CLASSIC_NAMES = (
    "green",
    "yellow",
    "blue",
    "orange",
    "red",
    "purple",
    "dark-green",
    "dark-yellow",
    "dark-blue",
    "dark-orange",
    "dark-red",
    "dark-purple",
    "super-light-green",
    "super-light-yellow",
    "super-light-blue",
    "super-light-orange",
    "super-light-red",
    "super-light-purple",
)
_CLASSIC_HEX = (
    "#447EBC",
    "#C15C17",
    "#890F02",
    "#0A437C",
    "#6D1F62",
    "#584477",
    "#B7DBAB",
    "#F4D598",
    "#70DBED",
    "#F9BA8F",
    "#F29191",
    "#82B5D8",
    "#E5A8E2",
    "#AEA2E0",
    "#629E51",
    "#E5AC0E",
    "#64B0C8",
    "#E0752D",
    "#BF1B00",
    "#0A50A1",
    "#962D82",
    "#614D93",
    "#9AC48A",
    "#F2C96D",
    "#65C5DB",
    "#F9934E",
    "#EA6460",
    "#5195CE",
    "#D683CE",
    "#806EB7",
    "#3F6833",
    "#967302",
    "#2F575E",
    "#99440A",
    "#58140C",
    "#052B51",
    "#511749",
    "#3F2B5B",
    "#E0F9D7",
    "#FCEACA",
    "#CFFAFF",
    "#F9E2D2",
    "#FCE2DE",
    "#BADFF4",
    "#F9D9F9",
    "#DEDAF7",
)
CLASSIC = [*(NAMED_COLORS[name] for name in _CLASSIC_NAMES), *_CLASSIC_HEX]
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

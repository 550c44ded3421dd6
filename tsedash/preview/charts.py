"""The charts of the data preview, drawn by matplotlib as SVG and inlined into the page.

matplotlib (not hand-written SVG): a well-kept library with no browser or JavaScript needed,
whose SVG output is deterministic once the id salt is fixed, the creation date left out and
text kept as text (`svg.fonttype: none`, which also keeps the SVG small). Figures are sized in
CSS pixels (96 per inch), so a chart fills its panel's box exactly.
"""

from __future__ import annotations

import io
import math
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

DPI = 96  # CSS px per inch: an SVG of W/96 inches is W px wide in the browser
TEXT = "#ccccdc"
WEAK_TEXT = "#8e8e8e"
FONT_PX = 10
_RC: Any = {  # matplotlib's typed rcParams keys: a plain dict of known ones
    "svg.fonttype": "none",
    "font.family": "sans-serif",
    "font.size": FONT_PX * 72 / DPI,
    "text.color": TEXT,
    "xtick.color": WEAK_TEXT,
    "ytick.color": WEAK_TEXT,
    "xtick.major.size": 0,
    "ytick.major.size": 0,
    "axes.edgecolor": "none",
    "axes.facecolor": "none",
    "figure.facecolor": "none",
    "savefig.facecolor": "none",
    "grid.color": TEXT,
    "grid.alpha": 0.1,
    "grid.linewidth": 0.75,
    "path.simplify": True,
}
_X_STEPS = (10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400)


@dataclass(frozen=True)
class Line:
    name: str
    color: str
    times: Sequence[float]  # seconds
    values: Sequence[float]  # NaN: no sample (the line breaks)
    dashed: bool = False
    width: float = 1.0
    fill_opacity: float = 0.0  # percent, as fieldConfig.custom.fillOpacity


@dataclass
class Axis:
    unit: str | None
    soft_min: float | None = None
    soft_max: float | None = None
    thresholds: list[tuple[float, str]] = field(default_factory=list)  # (value, colour)
    thresholds_style: str = "off"
    stacked: bool = False


@dataclass(frozen=True)
class Lane:
    name: str
    boxes: list[tuple[float, float, str]]  # start s, end s, colour


def _figure(width: int, height: int) -> Any:
    from matplotlib.figure import Figure

    return Figure(figsize=(max(width, 10) / DPI, max(height, 10) / DPI), dpi=DPI)


def _svg(fig: Any, salt: str) -> str:
    import matplotlib

    buf = io.StringIO()
    with matplotlib.rc_context({"svg.hashsalt": salt}):
        fig.savefig(buf, format="svg", metadata={"Date": None, "Creator": None})
    text = buf.getvalue()
    return text[text.index("<svg") :]


def _time_ticks(ax: Any, start: float, end: float, width: int) -> None:
    wanted = max(2, width // 90)
    step = next((s for s in _X_STEPS if (end - start) / s <= wanted), 86400 * 7)
    first = math.ceil(start / step) * step
    ticks = [t for t in range(int(first), int(end) + 1, step)]
    fmt = "%m/%d" if step >= 86400 else "%H:%M:%S" if step < 60 else "%H:%M"
    ax.set_xticks(ticks, [time.strftime(fmt, time.gmtime(t)) for t in ticks])
    ax.set_xlim(start, end)


def _axes(fig: Any, width: int, height: int, left: int, bottom: int = 16) -> Any:
    top, right = 6, 8
    box = (left, bottom, width - left - right, height - bottom - top)
    return fig.add_axes((box[0] / width, box[1] / height, box[2] / width, box[3] / height))


def _broken(
    times: Sequence[float], values: Sequence[float], step: float
) -> tuple[list[float], list[float]]:
    """NaN inserted where samples are more than a step apart (Grafana's null insertion)."""
    xs: list[float] = []
    ys: list[float] = []
    for i, (t, v) in enumerate(zip(times, values, strict=True)):
        if i and t - times[i - 1] > step * 1.001:
            xs.append((t + times[i - 1]) / 2)
            ys.append(math.nan)
        xs.append(t)
        ys.append(v)
    return xs, ys


def _stacked(lines: list[Line]) -> list[tuple[Line, list[float]]]:
    """Each line's base when stacked in order (`stacking.mode: normal`)."""
    totals: dict[float, float] = {}
    out = []
    for line in lines:
        base = [totals.get(t, 0.0) for t in line.times]
        out.append((line, base))
        for t, v in zip(line.times, line.values, strict=True):
            if not math.isnan(v):
                totals[t] = totals.get(t, 0.0) + v
    return out


def timeseries_svg(
    lines: list[Line],
    axis: Axis,
    span: tuple[float, float],
    step: float,
    size: tuple[int, int],
    salt: str,
) -> str:
    """One line per series over the dashboard's time range, y ticks in the panel's unit."""
    import matplotlib
    from matplotlib.ticker import MaxNLocator

    from tsedash.preview.units import format_tick

    width, height = size
    with matplotlib.rc_context(_RC):
        fig = _figure(width, height)
        ax = _axes(fig, width, height, left=56)
        lows: list[float] = []
        highs: list[float] = []
        for line, base in _stacked(lines) if axis.stacked else [(ln, None) for ln in lines]:
            summed = (
                [v + b for v, b in zip(line.values, base, strict=True)] if base else line.values
            )
            xs, ys = _broken(line.times, summed, step)
            dash = (0, (10 / line.width, 10 / line.width)) if line.dashed else "solid"
            ax.plot(xs, ys, color=line.color, linewidth=line.width * 0.75, linestyle=dash)
            if line.fill_opacity:
                floor = _broken(line.times, base, step)[1] if base else [0.0] * len(ys)
                ax.fill_between(
                    xs, ys, floor, color=line.color, alpha=line.fill_opacity / 100, linewidth=0
                )
            finite = [y for y in ys if math.isfinite(y)]
            lows += finite[:1] and [min(finite)]
            highs += finite[:1] and [max(finite)]
        low = axis.soft_min if axis.soft_min is not None else min(lows, default=0.0)
        high = axis.soft_max if axis.soft_max is not None else max(highs, default=1.0)
        low, high = min(low, min(lows, default=low)), max(high, max(highs, default=high))
        if high <= low:
            high = low + (abs(low) or 1.0)
        ticks = list(MaxNLocator(nbins=max(2, height // 36)).tick_values(low, high))
        tick_step = ticks[1] - ticks[0] if len(ticks) > 1 else abs(high) or 1.0
        if axis.soft_max is None and ticks[-1] - high < tick_step * 0.05:
            ticks.append(ticks[-1] + tick_step)  # headroom: the highest line not on the edge
        ticks = [t for t in ticks if t >= low - tick_step * 1e-6]
        top = ticks[-1] if axis.soft_max is None else high
        ticks = [t for t in ticks if t <= top + tick_step * 1e-6]
        ax.set_yticks(ticks, [format_tick(axis.unit, t, tick_step) for t in ticks])
        ax.set_ylim(low, top)
        _thresholds(ax, axis, low, high)
        ax.grid(True)
        _time_ticks(ax, span[0], span[1], width)
        return _svg(fig, salt)


def _thresholds(ax: Any, axis: Axis, low: float, high: float) -> None:
    """`custom.thresholdsStyle`: lines (dashed or not) at each step, or bands between them."""
    style = axis.thresholds_style
    if style in ("off", "") or not axis.thresholds:
        return
    steps = axis.thresholds
    for i, (value, color) in enumerate(steps):
        if "area" in style:
            upper = steps[i + 1][0] if i + 1 < len(steps) else high
            ax.axhspan(max(value, low), upper, color=color, alpha=0.15, linewidth=0)
        if ("line" in style or "dashed" in style) and math.isfinite(value):
            ax.axhline(
                value, color=color, linewidth=1, linestyle="--" if "dashed" in style else "-"
            )


def sparkline_svg(
    line: Line, span: tuple[float, float], step: float, size: tuple[int, int], salt: str
) -> str:
    """The stat panel's `graphMode: area`: the series as a filled line, no axes."""
    import matplotlib

    width, height = size
    with matplotlib.rc_context(_RC):
        fig = _figure(width, height)
        ax = fig.add_axes((0, 0, 1, 1))
        xs, ys = _broken(line.times, line.values, step)
        ax.plot(xs, ys, color=line.color, linewidth=1)
        ax.fill_between(
            xs,
            ys,
            min((y for y in ys if math.isfinite(y)), default=0),
            color=line.color,
            alpha=0.2,
            linewidth=0,
        )
        ax.set_xlim(*span)
        ax.set_axis_off()
        return _svg(fig, salt)


def timeline_svg(
    lanes: list[Lane], span: tuple[float, float], size: tuple[int, int], salt: str
) -> str:
    """The state timeline: one lane per series, a box per state (`rowHeight` 0.9)."""
    import matplotlib

    width, height = size
    longest = max((len(lane.name) for lane in lanes), default=4)
    left = min(int(width * 0.4), 12 + longest * 6)
    with matplotlib.rc_context(_RC):
        fig = _figure(width, height)
        ax = _axes(fig, width, height, left=left)
        for row, lane in enumerate(lanes):
            y = len(lanes) - 1 - row  # the first lane on top
            for start, end, color in lane.boxes:
                ax.broken_barh(
                    [(start, end - start)],
                    (y - 0.45, 0.9),
                    facecolors=color,
                    alpha=0.7,
                    linewidth=0,
                )
        ax.set_yticks(range(len(lanes)), [lane.name for lane in reversed(lanes)], color=TEXT)
        ax.set_ylim(-0.5, len(lanes) - 0.5)
        _time_ticks(ax, span[0], span[1], width)
        return _svg(fig, salt)

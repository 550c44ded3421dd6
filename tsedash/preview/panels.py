"""The body of each panel drawn with its data, as HTML: time series and state timeline as
inline SVG charts, stat values, table rows; "No data" where Grafana shows it (no series at all)
and each query's error."""

from __future__ import annotations

import math
import time
from html import escape
from typing import Any

from tsedash.preview.charts import Axis, Lane, Line, sparkline_svg, timeline_svg, timeseries_svg
from tsedash.preview.data import Series, TimeRange
from tsedash.preview.display import CLASSIC, NO_DATA, color, display, reduce, stat_calcs, steps
from tsedash.preview.panel_data import COLUMN_WIDTH, PanelData, TargetData

CELL_HEIGHT = 30
TITLE = 20  # px of the title line
CHROME = 2 + 12  # border and padding, top and bottom
LEGEND_ROW = 18
TABLE_ROW = 26


def body_size(panel: dict[str, Any]) -> tuple[int, int]:
    """The px left for the body of a panel box, below its title."""
    grid = panel.get("gridPos") or {}
    width = int(grid.get("w", 24)) * COLUMN_WIDTH - 2 - 16
    return width, int(grid.get("h", 8)) * CELL_HEIGHT - CHROME - TITLE


def _defaults(panel: dict[str, Any]) -> dict[str, Any]:
    return dict((panel.get("fieldConfig") or {}).get("defaults") or {})


def _overrides(panel: dict[str, Any], target: TargetData, name: str) -> dict[str, Any]:
    """The override properties matching one series (`byName`, `byFrameRefID`)."""
    out: dict[str, Any] = {}
    for override in (panel.get("fieldConfig") or {}).get("overrides") or []:
        matcher = override.get("matcher") or {}
        wanted = matcher.get("options")
        if (matcher.get("id") == "byFrameRefID" and wanted == target.ref_id) or (
            matcher.get("id") == "byName" and wanted == name
        ):
            out |= {str(p.get("id")): p.get("value") for p in override.get("properties") or []}
    return out


def no_data(defaults: dict[str, Any]) -> str:
    return f'<div class="nodata">{escape(str(defaults.get("noValue") or NO_DATA))}</div>'


def _errors(data: PanelData) -> str:
    return "".join(f'<div class="qerror">⚠ {escape(e)}</div>' for e in data.errors)


def _legend(items: list[tuple[str, str, bool]]) -> str:
    spans = "".join(
        f'<span class="li{" dash" if dashed else ""}"><i style="background:{c}"></i>'
        f"{escape(name)}</span>"
        for name, c, dashed in items
    )
    return f'<div class="legend">{spans}</div>'


def _legend_height(names: list[str], width: int, limit: int) -> int:
    """Rows of the list legend as they wrap in `width`, at most `limit` px."""
    rows, used = 1, 0
    for name in names:
        item = 28 + 7 * len(name)  # swatch, gap and about 7 px a character at 11 px
        if used and used + item > width:
            rows, used = rows + 1, 0
        used += item
    return min(rows, limit // LEGEND_ROW) * LEGEND_ROW


def timeseries(panel: dict[str, Any], data: PanelData, span: TimeRange) -> str:
    defaults = _defaults(panel)
    custom = dict(defaults.get("custom") or {})
    width, height = body_size(panel)
    series = data.series
    if not series:
        return _errors(data) + no_data(defaults)
    lines = []
    for index, (target, s, name) in enumerate(series):
        props = _overrides(panel, target, name)
        fixed = (props.get("color") or {}).get("fixedColor")
        dashed = (props.get("custom.lineStyle") or custom.get("lineStyle") or {}).get("fill")
        lines.append(
            Line(
                name=name,
                color=color(str(fixed)) if fixed else CLASSIC[index % len(CLASSIC)],
                times=s.times,
                values=s.values,
                dashed=dashed in ("dash", "dot"),
                width=float(custom.get("lineWidth", 1) or 1),
                fill_opacity=float(custom.get("fillOpacity", 0) or 0),
            )
        )
    legend_on = ((panel.get("options") or {}).get("legend") or {}).get("showLegend", True)
    legend_px = (
        _legend_height([ln.name for ln in lines], width, height * 2 // 5) if legend_on else 0
    )
    axis = Axis(
        unit=defaults.get("unit"),
        soft_min=_number(defaults.get("min")),
        soft_max=_number(defaults.get("max")),
        thresholds=steps(defaults),
        thresholds_style=str((custom.get("thresholdsStyle") or {}).get("mode", "off")),
        stacked=(custom.get("stacking") or {}).get("mode") == "normal",
    )
    svg = timeseries_svg(
        lines,
        axis,
        (span.from_ms / 1000, span.to_ms / 1000),
        data.timing.step_ms / 1000,
        (width, height - legend_px),
        salt=f"panel-{panel.get('id')}",
    )
    legend = _legend([(ln.name, ln.color, ln.dashed) for ln in lines]) if legend_on else ""
    return f'{_errors(data)}<div class="chart" data-series="{len(lines)}">{svg}</div>{legend}'


def _number(value: Any) -> float | None:
    return None if value is None else float(value)


def stat(panel: dict[str, Any], data: PanelData, span: TimeRange) -> str:
    defaults = _defaults(panel)
    options = dict(panel.get("options") or {})
    series = data.series
    if not series:
        return _errors(data) + no_data(defaults)
    every = [v for _, s, _ in series for v in s.values if not math.isnan(v)]
    value_range = (min(every, default=0.0), max(every, default=0.0))
    calcs = stat_calcs(options)
    items = []
    for _, s, name in series:
        for calc in calcs:
            try:
                value = reduce(s.values, calc)
            except ValueError as exc:
                return f'<div class="qerror">{escape(str(exc))}</div>'
            items.append((s, name, value, display(value, defaults, value_range)))
    width, height = body_size(panel)
    per_row = len(items) if width >= height else 1
    cell_w, cell_h = width // per_row, height // math.ceil(len(items) / per_row)
    mode = options.get("colorMode", "value")
    text_mode = options.get("textMode", "auto")
    show_name = text_mode in ("value_and_name", "name") or (text_mode == "auto" and len(items) > 1)
    out = []
    for index, (s, name, value, shown) in enumerate(items):
        text = shown.text or NO_DATA if value is None and not shown.text else shown.text
        size = max(
            10,
            min(
                int(cell_h * (0.45 if show_name else 0.6)), int(cell_w / (0.62 * max(len(text), 1)))
            ),
        )
        style = f"background:{shown.color};color:#fff" if mode == "background" else ""
        value_style = f"color:{shown.color}" if mode == "value" else ""
        spark = ""
        if options.get("graphMode") == "area" and len(s.times) > 1:
            line = Line(name, shown.color, s.times, s.values)
            svg = sparkline_svg(line, (span.from_ms / 1000, span.to_ms / 1000),
                                data.timing.step_ms / 1000, (cell_w, cell_h // 2),
                                salt=f"panel-{panel.get('id')}-{index}")  # fmt: skip
            spark = f'<div class="spark">{svg}</div>'
        label = f'<div class="sname">{escape(name)}</div>' if show_name else ""
        raw = "" if value is None else repr(value)
        out.append(
            f'<div class="stat" data-value="{raw}" data-color="{shown.color}" '
            f'style="width:{cell_w}px;height:{cell_h}px;{style}">{spark}{label}'
            f'<div class="sval" style="font-size:{size}px;{value_style}">{escape(text)}</div></div>'
        )
    return f'{_errors(data)}<div class="stats">{"".join(out)}</div>'


def _states(s: Series, step: float, end: float) -> list[tuple[float, float, float]]:
    """(start, end, value) boxes, merged while the value stays; a gap or null ends one."""
    boxes: list[list[float]] = []
    for i, (t, v) in enumerate(zip(s.times, s.values, strict=True)):
        gap = i and t - s.times[i - 1] > step * 1.001
        if boxes and gap:
            boxes[-1][1] = min(boxes[-1][1], s.times[i - 1] + step)
        if math.isnan(v):  # a null ends the box and draws nothing
            if boxes and boxes[-1][1] > t:
                boxes[-1][1] = t
            continue
        if boxes and not gap and boxes[-1][2] == v and boxes[-1][1] >= t:
            boxes[-1][1] = end
            continue
        if boxes and boxes[-1][1] > t:
            boxes[-1][1] = t
        boxes.append([t, end, v])
    return [(a, b, c) for a, b, c in boxes]


def _by_index(item: tuple[str, Any]) -> int:
    return int(item[1].get("index", 0)) if isinstance(item[1], dict) else 0


def state_timeline(panel: dict[str, Any], data: PanelData, span: TimeRange) -> str:
    defaults = _defaults(panel)
    series = data.series
    if not series:
        return _errors(data) + no_data(defaults)
    step = data.timing.step_ms / 1000
    end = span.to_ms / 1000
    lanes = []
    for _, s, name in series:
        boxes = [(a, b, display(v, defaults).color) for a, b, v in _states(s, step, end)]
        lanes.append(Lane(name, boxes))
    width, height = body_size(panel)
    mapped = [
        (str(result.get("text", key)), color(str(result.get("color"))), False)
        for mapping in defaults.get("mappings") or []
        if mapping.get("type") == "value"
        for key, result in sorted((mapping.get("options") or {}).items(), key=_by_index)
    ]
    legend_px = LEGEND_ROW if mapped else 0
    svg = timeline_svg(lanes, (span.from_ms / 1000, end), (width, height - legend_px),
                       salt=f"panel-{panel.get('id')}")  # fmt: skip
    return f'{_errors(data)}<div class="chart" data-lanes="{len(lanes)}">{svg}</div>' + (
        _legend(mapped) if mapped else ""
    )


def table_frame(data: PanelData) -> tuple[list[str], list[list[Any]]]:
    """`transformDFToTable`: [Time, labels…, Value] (Value #refId with several queries), one
    row per series and sample."""
    several = len(data.targets) > 1
    labels: list[str] = []
    for _, s, _ in data.series:
        for key in sorted(s.labels):
            if key not in labels:
                labels.append(key)
    values = [f"Value #{t.ref_id}" if several else "Value" for t in data.targets]
    columns = ["Time", *labels, *dict.fromkeys(values)]
    rows = []
    for target, s, _ in data.series:
        column = f"Value #{target.ref_id}" if several else "Value"
        for t, v in zip(s.times, s.values, strict=True):
            row: dict[str, Any] = {"Time": t, column: v} | {k: s.labels.get(k, "") for k in labels}
            rows.append([row.get(c) for c in columns])
    rows.sort(key=lambda r: float(r[0] or 0))  # Python's sort is stable: series order kept per time
    return columns, rows


def organize(
    columns: list[str], rows: list[list[Any]], options: dict[str, Any]
) -> tuple[list[str], list[list[Any]]]:
    """The organize transformation: exclude, order (unlisted last, stable), rename."""
    excluded = options.get("excludeByName") or {}
    index = options.get("indexByName") or {}
    keep = [i for i, c in enumerate(columns) if not excluded.get(c)]
    keep.sort(key=lambda i: index.get(columns[i], 2**53 - 1))
    renamed = options.get("renameByName") or {}
    return [renamed.get(columns[i]) or columns[i] for i in keep], [
        [r[i] for i in keep] for r in rows
    ]


def sort_by(
    columns: list[str], rows: list[list[Any]], fields: list[dict[str, Any]]
) -> list[list[Any]]:
    """The sortBy transformation and the table's own `sortBy` option (first field)."""
    for spec in fields[:1]:
        name = spec.get("field") or spec.get("displayName")
        if name in columns:
            at = columns.index(name)
            rows = sorted(
                rows, key=lambda r: (r[at] is None, r[at]), reverse=bool(spec.get("desc"))
            )
    return rows


def table(panel: dict[str, Any], data: PanelData, span: TimeRange) -> str:
    defaults = _defaults(panel)
    if not data.series:
        return _errors(data) + no_data(defaults)
    columns, rows = table_frame(data)
    names = list(columns)
    for transformation in panel.get("transformations") or []:
        if transformation.get("disabled"):
            continue
        kind, options = transformation.get("id"), transformation.get("options") or {}
        if kind == "organize":
            columns, rows = organize(columns, rows, options)
            names = columns
        elif kind == "sortBy":
            rows = sort_by(columns, rows, list(options.get("sort") or []))
    rows = sort_by(columns, rows, list((panel.get("options") or {}).get("sortBy") or []))
    head = "".join(f"<th>{escape(c)}</th>" for c in names)
    body = []
    for row in rows:
        cells = []
        for name, cell in zip(names, row, strict=True):
            cells.append(_cell(panel, name, cell, defaults))
        body.append(f"<tr>{''.join(cells)}</tr>")
    return (
        f'{_errors(data)}<table class="rows" data-rows="{len(rows)}"><thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(body)}</tbody></table>"
    )


def _cell(panel: dict[str, Any], name: str, cell: Any, defaults: dict[str, Any]) -> str:
    if isinstance(cell, float) and name == "Time":
        text = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(cell))
        return f"<td>{text}</td>"
    if not isinstance(cell, float):
        return f"<td>{escape(str(cell if cell is not None else ''))}</td>"
    shown = display(cell, defaults)
    cell_type = ""
    for override in (panel.get("fieldConfig") or {}).get("overrides") or []:
        if (override.get("matcher") or {}).get("options") == name:
            for prop in override.get("properties") or []:
                if prop.get("id") == "custom.cellOptions":
                    cell_type = str((prop.get("value") or {}).get("type", ""))
    style = (
        f' style="background:{shown.color};color:#fff"' if cell_type == "color-background" else ""
    )
    if cell_type == "color-text":
        style = f' style="color:{shown.color}"'
    return f'<td data-value="{cell!r}"{style}>{escape(shown.text)}</td>'


DRAWN = {"timeseries": timeseries, "stat": stat, "state-timeline": state_timeline, "table": table}

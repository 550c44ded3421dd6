"""schemaVersion 16: pre-v16 `rows` become panels placed on the 24-column grid.

Grafana's step (`schemaversion/v16.go`, `upgradeToGridLayout`, the port of the frontend's
`DashboardMigrator.upgradeToGridLayout`), reproduced placement for placement:

- No `rows` key, or `rows` not a list: nothing changes (a `rows: null` stays). An empty list:
  `rows` is removed and the panels already there are kept as they are.
- Row panels are made for *every* row as soon as one row is collapsed (`collapse: true`),
  titled (`showTitle: true`) or repeated (a non-empty string `repeat`); otherwise no row gets
  one and the rows' panels are simply laid out one row after another (an untitled row leaves
  no trace but its panels' places).
- A row with a non-null `repeatIteration` is a copy a repeat made: dropped with its panels, and
  it takes no room. A row or a panel that is not an object is dropped (Grafana skips it, and
  `rows` is removed).
- Ids: the next free id is one more than the highest `id` of the top-level panels and of every
  row's panels. Row by row, each panel without an `id` key gets the next one, then the row's
  row panel gets the next.
- A row's height is its `height` (a number, or a string such as `"250px"`), else 250 px; in grid
  cells `ceil(max(px, 90) / 38)` (250 px → 7). A panel's own `height` gives its `h` the same
  way (and stays on the panel), else it takes the row's. Its width is `floor(span) * 2`, `span`
  being a number or numeric string, 4 when missing, zero or unreadable. A `minSpan` above 0
  becomes `min(24, int(2 * minSpan))`; `span` is removed.
- The row panel (`type: row`, `title` and `repeat` as strings, `""` when not strings,
  `collapsed` only when the row had a `collapse` key, `panels: []`) sits at the running `y`
  with the row's height and full width, and moves `y` down by one. The row's panels are placed
  in order by Grafana's `RowArea`: scanning the 24 columns from the right for the widest run of
  free columns whose filled height does not grow to the left, the panel goes at the run's left
  end, below the tallest panel in it; when it does not fit, the area wraps one row height down
  and empties. A panel taller than its row can overlap the next row, as in Grafana.
- Panels of a collapsed row (with row panels) go into the row panel's `panels` and the row
  takes only its one-cell header; other panels go to the top level. Each row's row panel comes
  *after* that row's panels in `panels`, and `y` then moves down by the row's height.

Where Grafana itself fails: a panel wider than 24 columns (`span` 13 and up) never fits, so
Grafana's placement recurses until it crashes; here that is an `Unmigratable` at the panel's
`span`.

Knowingly different: when there were no top-level `panels` and no row yields a panel, Grafana's
Go code writes `panels: null` (a nil slice); this writes `[]`, which every later step and
Grafana's load defaults read the same way. Strings such as `"NaN"`, `"Inf"` or hexadecimal
floats, which Go's `ParseFloat` reads, are not taken as numbers here (no real dashboard has
them as a height or span).
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

from . import Dashboard, StepContext, Unmigratable, panel_name, step

GRID_COLUMNS = 24
WIDTH_FACTOR = GRID_COLUMNS // 12  # the old layout had 12 columns
DEFAULT_SPAN = 4.0
DEFAULT_ROW_HEIGHT = 250.0
MIN_PANEL_HEIGHT = 90.0  # three 30 px cells
PANEL_HEIGHT_STEP = 38.0  # a 30 px cell and its 8 px margin

_DECIMAL = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")


@step(16)
def v16(dashboard: Dashboard, ctx: StepContext) -> None:
    rows = dashboard.get("rows")
    if not isinstance(rows, list):
        return
    if not rows:
        del dashboard["rows"]
        ctx.log("empty `rows` removed")
        return
    layout = _GridLayout(_max_panel_id(dashboard, rows) + 1, _shows_row_panels(rows))
    if not layout.row_panels:
        ctx.log("no row is collapsed, titled or repeated: rows get no row panels")
    existing = dashboard.get("panels")
    panels = list(existing) if isinstance(existing, list) else []
    for index, row in enumerate(rows):
        panels += layout.convert_row(index, row, ctx)
    dashboard["panels"] = panels
    del dashboard["rows"]
    ctx.log(f"`rows` removed: {len(rows)} rows laid out on the 24-column grid")


def grafana_number(value: Any) -> float | None:
    """A number as Grafana's `ConvertToFloat` reads one: a JSON number, or a string of a decimal
    number with an optional `px` suffix (`"250px"`); anything else (booleans too) is None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        text = value.removesuffix("px")
        value = float(text) if _DECIMAL.fullmatch(text) else None
    if isinstance(value, int) and abs(value) < 2**1023:  # beyond, not a float: as Go overflows
        return float(value)
    if isinstance(value, float) and math.isfinite(value):
        return value
    return None


def grid_height(pixels: float) -> int:
    """Grafana's `getGridHeight`: pixels to grid cells, at least three."""
    return math.ceil(max(pixels, MIN_PANEL_HEIGHT) / PANEL_HEIGHT_STEP)


def _grafana_int(value: Any) -> int:
    """`GetIntValue(…, 0)`: a JSON number truncated, anything else 0."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return 0
    return value if isinstance(value, int) else int(value) if math.isfinite(value) else 0


def _max_panel_id(dashboard: Dashboard, rows: list[Any]) -> int:
    panels = dashboard.get("panels")
    candidates = list(panels) if isinstance(panels, list) else []
    for row in rows:
        row_panels = row.get("panels") if isinstance(row, dict) else None
        candidates += row_panels if isinstance(row_panels, list) else []
    ids = [_grafana_int(p.get("id")) for p in candidates if isinstance(p, dict)]
    return max([0, *ids])


def _shows_row_panels(rows: list[Any]) -> bool:
    """Grafana adds row panels to every row when one row is collapsed, titled or repeated."""
    return any(
        isinstance(row, dict)
        and (
            row.get("collapse") is True
            or row.get("showTitle") is True
            or (isinstance(row.get("repeat"), str) and row["repeat"] != "")
        )
        for row in rows
    )


def _string(row: dict[str, Any], key: str) -> str:
    value = row.get(key)
    return value if isinstance(value, str) else ""


class _RowArea:
    """Grafana's `RowArea`: how far down each of the 24 columns one row is filled."""

    def __init__(self, height: int, y: int) -> None:
        self.height = height
        self.y = y
        self.filled = [0] * GRID_COLUMNS

    def place(self, width: int) -> tuple[int, int]:
        """`(x, y)` for a panel `width` columns wide, wrapping one row down when it does not
        fit; the caller never asks for more than the grid's width, which always fits once the
        area is empty."""
        position = self._free_run(width)
        if position is None:
            self.y += self.height
            self.filled = [0] * GRID_COLUMNS
            position = self._free_run(width)
        if position is None:  # unreachable for width <= 24: an empty area has room
            raise AssertionError(f"no room for a panel {width} columns wide")
        return position

    def _free_run(self, width: int) -> tuple[int, int] | None:
        start, end, found = 0, 0, False
        for i in range(GRID_COLUMNS - 1, -1, -1):
            if self.height - self.filled[i] <= 0:
                break
            if not found:
                end, found = i, True
            elif i < GRID_COLUMNS - 1 and self.filled[i] <= self.filled[i + 1]:
                start = i
            else:
                break
        if not found or end - start < width - 1:
            return None
        return start, max([0, *self.filled[start : end + 1]])

    def add(self, x: int, y: int, width: int, height: int) -> None:
        for i in range(x, min(x + width, GRID_COLUMNS)):
            self.filled[i] = max(self.filled[i], y + height - self.y)


class _GridLayout:
    """The running state of the conversion: the next free id and the next free `y`."""

    def __init__(self, next_id: int, row_panels: bool) -> None:
        self.next_id = next_id
        self.row_panels = row_panels
        self.y = 0

    def convert_row(self, index: int, row: Any, ctx: StepContext) -> list[dict[str, Any]]:
        """The top-level panels one old row becomes, in Grafana's order."""
        if not isinstance(row, dict):
            ctx.log("row is not an object: dropped", f"/rows/{index}")
            return []
        name = _string(row, "title") or f"/rows/{index}"
        if row.get("repeatIteration") is not None:
            ctx.log("row copy made by a repeat (`repeatIteration`): dropped with its panels", name)
            return []
        row_height = grid_height(_row_pixels(row))
        collapsed = row.get("collapse") is True
        panels = self._row_panels(index, row, ctx)
        for pointer, panel in panels:
            if "id" not in panel:
                panel["id"] = self._take_id()
                ctx.log(f"no `id`: given {panel['id']}", panel_name(pointer, panel))
        row_panel = self._row_panel(row, row_height, collapsed, name, ctx)
        area = _RowArea(row_height, self.y)
        out: list[dict[str, Any]] = []
        for pointer, panel in panels:
            self._place(pointer, panel, area, row_height, ctx)
            if row_panel is not None and collapsed:
                row_panel["panels"].append(panel)
            else:
                out.append(panel)
        if row_panel is not None:
            out.append(row_panel)
        if row_panel is None or not collapsed:
            self.y += row_height
        return out

    def _row_panels(
        self, index: int, row: dict[str, Any], ctx: StepContext
    ) -> list[tuple[str, dict[str, Any]]]:
        panels = row.get("panels")
        out = []
        for j, panel in enumerate(panels if isinstance(panels, list) else []):
            if isinstance(panel, dict):
                out.append((f"/rows/{index}/panels/{j}", panel))
            else:
                ctx.log("panel is not an object: dropped", f"/rows/{index}/panels/{j}")
        return out

    def _take_id(self) -> int:
        self.next_id += 1
        return self.next_id - 1

    def _row_panel(
        self, row: dict[str, Any], height: int, collapsed: bool, name: str, ctx: StepContext
    ) -> dict[str, Any] | None:
        if not self.row_panels:
            return None
        row_panel: dict[str, Any] = {
            "type": "row",
            "title": _string(row, "title"),
            "id": self._take_id(),
            "gridPos": {"h": height, "w": GRID_COLUMNS, "x": 0, "y": self.y},
            "repeat": _string(row, "repeat"),
            "panels": [],
        }
        if "collapse" in row:
            row_panel["collapsed"] = collapsed
        state = "collapsed: its panels go inside" if collapsed else "expanded"
        ctx.log(f"row → row panel id {row_panel['id']} at y {self.y}, h {height} ({state})", name)
        self.y += 1
        return row_panel

    def _place(
        self,
        pointer: str,
        panel: dict[str, Any],
        area: _RowArea,
        row_height: int,
        ctx: StepContext,
    ) -> None:
        span = grafana_number(panel.get("span")) or DEFAULT_SPAN
        width = int(math.floor(span) * WIDTH_FACTOR)
        if width > GRID_COLUMNS:
            raise Unmigratable(
                f"{pointer}/span",
                f"span {_shown(panel.get('span'))} is {width} columns wide, more than the grid's "
                f"{GRID_COLUMNS}: Grafana's layout never finds room for it",
            )
        self._convert_min_span(pointer, panel, ctx)
        own_height = grafana_number(panel["height"]) if "height" in panel else None
        height = row_height if own_height is None else grid_height(own_height)
        x, y_in_area = area.place(width)
        self.y = area.y
        grid_pos = {"h": height, "w": width, "x": x, "y": self.y + y_in_area}
        panel["gridPos"] = grid_pos
        area.add(grid_pos["x"], grid_pos["y"], width, height)
        span_shown = _shown(panel.pop("span")) if "span" in panel else "missing"
        from_height = "its own `height`" if own_height is not None else "the row's height"
        ctx.log(
            f"`span` {span_shown} → gridPos x {x}, y {grid_pos['y']}, w {width}, h {height} "
            f"({from_height})",
            panel_name(pointer, panel),
        )

    @staticmethod
    def _convert_min_span(pointer: str, panel: dict[str, Any], ctx: StepContext) -> None:
        if "minSpan" not in panel:
            return
        min_span = grafana_number(panel["minSpan"])
        if min_span is not None and min_span > 0:
            converted = int(min(GRID_COLUMNS, WIDTH_FACTOR * min_span))
            ctx.log(
                f"`minSpan` {_shown(panel['minSpan'])} → {converted} (24 columns)",
                panel_name(pointer, panel),
            )
            panel["minSpan"] = converted


def _row_pixels(row: dict[str, Any]) -> float:
    height = grafana_number(row["height"]) if "height" in row else None
    return DEFAULT_ROW_HEIGHT if height is None else height


def _shown(value: Any) -> str:
    return json.dumps(value)

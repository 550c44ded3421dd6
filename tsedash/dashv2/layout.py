"""The dashboard's layout as Grafana's conversion lays it out
(transformPanelsToElementsAndLayout): a `RowsLayout` when any panel is a row (panels above the
first row in a row with its header hidden), otherwise one `GridLayout`; each panel a grid item,
its `y` counted from its row's."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from tsedash.dashv2.context import NOTHING, V1_V2, Context
from tsedash.dashv2.jsonread import get_bool, get_int, get_str, short
from tsedash.dashv2.panels import element
from tsedash.sdk import dashboardv2_b as b

GRID_ROW_HEIGHT = 1
DEFAULT_GRID = {"x": 0, "y": 0, "w": 6, "h": 3}  # buildGridItemKind: PanelModel's defaults
ROW_KEYS = {"type", "title", "collapsed", "repeat", "gridPos", "panels", "id"}


@dataclass
class _Row:
    title: str
    collapse: bool
    hide_header: bool = False
    repeat: str = ""
    items: list[b.GridItem] = field(default_factory=list)

    def build(self) -> b.Row:
        row = b.Row().title(self.title).collapse(self.collapse)
        if self.hide_header:
            row.hide_header(True)
        if self.repeat:
            row.repeat(b.RowRepeatOptions().value(self.repeat))
        grid = b.Grid()
        for item in self.items:
            grid.item(item)
        return row.layout(grid)


def elements_and_layout(ctx: Context, model: dict[str, Any]) -> tuple[dict[str, Any], Any]:
    """transformPanelsToElementsAndLayout: rows when any panel is a row, else one grid."""
    panels = model.get("panels")
    if not isinstance(panels, list):
        return {}, b.Grid()
    items: list[tuple[int, dict[str, Any]]] = []
    for i, panel in enumerate(panels):
        if isinstance(panel, dict):
            items.append((i, panel))
        else:
            ctx.dropped(f"/panels/{i}", f"panel {short(panel)}: not an object", V1_V2)
    elements: dict[str, Any] = {}
    if not any(get_str(p, "type") == "row" for _, p in items):
        grid = b.Grid()
        for i, panel in items:
            name = element(ctx, panel, f"/panels/{i}", elements)
            grid.item(_grid_item(ctx, panel, name, f"/panels/{i}", -1, None))
        return elements, grid
    return elements, _rows(ctx, items, elements)


def _rows(
    ctx: Context, items: list[tuple[int, dict[str, Any]]], elements: dict[str, Any]
) -> b.Rows:
    """convertToRowsLayout, with each row's panels placed relative to its header."""
    rows: list[_Row] = []
    current: _Row | None = None
    row_y = 0  # legacyRowY: kept from the previous row when a row has no gridPos
    for i, panel in items:
        pointer = f"/panels/{i}"
        if get_str(panel, "type") != "row":
            name = element(ctx, panel, pointer, elements)
            if current is None:  # panels above the first row: a row without a header
                row_y = -1
                current = _Row("", False, hide_header=True)
                current.items.append(_grid_item(ctx, panel, name, pointer, row_y, 0))
            else:
                current.items.append(_grid_item(ctx, panel, name, pointer, row_y, None))
            continue
        pos = panel.get("gridPos")
        if isinstance(pos, dict):
            row_y = get_int(pos, "y")
        elif row_y != 0:  # the read-back counts a row without gridPos at y 0
            ctx.changed(
                f"{pointer}/gridPos", {"h": 1, "w": 24, "x": 0, "y": row_y},
                f"a row without gridPos: its panels are placed below the row before it "
                f"(y {row_y})", f"{V1_V2} convertToRowsLayout", inert=True,
            )  # fmt: skip
        if current is not None:
            rows.append(current)
        current = _row(ctx, panel, pointer)
        nested = panel.get("panels")
        for j, inner in enumerate(nested if isinstance(nested, list) else []):
            where = f"{pointer}/panels/{j}"
            if not isinstance(inner, dict):
                ctx.dropped(where, f"panel {short(inner)}: not an object", V1_V2)
                continue
            name = element(ctx, inner, where, elements)
            current.items.append(_grid_item(ctx, inner, name, where, row_y, None))
    if current is not None:
        rows.append(current)
    out = b.Rows()
    for row in rows:
        out.row(row.build())
    return out


def _row(ctx: Context, panel: dict[str, Any], pointer: str) -> _Row:
    """buildRowKind: title, collapse and repeat; nothing else of a row panel is kept."""
    where = f"{V1_V2} buildRowKind"
    ctx.unread(panel, ROW_KEYS, pointer, "row", where)
    if "title" in panel and not isinstance(panel["title"], str):
        ctx.changed(f"{pointer}/title", "", f"row title {short(panel['title'])}", where)
    if "repeat" in panel and not isinstance(panel["repeat"], str):
        ctx.dropped(f"{pointer}/repeat", f"row repeat {short(panel['repeat'])}", where)
    if "collapsed" in panel and not isinstance(panel["collapsed"], bool):
        ctx.changed(f"{pointer}/collapsed", False, "a collapsed flag that is no bool", where)
    if panel.get("repeat") == "":
        ctx.dropped(f"{pointer}/repeat", "an empty repeat", where, inert=True)
    return _Row(
        get_str(panel, "title"), get_bool(panel, "collapsed"), repeat=get_str(panel, "repeat")
    )


def _grid_item(
    ctx: Context, panel: dict[str, Any], name: str, pointer: str, row_y: int, y_override: int | None
) -> b.GridItem:
    """buildGridItemKind; `row_y` is the row's legacy y (-1 for no row), the panel's y
    inside its row yOffsetInRows (0 without a gridPos) unless `y_override` says."""
    where = f"{V1_V2} buildGridItemKind"
    pos = panel.get("gridPos")
    if isinstance(pos, dict):
        x, y, w, h = (get_int(pos, k, DEFAULT_GRID[k]) for k in ("x", "y", "w", "h"))
        relative = y - row_y - GRID_ROW_HEIGHT
        for key, value in (("x", x), ("w", w), ("h", h)):
            if pos.get(key) != value:
                ctx.changed(f"{pointer}/gridPos/{key}", value, f"gridPos {key}", where)
    else:
        x, relative, w, h = 0, 0, DEFAULT_GRID["w"], DEFAULT_GRID["h"]
        ctx.changed(
            f"{pointer}/gridPos", {"h": h, "w": w, "x": x, "y": row_y + GRID_ROW_HEIGHT},
            "a panel without gridPos: Grafana's default size, at the top of its row",
            where,
        )  # fmt: skip
    if y_override is not None:
        relative = y_override
    if isinstance(pos, dict) and pos.get("y") != relative + row_y + GRID_ROW_HEIGHT:
        ctx.changed(
            f"{pointer}/gridPos/y", relative + row_y + GRID_ROW_HEIGHT,
            "gridPos y (the first panel above the rows starts the grid, at y 0)"
            if y_override is not None else "gridPos y", where,
        )  # fmt: skip
    item = b.GridItem().name(name).x(x).y(relative).width(w).height(h)
    repeat = _repeat(ctx, panel, pointer)
    if repeat is not None:
        item.repeat(repeat)
    return item


def _repeat(ctx: Context, panel: dict[str, Any], pointer: str) -> b.RepeatOptions | None:
    """getRepeatOptionsFromPanel: a non-empty variable name, then h/v and maxPerRow > 0."""
    where = f"{V1_V2} getRepeatOptionsFromPanel"
    value = panel.get("repeat")
    if not isinstance(value, str) or not value:
        if "repeat" in panel:
            ctx.dropped(f"{pointer}/repeat", f"repeat {short(value)}", where, value in NOTHING)
        return None  # and without a repeat, its direction and maxPerRow mean nothing
    repeat = b.RepeatOptions().value(value)
    direction = panel.get("repeatDirection")
    if direction in ("h", "v"):
        repeat.direction(direction)
    elif "repeatDirection" in panel:
        detail = f"direction {short(direction)}"
        ctx.dropped(f"{pointer}/repeatDirection", detail, where, direction in NOTHING)
    per_row = panel.get("maxPerRow")
    if get_int(panel, "maxPerRow") > 0:
        repeat.max_per_row(get_int(panel, "maxPerRow"))
        if per_row != get_int(panel, "maxPerRow"):
            ctx.changed(f"{pointer}/maxPerRow", get_int(panel, "maxPerRow"), "maxPerRow", where)
    elif "maxPerRow" in panel:
        detail = f"maxPerRow {short(per_row)}: not above 0"
        ctx.dropped(f"{pointer}/maxPerRow", detail, where, per_row in NOTHING)
    return repeat

"""What Grafana fills in when it loads a dashboard, after the schema steps.

Not a schema step: Grafana applies these every time it opens a dashboard, whatever its
version. Read in grafana/grafana: the frontend's `PanelModel` (its `defaults`, `restoreModel`,
`ensureQueryIds`) and `DashboardModel` (`ensurePanelsHaveUniqueIds`, `sortPanelsByGridPos`),
which the backend mirrors for what it stores in `apps/dashboard/pkg/migration/frontend_defaults.go`
(`applyPanelDefaults`, `ensureQueryIds`, `ensurePanelsHaveUniqueIds`); the grid the dashboard is
drawn on (react-grid-layout's vertical compaction, which Grafana's grid uses); and the
datasource rules of schema step 36 (`v36.panel_datasources`), which are how a query without a
datasource, and a panel without one, are resolved when the queries run.

`apply_load_defaults(dashboard, ctx)`, in Grafana's order:

1. **Panel defaults** (every panel, including those in collapsed rows, which Grafana builds
   when it lays the row out): a missing or `null` `gridPos` is `{x: 0, y: 0, w: 6, h: 3}`, an
   object missing some of those keys gets them (lodash `defaultsDeep`), and so does a
   `fieldConfig` object missing `defaults` or `overrides`; a panel that is not a
   row and has no `targets` (missing or `null`) gets `[{refId: "A"}]`; queries without a
   `refId` get the first free letter (`A`…`Z`, then `AA`…).
2. **Unique ids** (top-level panels, each followed by its nested ones): a panel whose `id` is
   not a positive number, or repeats an earlier one, gets the next id above the largest.
3. **Datasources** (panels that are not rows and have queries): a panel without a datasource
   takes its queries' (the last query with a datasource `uid` other than `__expr__`), else
   the default datasource's reference; a query without a datasource takes the panel's, unless
   the panel is `-- Mixed --`; names become references (unknown ones kept as `{uid: name}`).
4. **Placement** (top-level panels): sorted by position (`y`, then `x`; equal positions keep
   their order); rows drawn as Grafana's grid draws them, full width and one unit high
   (`x 0, w 24, h 1`, what Grafana writes for a row when it saves); then compacted as the grid
   compacts them: each panel, in that order, moves up
   as far as the panels above it allow and down past any it overlaps (a panel pushed down
   pushes the ones below it). Panels that had no `gridPos` therefore stack at the top-left, in
   order, and a gap above a panel closes. The panels of a collapsed row are not placed here:
   Grafana places them below the row when the row is opened. Skipped, with a note, when a
   position is not made of numbers.

Knowingly left out: the dashboard-level defaults and clean-up Grafana applies when it saves
(`tsedash.grafana.stored`), and the per-plugin option defaults Grafana's panel plugins add when
they load (they depend on each plugin's code). Rows get no default query: Grafana gives them
one in memory and drops it again when it saves (it equals the default), and they run no query.

Changes are logged with `version` `LOAD_DEFAULTS` (0), which no schema step uses.
"""

from __future__ import annotations

import bisect
import json
from dataclasses import dataclass
from typing import Any

from . import Dashboard, StepContext, all_panels, panel_name, top_panels
from .datasources import index
from .v36 import panel_datasources

LOAD_DEFAULTS = 0  # the `Change.version` of what this module logs
GRID_COLUMNS = 24
DEFAULT_GRID_POS: dict[str, int] = {"x": 0, "y": 0, "w": 6, "h": 3}
FIELD_CONFIG_DEFAULTS: dict[str, dict[str, Any] | list[Any]] = {"defaults": {}, "overrides": []}
_LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def apply_load_defaults(dashboard: Dashboard, ctx: StepContext) -> None:
    """Fill in what Grafana fills in on load, in place, logging each change."""
    ctx.version = LOAD_DEFAULTS
    for pointer, panel in all_panels(dashboard):
        name = panel_name(pointer, panel)
        _grid_pos(panel, name, ctx)
        _field_config(panel, name, ctx)
        if panel.get("type") != "row":
            _default_query(panel, name, ctx)
            _ref_ids(panel, name, ctx)
    ensure_unique_ids(dashboard, ctx)
    idx = index(ctx)
    for pointer, panel in all_panels(dashboard):
        targets = panel.get("targets")
        if panel.get("type") != "row" and isinstance(targets, list) and targets:
            panel_datasources(panel, targets, idx, panel_name(pointer, panel), ctx)
    _place(dashboard, ctx)


def _grid_pos(panel: dict[str, Any], name: str, ctx: StepContext) -> None:
    grid = panel.get("gridPos")
    if grid is None:
        panel["gridPos"] = dict(DEFAULT_GRID_POS)
        ctx.log("no `gridPos`: the default x 0, y 0, w 6, h 3", name)
    elif isinstance(grid, dict):
        missing = [k for k in DEFAULT_GRID_POS if k not in grid]
        for key in missing:
            grid[key] = DEFAULT_GRID_POS[key]
        if missing:
            ctx.log(f"`gridPos` missing {', '.join(missing)}: the defaults", name)


def _field_config(panel: dict[str, Any], name: str, ctx: StepContext) -> None:
    """`fieldConfig` is `{defaults: {}, overrides: []}` by default (lodash `defaultsDeep`): a
    `fieldConfig` object lacks neither. A panel without one gets it in memory only (Grafana's
    save drops a value equal to the default), so it is not added here."""
    config = panel.get("fieldConfig")
    if not isinstance(config, dict):
        return
    missing = [key for key in FIELD_CONFIG_DEFAULTS if key not in config]
    for key in missing:
        config[key] = type(FIELD_CONFIG_DEFAULTS[key])()
    if missing:
        ctx.log(f"`fieldConfig` missing {', '.join(missing)}: the defaults", name)


def _default_query(panel: dict[str, Any], name: str, ctx: StepContext) -> None:
    if panel.get("targets") is None:
        panel["targets"] = [{"refId": "A"}]
        ctx.log("no `targets`: the default query `A`", name)


def ref_id(number: int) -> str:
    """The refId Grafana's `getNextRefIdChar` names the `number`-th (from 0): A…Z, AA…"""
    if number < len(_LETTERS):
        return _LETTERS[number]
    return ref_id(number // len(_LETTERS) - 1) + ref_id(number % len(_LETTERS))


def _ref_ids(panel: dict[str, Any], name: str, ctx: StepContext) -> None:
    targets = panel.get("targets")
    if not isinstance(targets, list):
        return
    for target in targets:
        if isinstance(target, dict) and not _js_truthy_string(target.get("refId")):
            used = {t.get("refId") for t in targets if isinstance(t, dict)}
            target["refId"] = next(ref_id(n) for n in range(len(used) + 1) if ref_id(n) not in used)
            ctx.log(f"query without `refId`: `{target['refId']}`", name)


def _js_truthy_string(value: Any) -> bool:
    """`!query.refId` is false: what JavaScript reads as a present refId."""
    if isinstance(value, str):
        return value != ""
    return value is not None and value is not False and value != 0


def ensure_unique_ids(dashboard: Dashboard, ctx: StepContext) -> None:
    """`ensurePanelsHaveUniqueIds` (the frontend's, and the backend's when it saves)."""
    panels = all_panels(dashboard)
    ids = [_positive_id(p) for _, p in panels]
    next_id = int(max([i for i in ids if i is not None], default=0)) + 1
    seen: set[float] = set()
    for (pointer, panel), number in zip(panels, ids, strict=True):
        if number is not None and number not in seen:
            seen.add(number)
            continue
        if number is not None:
            was = f"`id` {json.dumps(panel['id'])} repeats an earlier panel's"
        elif "id" in panel:
            was = f"`id` {json.dumps(panel['id'])} is not a positive number"
        else:
            was = "no `id`"
        panel["id"] = next_id
        ctx.log(f"{was}: → {next_id}", panel_name(pointer, panel))
        next_id += 1


def _positive_id(panel: dict[str, Any]) -> float | None:
    value = panel.get("id")
    if isinstance(value, bool) or not isinstance(value, int | float) or not value > 0:
        return None
    return value


# -- placement ------------------------------------------------------------------------------


def _place(dashboard: Dashboard, ctx: StepContext) -> None:
    panels = top_panels(dashboard)
    if not panels or not isinstance(dashboard.get("panels"), list):
        return
    if any(not _numeric_grid(p) for _, p in panels) or len(panels) != len(dashboard["panels"]):
        ctx.log("panels not placed: a `gridPos` (or a panel) is not made of numbers")
        return
    order = sorted(range(len(panels)), key=lambda i: _position(panels[i][1]))
    if order != list(range(len(panels))):
        dashboard["panels"] = [panels[i][1] for i in order]
        ctx.log("panels ordered by position (y, then x), as Grafana orders them")
    ordered = [panels[j] for j in order]
    placed = compact([_Item(i, _grid_cell(p)) for i, (_, p) in enumerate(ordered)])
    for item, (pointer, panel) in zip(placed, ordered, strict=True):
        grid = panel["gridPos"]
        new = {key: item.grid[key] for key in ("x", "y", "w", "h")}
        old = {key: grid[key] for key in ("x", "y", "w", "h")}
        if new != old:
            grid.update(new)
            ctx.log(f"placed at {_cell(new)}; was {_cell(old)}", panel_name(pointer, panel))


def _grid_cell(panel: dict[str, Any]) -> dict[str, Any]:
    """The panel's cell on Grafana's grid: a row is always drawn full width, one unit high."""
    grid = panel["gridPos"]
    if panel.get("type") == "row":
        return {"x": 0, "y": grid["y"], "w": GRID_COLUMNS, "h": 1}
    return {key: grid[key] for key in ("x", "y", "w", "h")}


def _cell(grid: dict[str, Any]) -> str:
    return f"x {grid['x']}, y {grid['y']} (w {grid['w']}, h {grid['h']})"


def _numeric_grid(panel: dict[str, Any]) -> bool:
    grid = panel.get("gridPos")
    return isinstance(grid, dict) and all(
        not isinstance(grid.get(k), bool) and isinstance(grid.get(k), int | float)
        for k in ("x", "y", "w", "h")
    )


def _position(panel: dict[str, Any]) -> tuple[float, float]:
    grid = panel["gridPos"]
    return (grid["y"], grid["x"])


@dataclass
class _Item:
    """A panel on the grid, as react-grid-layout's layout item (`i` is its key)."""

    i: int
    grid: dict[str, Any]


def _collides(a: _Item, b: _Item) -> bool:
    if a.i == b.i:
        return False
    g, h = a.grid, b.grid
    return not (
        g["x"] + g["w"] <= h["x"]
        or g["x"] >= h["x"] + h["w"]
        or g["y"] + g["h"] <= h["y"]
        or g["y"] >= h["y"] + h["h"]
    )


def compact(items: list[_Item]) -> list[_Item]:
    """react-grid-layout's vertical `compact` of items already sorted by (y, x): each item, in
    order, moves up until it would overlap one already placed, then down past every overlap;
    moving down, it pushes the later items it lands on further down
    (`resolveCompactionCollision`)."""
    for item in items:
        _correct_bounds(item.grid)
    if all(_whole_cell(item.grid) for item in items):
        return _compact_on_columns(items)
    return compact_by_pairs(items)


def compact_by_pairs(items: list[_Item]) -> list[_Item]:
    """`compact` as react-grid-layout writes it, comparing each item with every one placed
    (layouts with fractional positions; the reference `_compact_on_columns` must equal)."""
    placed: list[_Item] = []
    for item in items:
        grid = item.grid
        grid["y"] = min(_bottom(placed), grid["y"])
        while grid["y"] > 0 and not _first_collision(placed, item):
            grid["y"] -= 1
        while (other := _first_collision(placed, item)) is not None:
            _push_down(items, item, other.grid["y"] + other.grid["h"])
        grid["y"] = max(grid["y"], 0)
        grid["x"] = max(grid["x"], 0)
        placed.append(item)
    return items


def _whole_cell(grid: dict[str, Any]) -> bool:
    """Whole grid cells at or below the top, at least one cell wide and high: every real
    layout, for which `_compact_on_columns` gives the same result faster."""
    values = [grid[k] for k in ("x", "y", "w", "h")]
    return (
        all(isinstance(v, int) and not isinstance(v, bool) for v in values)
        and grid["y"] >= 0
        and grid["w"] >= 1
        and grid["h"] >= 1
    )


class _Columns:
    """The placed items of each grid column as sorted, disjoint runs `(top, bottom, order)`:
    placed items never overlap, so in one column the run with the largest top below a line is
    also the one reaching lowest. Each question looks only at the runs it meets, so a layout of
    n panels compacts in O(n log n) instead of comparing every pair (50,000 panels)."""

    def __init__(self) -> None:
        self.tops: dict[int, list[int]] = {}
        self.runs: dict[int, list[tuple[int, int, int]]] = {}

    def add(self, grid: dict[str, Any], order: int) -> None:
        for column in range(grid["x"], grid["x"] + grid["w"]):
            tops = self.tops.setdefault(column, [])
            at = bisect.bisect_left(tops, grid["y"])
            tops.insert(at, grid["y"])
            self.runs.setdefault(column, []).insert(at, (grid["y"], grid["y"] + grid["h"], order))

    def lowest_above(self, grid: dict[str, Any], line: int) -> int | None:
        """The lowest bottom of the runs in the item's columns that start above `line`."""
        found = None
        for column in range(grid["x"], grid["x"] + grid["w"]):
            at = bisect.bisect_left(self.tops.get(column, []), line)
            if at:
                bottom = self.runs[column][at - 1][1]
                found = bottom if found is None or bottom > found else found
        return found

    def first_collision(self, grid: dict[str, Any]) -> tuple[int, int] | None:
        """(order, bottom) of the earliest placed item the item overlaps, or None."""
        top, bottom = grid["y"], grid["y"] + grid["h"]
        found = None
        for column in range(grid["x"], grid["x"] + grid["w"]):
            runs = self.runs.get(column, [])
            at = bisect.bisect_left(self.tops.get(column, []), bottom) - 1
            while at >= 0 and runs[at][1] > top:
                if found is None or runs[at][2] < found[0]:
                    found = (runs[at][2], runs[at][1])
                at -= 1
        return found


def _compact_on_columns(items: list[_Item]) -> list[_Item]:
    """`compact` for whole-cell layouts: the same moves, each found through `_Columns`."""
    columns = _Columns()
    lowest = 0  # the bottom of the layout placed so far
    position = {item.i: n for n, item in enumerate(items)}
    for order, item in enumerate(items):
        grid = item.grid
        start = grid["y"] = min(lowest, grid["y"])
        if start > 0:  # up while nothing is in the way: to just below the lowest run above
            above = columns.lowest_above(grid, start + grid["h"])
            grid["y"] = 0 if above is None else min(start, above - 1)
        while (hit := columns.first_collision(grid)) is not None:
            _push_down(items, item, hit[1], position)
        columns.add(grid, order)
        lowest = max(lowest, grid["y"] + grid["h"])
    return items


def _correct_bounds(grid: dict[str, Any]) -> None:
    """Keep the item inside the 24 columns (react-grid-layout's `correctBounds`)."""
    if grid["x"] + grid["w"] > GRID_COLUMNS:
        grid["x"] = GRID_COLUMNS - grid["w"]
    if grid["x"] < 0:
        grid["x"] = 0
        grid["w"] = GRID_COLUMNS


def _bottom(placed: list[_Item]) -> float:
    return max((p.grid["y"] + p.grid["h"] for p in placed), default=0)


def _first_collision(placed: list[_Item], item: _Item) -> _Item | None:
    return next((p for p in placed if _collides(p, item)), None)


def _push_down(
    items: list[_Item], item: _Item, to: float, position: dict[int, int] | None = None
) -> None:
    """`resolveCompactionCollision` on the y axis: move `item` to `to`, first pushing the
    later items it would then overlap to just below it."""
    item.grid["y"] += 1
    if position is not None:
        start = position[item.i] + 1
    else:
        start = next(n for n, other in enumerate(items) if other.i == item.i) + 1
    for n in range(start, len(items)):
        other = items[n]
        if other.grid["y"] > item.grid["y"] + item.grid["h"]:
            break
        if _collides(item, other):
            _push_down(items, other, to + item.grid["h"], position)
    item.grid["y"] = to

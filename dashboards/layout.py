"""Places panels on Grafana's 24-column grid, left to right, with stable panel ids.

Rows are expanded (`collapsed: false`, `panels: []`) and their children follow them at top
level, as Grafana requires; a collapsed row keeps its children inside (placed as they will be
when it is opened) and only another row may follow it. Ids count up in layout order, so the same
registry always gives the same ids.
"""

from __future__ import annotations

from typing import Any

from tsedash.sdk import dashboard_b, dashboard_m
from tsedash.spec import GRID_COLUMNS


class Layout:
    def __init__(self) -> None:
        self._items: list[tuple[bool, Any]] = []
        self._x = 0
        self._y = 0
        self._line_height = 0
        self._next_id = 1

    def _newline(self) -> None:
        if self._x:
            self._y += self._line_height
        self._x = 0
        self._line_height = 0

    def _take_id(self) -> int:
        panel_id = self._next_id
        self._next_id += 1
        return panel_id

    def row(self, title: str) -> Layout:
        self._newline()
        row = (
            dashboard_b.Row(title)
            .id(self._take_id())
            .collapsed(False)
            .grid_pos(dashboard_m.GridPos(h=1, w=GRID_COLUMNS, x=0, y=self._y))
        )
        self._items.append((True, row))
        self._y += 1
        return self

    def collapsed_row(self, title: str, panels: list[tuple[Any, int, int]]) -> Layout:
        """A collapsed row holding `(panel, w, h)` children; takes one grid line when closed."""
        self._newline()
        row_y = self._y
        row = (
            dashboard_b.Row(title)
            .id(self._take_id())
            .collapsed(True)
            .grid_pos(dashboard_m.GridPos(h=1, w=GRID_COLUMNS, x=0, y=row_y))
        )
        inner = Layout()
        inner._y, inner._next_id = row_y + 1, self._next_id
        for panel, w, h in panels:
            inner.add(panel, w, h)
        self._next_id = inner._next_id
        for _, panel in inner._items:
            row = row.with_panel(panel)
        self._items.append((True, row))
        self._y = row_y + 1
        return self

    def add(self, panel: Any, w: int, h: int) -> Layout:
        if not 1 <= w <= GRID_COLUMNS:
            raise ValueError(f"panel width {w} outside 1..{GRID_COLUMNS}")
        if self._x + w > GRID_COLUMNS:
            self._newline()
        panel.id(self._take_id()).grid_pos(dashboard_m.GridPos(h=h, w=w, x=self._x, y=self._y))
        self._items.append((False, panel))
        self._x += w
        self._line_height = max(self._line_height, h)
        if self._x == GRID_COLUMNS:
            self._newline()
        return self

    def add_all(self, panels: list[Any], h: int) -> Layout:
        """Panels side by side in equal widths (one line when they fit)."""
        if not panels:
            return self
        per_line = min(len(panels), 4)
        w = GRID_COLUMNS // per_line
        for panel in panels:
            self.add(panel, w, h)
        self._newline()
        return self

    def apply(self, dashboard: dashboard_b.Dashboard) -> dashboard_b.Dashboard:
        for is_row, item in self._items:
            dashboard = dashboard.with_row(item) if is_row else dashboard.with_panel(item)
        return dashboard

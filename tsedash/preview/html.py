"""One HTML page per dashboard: the 24-column grid to scale, no external assets.

Every panel is a box at `gridPos * scale` with its title, type, unit, description and queries
(as written, and expanded with the variables' default values). Rows, repeat markers and the
variables bar are drawn too. A small inline script records each box's measured position in
`data-measured`, which the tests read back from the browser's DOM.
"""

from __future__ import annotations

from html import escape
from typing import Any

from tsedash.queries.expand import DEFAULT_MACROS, expand, macro_values

COLUMN_WIDTH = 50  # px per grid column: 24 columns = 1200 px
CELL_HEIGHT = 30  # px per grid row, Grafana's GRID_CELL_HEIGHT
HEADER = 110  # px above the grid: title and variables bar
CHANGED_NOTE = '<span class="changed-note">changed</span>'

_CSS = """
body{margin:0;font:13px/1.35 system-ui,sans-serif;background:#111217;color:#ccccdc}
header{height:%(header)dpx;box-sizing:border-box;padding:10px 16px;border-bottom:1px solid #2c3235}
h1{margin:0 0 6px;font-size:18px;color:#fff} .meta{color:#8e8e8e;font-size:12px}
.vars{margin-top:8px;display:flex;gap:8px;flex-wrap:wrap}
.var{background:#22252b;border:1px solid #2c3235;border-radius:3px;padding:2px 8px}
.var b{color:#6e9fff}
#grid{position:relative;width:%(width)dpx;margin:0 16px}
.panel,.row{position:absolute;box-sizing:border-box;overflow:hidden}
.panel{background:#181b1f;border:1px solid #2c3235;border-radius:3px;padding:6px 8px}
.row{border-bottom:1px solid #3d71d9;color:#fff;font-weight:600;padding:4px 2px}
.row.collapsed::after{content:" (collapsed)";color:#8e8e8e;font-weight:400}
.row .inside{color:#8e8e8e;font-weight:400;font-size:11px}
.title{color:#fff;font-weight:600} .type{float:right;color:#8e8e8e;font-size:11px}
.badge{display:inline-block;background:#3d71d9;color:#fff;border-radius:2px;padding:0 4px;
font-size:11px;margin-left:4px}
.desc{color:#9fa7b3;margin:3px 0} code{display:block;white-space:pre-wrap;word-break:break-all;
font:11px/1.3 ui-monospace,monospace;color:#d8d9da;background:#0b0c0e;padding:2px 4px;
margin-top:3px}
code.expanded{color:#73bf69}
.panel.data{display:flex;flex-direction:column}
.panel.data .type{display:none}
.body{flex:1;overflow:hidden;position:relative}
.chart svg{display:block} .legend{font-size:11px;line-height:18px;overflow:hidden}
.li{margin-right:10px;white-space:nowrap} .li i{display:inline-block;width:14px;height:4px;
margin:0 4px 2px 0;border-radius:1px;vertical-align:middle} .li.dash i{height:2px}
.nodata{position:absolute;inset:0;display:flex;align-items:center;justify-content:center;
color:#8e8e8e;font-size:14px} .qerror{color:#f2495c;font-size:11px;white-space:pre-wrap}
.stats{display:flex;flex-wrap:wrap} .stat{box-sizing:border-box;display:flex;
flex-direction:column;justify-content:center;align-items:center;position:relative;
border-radius:2px;overflow:hidden}
.sname{font-size:12px;z-index:1} .sval{font-weight:500;line-height:1.1;z-index:1}
.spark{position:absolute;left:0;right:0;bottom:0;z-index:0}
table.rows{border-collapse:collapse;width:100%%;font-size:12px}
table.rows th{text-align:left;color:#6e9fff;font-weight:500;border-bottom:1px solid #2c3235}
table.rows th,table.rows td{padding:0 6px;height:26px;white-space:nowrap}
table.rows td{border-bottom:1px solid #22252b}
.panel.changed{outline:3px solid #FF9830;outline-offset:-3px}
.changed-note{color:#FF9830;font-size:11px;font-weight:600;margin-left:6px}
"""

_MEASURE = """
document.querySelectorAll('[data-id]').forEach(function (el) {
  var r = el.getBoundingClientRect(), g = document.getElementById('grid').getBoundingClientRect();
  el.setAttribute('data-measured', [r.left - g.left, r.top - g.top, r.width, r.height]
    .map(function (v) { return Math.round(v); }).join(','));
});
"""


def default_values(model: dict[str, Any]) -> dict[str, str]:
    """What Grafana substitutes on first load: each variable's current value (All → allValue)."""
    out = macro_values(**DEFAULT_MACROS)
    for var in model.get("templating", {}).get("list", []):
        current = (var.get("current") or {}).get("value")
        if current in ("$__all", ["$__all"]):
            out[var["name"]] = var.get("allValue") or ".*"
        elif isinstance(current, str):
            out[var["name"]] = current
    return out


def _box(x: int, y: int, w: int, h: int) -> str:
    return (
        f"left:{x * COLUMN_WIDTH}px;top:{y * CELL_HEIGHT}px;"
        f"width:{w * COLUMN_WIDTH}px;height:{h * CELL_HEIGHT}px"
    )


def _panel(
    panel: dict[str, Any], values: dict[str, str], body: str | None = None, changed: bool = False
) -> str:
    gp = panel.get("gridPos", {})
    x, y, w, h = (int(gp.get(k, 0)) for k in ("x", "y", "w", "h"))
    attrs = f'data-id="{panel.get("id")}" data-grid="{x},{y},{w},{h}" style="{_box(x, y, w, h)}"'
    title = escape(str(panel.get("title", "")))
    if panel.get("type") == "row":
        if not panel.get("collapsed"):
            return f'<div class="row" {attrs}>{title}</div>'
        # Drawn as Grafana shows it, closed: its children are listed, not placed.
        inside = ", ".join(escape(str(c.get("title", ""))) for c in panel.get("panels") or [])
        hidden = f' <span class="inside">{inside}</span>' if inside else ""
        return f'<div class="row collapsed" {attrs}>{title}{hidden}</div>'
    unit = ((panel.get("fieldConfig") or {}).get("defaults") or {}).get("unit", "")
    repeat = (
        f'<span class="badge">repeat ${escape(panel["repeat"])}</span>'
        if panel.get("repeat")
        else ""
    )
    parts = [
        f'<span class="type">{escape(str(panel.get("type")))}'
        f"{' · ' + escape(str(unit)) if unit else ''}</span>",
        f'<div class="title">{title}{repeat}{CHANGED_NOTE if changed else ""}</div>',
    ]
    if body is not None:  # drawn with its data
        marks = " changed" if changed else ""
        content = "".join(parts) + f'<div class="body">{body}</div>'
        return f'<div class="panel data{marks}" {attrs}>{content}</div>'
    if panel.get("description"):
        parts.append(f'<div class="desc">{escape(str(panel["description"]))}</div>')
    for target in panel.get("targets", []) or []:
        expr = str(target.get("expr", ""))
        expanded = expand(expr, values)
        ref = escape(str(target.get("refId", "")))
        parts.append(f'<code title="{escape(expanded)}">{ref}: {escape(expr)}</code>')
        if expanded != expr:
            parts.append(f'<code class="expanded">= {escape(expanded)}</code>')
    if panel.get("type") == "text":
        content = str((panel.get("options") or {}).get("content", ""))
        parts.append(f"<code>{escape(content[:600])}{'…' if len(content) > 600 else ''}</code>")
    return f'<div class="panel" {attrs}>{"".join(parts)}</div>'


def render_html(
    model: dict[str, Any],
    source: str = "",
    bodies: dict[int, str] | None = None,
    shown: dict[str, list[str]] | None = None,
    note: str = "",
    changed: frozenset[int] = frozenset(),
) -> str:
    """The page; with `bodies` (panel index → body HTML) those panels show their data, and
    `shown` the variables' selections; `changed` marks panels (by index)."""
    values = default_values(model)
    bodies = bodies or {}
    panels: list[dict[str, Any]] = list(model.get("panels", []))
    bottom = max(
        (p["gridPos"]["y"] + p["gridPos"]["h"] for p in panels if "gridPos" in p), default=0
    )
    variables = "".join(
        f'<span class="var"><b>{escape(str(v.get("label") or v["name"]))}</b> '
        f"{escape(_selection(v, shown))}</span>"
        for v in model.get("templating", {}).get("list", [])
    )
    css = _CSS % {"header": HEADER, "width": 24 * COLUMN_WIDTH}
    body = "".join(_panel(p, values, bodies.get(i), i in changed) for i, p in enumerate(panels))
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{escape(str(model.get('title', '')))}</title><style>{css}</style></head><body>"
        f"<header><h1>{escape(str(model.get('title', '')))}</h1>"
        f'<div class="meta">uid {escape(str(model.get("uid", "")))} · {escape(source)} · '
        f"{len(panels)} panels · tsedash preview (24 columns of {COLUMN_WIDTH}px, rows of "
        f"{CELL_HEIGHT}px){escape(note)}</div>"
        f'<div class="vars">{variables}</div></header>'
        f'<div id="grid" style="height:{bottom * CELL_HEIGHT}px">{body}</div>'
        f"<script>{_MEASURE}</script></body></html>\n"
    )


def _selection(var: dict[str, Any], shown: dict[str, list[str]] | None) -> str:
    if shown is not None and var.get("name") in shown:
        return " ".join(shown[var["name"]])
    return str((var.get("current") or {}).get("text", ""))


def page_height(model: dict[str, Any]) -> int:
    bottom = max(
        (p["gridPos"]["y"] + p["gridPos"]["h"] for p in model.get("panels", []) if "gridPos" in p),
        default=0,
    )
    return HEADER + bottom * CELL_HEIGHT + 20

"""Checks of a dashboard model: Grafana's schema as we emit it, then what no schema says."""

from __future__ import annotations

import bisect
import json
from collections.abc import Callable, Iterator
from functools import cache
from importlib import resources
from typing import Any, cast

from jsonschema import Draft202012Validator

from tsedash.queries.expand import VARIABLE
from tsedash.spec import DATASOURCE_REFS, GRID_COLUMNS
from tsedash.validate.findings import Finding

ANGULAR_PANELS = frozenset({"graph", "singlestat", "table-old", "grafana-singlestat-panel"})
# Grafana's global variables and macros: defined without a templating entry.
GLOBAL_VARS = frozenset(
    {
        "__interval",
        "__interval_ms",
        "__rate_interval",
        "__rate_interval_ms",
        "__range",
        "__range_s",
        "__range_ms",
        "__from",
        "__to",
        "__dashboard",
        "__name",
        "__org",
        "__user",
        "__all",
        "__timeFilter",
        "timeFilter",
        "__timezone",
        "__auto",
        "__series",
        "__field",
        "__value",
        "__data",
        "__url",
        "__url_time_range",
        "__all_variables",
    }
)


@cache
def dashboard_schema() -> dict[str, Any]:
    text = resources.files("tsedash.validate").joinpath("dashboard.schema.json").read_text()
    schema: dict[str, Any] = json.loads(text)
    return schema


@cache
def _validator() -> Draft202012Validator:
    return Draft202012Validator(dashboard_schema())


# From this many panels on, a compiled validator checks the model first (the schema's keywords
# mean the same in draft 7, which fastjsonschema compiles to Python code): 10x faster than
# walking a 50,000-panel dashboard with jsonschema, but compiling costs ~80 ms, more than a
# small dashboard's whole check. Only a model it rejects is walked, for the located messages.
COMPILED_FROM = 1_000


@cache
def _compiled() -> Callable[[Any], Any]:
    import fastjsonschema  # imported for large dashboards only

    schema = {**dashboard_schema(), "$schema": "http://json-schema.org/draft-07/schema#"}
    return cast(Callable[[Any], Any], fastjsonschema.compile(schema))


def _compiled_accepts(model: dict[str, Any]) -> bool:
    import fastjsonschema

    try:
        _compiled()(model)
    except fastjsonschema.JsonSchemaException:
        return False
    return True


def pointer(path: list[Any] | tuple[Any, ...]) -> str:
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in path)


def _panel_title(model: Any, path: list[Any]) -> str:
    """Title of the innermost panel on a JSON path, for messages."""
    title = ""
    current = model
    for step in path:
        try:
            current = current[step]
        except (KeyError, IndexError, TypeError):
            break
        if isinstance(current, dict) and "gridPos" in current and "type" in current:
            title = str(current.get("title", ""))
    return title


class _Collector:
    def __init__(self, file: str, model: Any) -> None:
        self.file = file
        self.model = model
        self.uid = str(model.get("uid", "")) if isinstance(model, dict) else ""
        self.findings: list[Finding] = []

    def add(self, path: list[Any], message: str) -> None:
        self.findings.append(
            Finding(
                self.file,
                uid=self.uid,
                pointer=pointer(path),
                message=message,
                panel=_panel_title(self.model, path),
            )
        )


def iter_panels(model: dict[str, Any]) -> Iterator[tuple[list[Any], dict[str, Any]]]:
    """Every panel with its JSON path, rows' nested panels included."""
    for i, panel in enumerate(model.get("panels", [])):
        if not isinstance(panel, dict):
            continue
        yield ["panels", i], panel
        for j, child in enumerate(panel.get("panels", []) or []):
            if isinstance(child, dict):
                yield ["panels", i, "panels", j], child


def check_shape(c: _Collector) -> bool:
    """The wrapper and `__inputs` first (clear messages), then the JSON Schema."""
    model = c.model
    if not isinstance(model, dict):
        c.add([], "a dashboard file must hold a JSON object (the bare dashboard model)")
        return False
    if "dashboard" in model and isinstance(model["dashboard"], dict):
        c.add(
            ["dashboard"],
            'the file wraps the model in {"dashboard": …}: the file provider rejects it '
            '("Dashboard title cannot be empty"); write the bare model',
        )
        return False
    if "__inputs" in model:
        c.add(
            ["__inputs"],
            "`__inputs` (${DS_…}) are never substituted by provisioning: reference the "
            "provisioned datasource uid or the `datasource` variable",
        )
    panels = model.get("panels")
    if isinstance(panels, list) and len(panels) >= COMPILED_FROM and _compiled_accepts(model):
        return True
    for error in _validator().iter_errors(model):
        path = list(error.absolute_path)
        c.add(path, error.message if len(error.message) < 300 else error.message[:297] + "…")
    return True


def check_panels(c: _Collector, provisioned_uid: str | None) -> None:
    ids: dict[int, str] = {}
    allowed_ds = DATASOURCE_REFS | ({provisioned_uid} if provisioned_uid else set())
    for path, panel in iter_panels(c.model):
        ptype = panel.get("type")
        pid = panel.get("id")
        if isinstance(pid, int):
            if pid in ids:
                c.add([*path, "id"], f"panel id {pid} is already used by panel '{ids[pid]}'")
            else:
                ids[pid] = str(panel.get("title", ""))
        if ptype in ANGULAR_PANELS:
            c.add(
                [*path, "type"],
                f"'{ptype}' is an Angular-era panel type (use timeseries, stat or table)",
            )
        ds = panel.get("datasource")
        if isinstance(ds, dict) and ds.get("uid") not in allowed_ds:
            c.add([*path, "datasource", "uid"], _ds_message(ds.get("uid"), provisioned_uid))
        if ptype == "row":
            continue
        refs: set[str] = set()
        for t, target in enumerate(panel.get("targets", []) or []):
            tpath = [*path, "targets", t]
            ref = target.get("refId")
            if ref in refs:
                c.add([*tpath, "refId"], f"refId '{ref}' is used twice in this panel")
            refs.add(str(ref))
            tds = target.get("datasource")
            if not isinstance(tds, dict):
                c.add(tpath, "target has no datasource")
            elif tds.get("uid") not in allowed_ds:
                c.add([*tpath, "datasource", "uid"], _ds_message(tds.get("uid"), provisioned_uid))


def _ds_message(uid: object, provisioned: str | None) -> str:
    want = "'${datasource}'" + (f" or the provisioned uid '{provisioned}'" if provisioned else "")
    return f"datasource uid {uid!r} is not {want}"


class _Occupancy:
    """Which panel holds each cell of the grid, per column: sorted, disjoint runs of rows
    `(start, end, panel index)`. Placing a panel looks only at the runs it meets, so a grid of
    n panels is checked in O(n log n), not by comparing every pair (50,000 panels used to
    take minutes). Where panels overlap, the later one takes the cells it covers."""

    def __init__(self) -> None:
        self.starts: dict[int, list[int]] = {}
        self.runs: dict[int, list[tuple[int, int, int]]] = {}

    def place(self, x: int, y: int, w: int, h: int, index: int) -> int | None:
        """Record a panel; the (earliest) index of a panel it overlaps, or None."""
        overlapped: int | None = None
        for column in range(max(x, 0), x + min(w, GRID_COLUMNS)):
            found = self._place_in(column, y, y + h, index)
            if found is not None and (overlapped is None or found < overlapped):
                overlapped = found
        return overlapped

    def _place_in(self, column: int, top: int, bottom: int, index: int) -> int | None:
        if bottom <= top:
            return None
        starts = self.starts.setdefault(column, [])
        runs = self.runs.setdefault(column, [])
        first = bisect.bisect_right(starts, top) - 1
        if first < 0 or runs[first][1] <= top:
            first += 1
        last = first
        while last < len(runs) and runs[last][0] < bottom:
            last += 1
        met = runs[first:last]
        new = [(top, bottom, index)]
        if met and met[0][0] < top:
            new.insert(0, (met[0][0], top, met[0][2]))
        if met and met[-1][1] > bottom:
            new.append((bottom, met[-1][1], met[-1][2]))
        runs[first:last] = new
        starts[first:last] = [run[0] for run in new]
        return min((run[2] for run in met), default=None)


def check_grid(c: _Collector) -> None:
    """Inside 24 columns, no overlaps, rows laid out per the collapsed rule."""
    occupancy = _Occupancy()
    panels = c.model.get("panels", [])
    titles: dict[int, str] = {}
    collapsed_row: str | None = None
    for i, panel in enumerate(panels):
        if not isinstance(panel, dict):
            continue
        gp = panel.get("gridPos")
        if not isinstance(gp, dict) or not all(isinstance(gp.get(k), int) for k in "xywh"):
            continue
        x, y, w, h = gp["x"], gp["y"], gp["w"], gp["h"]
        title = titles[i] = str(panel.get("title", ""))
        if x + w > GRID_COLUMNS:
            c.add(["panels", i, "gridPos"], f"x + w = {x + w} exceeds the {GRID_COLUMNS} columns")
        other = occupancy.place(x, y, w, h, i)
        if other is not None:
            c.add(
                ["panels", i, "gridPos"],
                f"overlaps panel '{titles[other]}' (/panels/{other}/gridPos)",
            )
        if panel.get("type") == "row":
            children = panel.get("panels", []) or []
            if panel.get("collapsed") is True:
                collapsed_row = title
            else:
                collapsed_row = None
                if children:
                    c.add(
                        ["panels", i, "panels"],
                        "an expanded row (collapsed: false) must have `panels: []`; its "
                        "children follow it at top level",
                    )
        elif collapsed_row is not None:
            c.add(
                ["panels", i],
                f"follows the collapsed row '{collapsed_row}' at top level: a collapsed row "
                "keeps its children inside its `panels`",
            )


def _strings(value: Any, path: list[Any]) -> Iterator[tuple[list[Any], str]]:
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, dict):
        for k, v in value.items():
            yield from _strings(v, [*path, k])
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _strings(v, [*path, i])


def check_variables(c: _Collector) -> None:
    """Every `$var`, `${var}`, `${var:fmt}` or `[[var]]` used is a defined variable."""
    defined = {
        v.get("name") for v in c.model.get("templating", {}).get("list", []) if isinstance(v, dict)
    }
    for path, text in _strings({k: v for k, v in c.model.items() if k not in ("description",)}, []):
        if "$" not in text and "[[" not in text:
            continue
        if path and path[-1] in ("description", "content"):
            continue  # prose (markdown) may mention `$var` literally
        for match in VARIABLE.finditer(text):
            name = match.group("plain") or match.group("braced") or match.group("old")
            if name and name not in defined and name not in GLOBAL_VARS:
                c.add(path, _unknown_variable(name))


def _unknown_variable(name: str) -> str:
    if name.startswith("__cell"):  # what an old table's links held
        return (
            f"uses ${name}, the old table panel's cell value: Grafana's table migration keeps "
            "the link as it was, and its new table does not fill it in (use ${__value.raw})"
        )
    return f"uses ${name}, which is not a variable of this dashboard"


def validate_model(model: Any, file: str, provisioned_uid: str | None = None) -> list[Finding]:
    """Every finding for one dashboard model (the cross-dashboard checks live in validate)."""
    c = _Collector(file, model)
    if not check_shape(c):
        return c.findings
    check_panels(c, provisioned_uid)
    check_grid(c)
    check_variables(c)
    return c.findings

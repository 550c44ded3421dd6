"""A classic (v1) dashboard model as a schema v2 dashboard spec, built with the SDK's
`dashboardv2` builders.

The mapping is Grafana's own (its v1 → v2 conversion): each panel becomes the element
`panel-<id>` and a grid item; row panels make a `RowsLayout` (panels above the first row go
into a row with its header hidden), otherwise one `GridLayout`; a target becomes a
`PanelQuery` whose `DataQuery` group is the datasource type and whose `datasource.name` is
the datasource uid; panel options and field config move into `vizConfig`; variables become
their `*Variable` kinds (a string query is kept under `__legacyStringValue`). What schema v2
has no place for is not dropped silently: `Unconvertible` names it.
"""

from __future__ import annotations

from typing import Any, TypeVar

from grafana_foundation_sdk.cog import builder as cogbuilder

from tsedash.sdk import dashboardv2_b as b
from tsedash.sdk import dashboardv2_m as m
from tsedash.sdk import to_plain

T = TypeVar("T")

LEGACY_STRING = "__legacyStringValue"
CURSOR_SYNC = {0: "Off", 1: "Crosshair", 2: "Tooltip"}
HIDE = {0: "dontHide", 1: "hideLabel", 2: "hideVariable"}
REFRESH = {0: "never", 1: "onDashboardLoad", 2: "onTimeRangeChanged"}
SORT = {
    0: "disabled",
    1: "alphabeticalAsc",
    2: "alphabeticalDesc",
    3: "numericalAsc",
    4: "numericalDesc",
    5: "alphabeticalCaseInsensitiveAsc",
    6: "alphabeticalCaseInsensitiveDesc",
    7: "naturalAsc",
    8: "naturalDesc",
}
QUERY_OPTIONS = {  # panel key → QueryOptionsSpec builder method
    "timeFrom": "time_from",
    "timeShift": "time_shift",
    "maxDataPoints": "max_data_points",
    "interval": "interval",
    "cacheTimeout": "cache_timeout",
    "queryCachingTTL": "query_caching_ttl",
    "hideTimeOverride": "hide_time_override",
}
# Panel keys v2 carries (or derives again: a panel's datasource is its queries'; without a
# repeat, repeatDirection means nothing).
PANEL_KEYS = {
    *QUERY_OPTIONS,
    *("id", "type", "title", "description", "gridPos", "targets", "datasource"),
    *("fieldConfig", "options", "pluginVersion", "transparent", "links", "transformations"),
    *("repeat", "repeatDirection", "maxPerRow", "libraryPanel"),
}
DASHBOARD_KEYS = {
    *("id", "uid", "version", "iteration", "schemaVersion", "title", "description", "tags"),
    *("graphTooltip", "preload", "editable", "liveNow", "revision", "time", "timepicker"),
    *("timezone", "refresh", "fiscalYearStartMonth", "weekStart", "links", "panels"),
    *("templating", "annotations"),
}
VARIABLE_KEYS = {
    *("type", "name", "label", "description", "hide", "skipUrlSync", "current", "options"),
    *("query", "datasource", "definition", "refresh", "regex", "regexApplyTo", "sort"),
    *("multi", "includeAll", "allValue", "allowCustomValue", "auto", "auto_count", "auto_min"),
}
ROW_KEYS = {"id", "type", "title", "gridPos", "collapsed", "panels", "repeat", "datasource"}
VARIABLE_KINDS = ("query", "datasource", "textbox", "custom", "constant", "interval")


class Unconvertible(ValueError):
    """A part of the v1 model that schema v2 has no place for (`pointer`: where)."""

    def __init__(self, pointer: str, message: str) -> None:
        self.pointer = pointer
        super().__init__(message)


class _Built(cogbuilder.Builder[T]):
    """A model already made, where a builder is expected (the SDK's builders take builders)."""

    def __init__(self, model: T) -> None:
        self._model = model

    def build(self) -> T:
        return self._model


def to_v2(model: dict[str, Any]) -> dict[str, Any]:
    """The v2 spec of a v1 dashboard model (a fresh dict; `model` is not changed)."""
    _check_keys(model, DASHBOARD_KEYS, "", "dashboard")
    dash = (
        b.Dashboard(str(model.get("title", "")))
        .tags([str(t) for t in model.get("tags", [])])
        .cursor_sync(m.DashboardCursorSync(CURSOR_SYNC.get(_int(model, "graphTooltip"), "Off")))
        .preload(bool(model.get("preload", False)))
        .editable(bool(model.get("editable", True)))
        .time_settings(_time_settings(model))
        .links([_dashboard_link(link) for link in model.get("links", [])])
    )
    if model.get("description"):
        dash.description(str(model["description"]))
    if "liveNow" in model:
        dash.live_now(bool(model["liveNow"]))
    if "revision" in model:
        dash.revision(int(model["revision"]))
    elements, layout = _elements_and_layout(model.get("panels", []))
    dash.elements(elements).layout(layout)
    variables = (model.get("templating") or {}).get("list", [])
    dash.variables([_variable(v, f"/templating/list/{i}") for i, v in enumerate(variables)])
    annotations = (model.get("annotations") or {}).get("list", [])
    dash.annotations([_annotation(a) for a in annotations])
    plain: dict[str, Any] = to_plain(dash.build())
    return plain


# --- dashboard settings ------------------------------------------------------------------------


def _int(data: dict[str, Any], key: str, default: int = 0) -> int:
    value = data.get(key, default)
    return int(value) if isinstance(value, int | float) and not isinstance(value, bool) else default


def _time_settings(model: dict[str, Any]) -> b.TimeSettings:
    time = model.get("time") or {}
    picker = model.get("timepicker") or {}
    settings = (
        b.TimeSettings()
        .from_val(str(time.get("from", "now-6h")))
        .to(str(time.get("to", "now")))
        .timezone(str(model.get("timezone", "browser")))
        .auto_refresh(str(model.get("refresh") or ""))
        .fiscal_year_start_month(_int(model, "fiscalYearStartMonth"))
        .hide_timepicker(bool(picker.get("hidden", False)))
    )
    if picker.get("refresh_intervals"):
        settings.auto_refresh_intervals([str(i) for i in picker["refresh_intervals"]])
    if model.get("weekStart"):
        settings.week_start(model["weekStart"])
    if picker.get("nowDelay"):
        settings.now_delay(str(picker["nowDelay"]))
    return settings


def _dashboard_link(link: dict[str, Any]) -> b.DashboardLink:
    out = (
        b.DashboardLink()
        .title(str(link.get("title", "")))
        .type(m.DashboardLinkType(link.get("type", "link")))
        .icon(str(link.get("icon", "")))
        .tooltip(str(link.get("tooltip", "")))
        .tags([str(t) for t in link.get("tags", [])])
        .as_dropdown(bool(link.get("asDropdown", False)))
        .target_blank(bool(link.get("targetBlank", False)))
        .include_vars(bool(link.get("includeVars", False)))
        .keep_time(bool(link.get("keepTime", False)))
    )
    if "url" in link:
        out.url(str(link["url"]))
    if "placement" in link:
        out.placement(m.DashboardLinkPlacement(link["placement"]))
    return out


# --- panels and layout -------------------------------------------------------------------------


def _elements_and_layout(
    panels: list[dict[str, Any]],
) -> tuple[dict[str, Any], b.Grid | b.Rows]:
    elements: dict[str, Any] = {}
    if not any(p.get("type") == "row" for p in panels):
        grid = b.Grid()
        for i, panel in enumerate(panels):
            name, element = _element(panel, f"/panels/{i}")
            elements[name] = element
            grid.item(_grid_item(panel, name, None))
        return elements, grid
    rows = b.Rows()
    row: b.Row | None = None
    row_grid = b.Grid()
    row_y = -1  # panels above the first row sit under a hidden row "above the grid"
    for i, panel in enumerate(panels):
        where = f"/panels/{i}"
        if panel.get("type") != "row":
            if row is None:
                row = b.Row().title("").collapse(False).hide_header(True)
            name, element = _element(panel, where)
            elements[name] = element
            row_grid.item(_grid_item(panel, name, row_y, where))
            continue
        if row is not None:
            rows.row(row.layout(row_grid))
        _check_keys(panel, ROW_KEYS, where, "row")
        row_y = _int(panel.get("gridPos") or {}, "y")
        row = b.Row().title(str(panel.get("title", ""))).collapse(bool(panel.get("collapsed")))
        if panel.get("repeat"):
            row.repeat(b.RowRepeatOptions().value(str(panel["repeat"])))
        row_grid = b.Grid()
        for j, inner in enumerate(panel.get("panels", [])):
            name, element = _element(inner, f"{where}/panels/{j}")
            elements[name] = element
            row_grid.item(_grid_item(inner, name, row_y, f"{where}/panels/{j}"))
    if row is not None:
        rows.row(row.layout(row_grid))
    return elements, rows


def _grid_item(panel: dict[str, Any], name: str, row_y: int | None, where: str = "") -> b.GridItem:
    pos = panel.get("gridPos") or {}
    y = _int(pos, "y")
    if row_y is not None and y <= row_y:
        # Grafana's conversion would give it a negative y in the row; v2 has no place there.
        raise Unconvertible(
            f"{where}/gridPos/y",
            f"the panel starts at y {y}, on its row's line or above it (the row is at y "
            f"{row_y}): a v2 row holds its panels below its header; move it to y {row_y + 1}",
        )
    item = (
        b.GridItem()
        .name(name)
        .x(_int(pos, "x"))
        .y(y if row_y is None else y - row_y - 1)
        .width(_int(pos, "w", 6))
        .height(_int(pos, "h", 3))
    )
    if panel.get("repeat"):
        repeat = b.RepeatOptions().value(str(panel["repeat"]))
        if panel.get("repeatDirection") in ("h", "v"):
            repeat.direction(panel["repeatDirection"])
        if _int(panel, "maxPerRow") > 0:
            repeat.max_per_row(_int(panel, "maxPerRow"))
        item.repeat(repeat)
    return item


def _check_keys(data: dict[str, Any], known: set[str], where: str, what: str) -> None:
    unknown = sorted(set(data) - known)
    if unknown:
        key = unknown[0]
        raise Unconvertible(f"{where}/{key}", f"{what} key '{key}' has no place in schema v2")


def _element(panel: dict[str, Any], where: str) -> tuple[str, Any]:
    panel_id = panel.get("id")
    if not isinstance(panel_id, int) or isinstance(panel_id, bool):
        raise Unconvertible(f"{where}/id", "a panel without an integer id has no v2 element name")
    name = f"panel-{panel_id}"
    if panel.get("libraryPanel"):
        ref = panel["libraryPanel"]
        library = (
            b.LibraryPanel()
            .id(panel_id)
            .title(str(panel.get("title", "")))
            .library_panel(
                _Built(m.LibraryPanelRef(name=str(ref.get("name", "")), uid=str(ref.get("uid"))))
            )
        )
        return name, library
    _check_keys(panel, PANEL_KEYS, where, "panel")
    element = (
        b.Panel()
        .id(panel_id)
        .title(str(panel.get("title", "")))
        .description(str(panel.get("description", "")))
        .links([_data_link(link) for link in panel.get("links", [])])
        .data(_query_group(panel))
        .visualization(_viz_config(panel))
    )
    if panel.get("transparent"):
        element.transparent(True)
    return name, element


def _data_link(link: dict[str, Any]) -> b.DataLink:
    out = b.DataLink().title(str(link.get("title", ""))).url(str(link.get("url", "")))
    if "targetBlank" in link:
        out.target_blank(bool(link["targetBlank"]))
    return out


def _query_group(panel: dict[str, Any]) -> b.QueryGroup:
    options = b.QueryOptionsSpec()
    for key, method in QUERY_OPTIONS.items():
        if key in panel and panel[key] is not None:
            getattr(options, method)(panel[key])
    default_ds = _dict(panel.get("datasource"))
    group = b.QueryGroup().query_options(options)
    group.targets([_target(t, default_ds) for t in panel.get("targets", [])])
    group.transformations([_transformation(t) for t in panel.get("transformations", [])])
    return group


def data_query(
    spec: Any, datasource: dict[str, Any] | None, default_type: str = "prometheus"
) -> m.DataQueryKind:
    """A `DataQuery`: the group is the datasource type, `datasource.name` its uid."""
    ds = datasource or {}
    return m.DataQueryKind(
        group=str(ds.get("type") or default_type),
        version="v0",
        datasource=m.Dashboardv2DataQueryKindDatasource(name=str(ds["uid"]))
        if ds.get("uid")
        else None,
        spec=spec,
    )


def _target(target: dict[str, Any], default_ds: dict[str, Any]) -> b.Target:
    ds = target.get("datasource") if isinstance(target.get("datasource"), dict) else default_ds
    spec = {k: v for k, v in target.items() if k not in ("refId", "datasource", "hide")}
    return (
        b.Target()
        .ref_id(str(target.get("refId", "")))
        .hidden(bool(target.get("hide", False)))
        .query(_Built(data_query(spec, ds)))
    )


def _transformation(step: dict[str, Any]) -> b.Transformation:
    out = b.Transformation().group(str(step.get("id", ""))).options(step.get("options", {}))
    if "disabled" in step:
        out.disabled(bool(step["disabled"]))
    if isinstance(step.get("filter"), dict):
        matcher = step["filter"]
        out.filter(
            m.MatcherConfig(id_val=str(matcher.get("id", "")), options=matcher.get("options"))
        )
    if step.get("topic"):
        out.topic(m.DataTopic(step["topic"]))
    return out


def _viz_config(panel: dict[str, Any]) -> _Built[m.VizConfigKind]:
    # Options and field config are copied as they are: each panel plugin owns its own shape,
    # which the v1 validation has already checked.
    field_config = panel.get("fieldConfig") or {"defaults": {}, "overrides": []}
    viz = m.VizConfigKind(
        group=str(panel.get("type", "")), version=str(panel.get("pluginVersion", ""))
    )
    viz.spec = _PlainSpec(panel.get("options") or {}, field_config)  # type: ignore[assignment]
    return _Built(viz)


class _PlainSpec:
    """A `VizConfigSpec` whose parts stay plain JSON (the SDK's typed field config would
    drop what it does not model)."""

    def __init__(self, options: Any, field_config: Any) -> None:
        self.options, self.field_config = options, field_config

    def to_json(self) -> dict[str, object]:
        return {"options": self.options, "fieldConfig": self.field_config}


# --- variables and annotations -----------------------------------------------------------------


def _option(data: Any) -> m.VariableOption:
    data = data if isinstance(data, dict) else {}
    option = m.VariableOption(text=data.get("text", ""), value=data.get("value", ""))
    if "selected" in data:
        option.selected = bool(data["selected"])
    return option


def _variable(var: dict[str, Any], where: str) -> Any:
    kind = var.get("type")
    if kind not in VARIABLE_KINDS:
        raise Unconvertible(
            f"{where}/type", f"variable type '{kind}' is not converted to schema v2 by tsedash"
        )
    _check_keys(var, VARIABLE_KEYS, where, "variable")
    name = str(var.get("name", ""))
    builder: Any = {
        "query": _query_variable,
        "datasource": _datasource_variable,
        "textbox": lambda n, v: b.TextVariable(n).query(str(v.get("query", ""))),
        "custom": _custom_variable,
        "constant": lambda n, v: b.ConstantVariable(n).query(str(v.get("query", ""))),
        "interval": _interval_variable,
    }[kind](name, var)
    builder.current(_option(var.get("current")))
    builder.skip_url_sync(bool(var.get("skipUrlSync", False)))
    hide = var.get("hide", 0)
    builder.hide(m.VariableHide(_named(HIDE, hide)))
    if var.get("label"):
        builder.label(str(var["label"]))
    if var.get("description"):
        builder.description(str(var["description"]))
    return builder


def _choices(builder: Any, var: dict[str, Any]) -> Any:
    """What query, datasource and custom variables share: options, multi, All."""
    builder.options([_option(o) for o in var.get("options", [])])
    builder.multi(bool(var.get("multi", False))).include_all(bool(var.get("includeAll", False)))
    builder.allow_custom_value(bool(var.get("allowCustomValue", True)))
    if var.get("allValue"):
        builder.all_value(str(var["allValue"]))
    return builder


def _named(table: dict[int, str], value: Any) -> str:
    """A v1 number (or already the v2 name) as its v2 name; an unknown number is the first."""
    if isinstance(value, int):
        return table.get(value, table[0])
    return str(value)


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _refresh(var: dict[str, Any]) -> m.VariableRefresh:
    refresh = var.get("refresh", 0)
    return m.VariableRefresh(_named(REFRESH, refresh))


def _query_variable(name: str, var: dict[str, Any]) -> b.QueryVariable:
    query = var.get("query", "")
    spec = {LEGACY_STRING: query} if isinstance(query, str) and query else query or {}
    ds = var.get("datasource") if isinstance(var.get("datasource"), dict) else None
    sort = var.get("sort", 0)
    out = (
        b.QueryVariable(name)
        .query(_Built(data_query(spec, ds)))
        .refresh(_refresh(var))
        .sort(m.VariableSort(_named(SORT, sort)))
        .regex(str(var.get("regex", "")))
    )
    if "definition" in var:
        out.definition(str(var["definition"]))
    if var.get("regexApplyTo"):
        out.regex_apply_to(m.VariableRegexApplyTo(var["regexApplyTo"]))
    return _choices(out, var)  # type: ignore[no-any-return]


def _datasource_variable(name: str, var: dict[str, Any]) -> b.DatasourceVariable:
    out = (
        b.DatasourceVariable(name)
        .plugin_id(str(var.get("query", "")))
        .refresh(_refresh(var))
        .regex(str(var.get("regex", "")))
    )
    return _choices(out, var)  # type: ignore[no-any-return]


def _custom_variable(name: str, var: dict[str, Any]) -> b.CustomVariable:
    return _choices(b.CustomVariable(name).query(str(var.get("query", ""))), var)  # type: ignore[no-any-return]


def _interval_variable(name: str, var: dict[str, Any]) -> b.IntervalVariable:
    out = (
        b.IntervalVariable(name)
        .query(str(var.get("query", "")))
        .options([_option(o) for o in var.get("options", [])])
        .auto(bool(var.get("auto", False)))
        .auto_min(str(var.get("auto_min", "10s")))
        .auto_count(_int(var, "auto_count", 30))
    )
    return out


def _annotation(item: dict[str, Any]) -> b.AnnotationQuery:
    ds = item.get("datasource") if isinstance(item.get("datasource"), dict) else None
    known = ("datasource", "enable", "hide", "iconColor", "name", "builtIn")
    legacy = {k: v for k, v in item.items() if k not in known}
    out = (
        b.AnnotationQuery()
        .query(_Built(data_query({}, ds, "grafana")))
        .enable(bool(item.get("enable", True)))
        .hide(bool(item.get("hide", False)))
        .icon_color(str(item.get("iconColor", "")))
        .name(str(item.get("name", "")))
    )
    if item.get("builtIn"):
        out.built_in(True)
    if legacy:
        out.legacy_options(legacy)
    return out

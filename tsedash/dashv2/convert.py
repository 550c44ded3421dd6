"""A classic (v1) dashboard model as a schema v2 dashboard spec, the way Grafana converts it,
built with the SDK's `dashboardv2` builders.

Grafana's own v1 → v2 conversion (apps/dashboard/pkg/migration/conversion/: v1beta1 → v2alpha1
in `v1beta1_to_v2alpha1.go`, then `v2alpha1_to_v2beta1.go` and `v2beta1_to_v2.go`) is the
reference: each panel becomes the element `panel-<id>` (ids made unique first, as
`EnsurePanelsHaveUniqueIds` does) and a grid item; row panels make a `RowsLayout` (panels above
the first row go into a row with its header hidden), otherwise one `GridLayout`; a target
becomes a `PanelQuery` whose `DataQuery` group is the datasource type and whose
`datasource.name` is its uid; panel options and a field config mapped field by field move into
`vizConfig`, Angular panel types become their React successors and every panel key v2 has no
field for goes to `options.__angularMigration` for Grafana's panel migration on load;
variables become their `*Variable` kinds. What Grafana drops is dropped, and every value not
carried as it was is a `Note` of the conversion report (`tsedash.dashv2.report`). The one thing
refused is what Grafana's conversion fails on: an ad hoc or group-by variable without a
datasource uid (`Unconvertible`).
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeGuard, TypeVar

from grafana_foundation_sdk.cog import builder as cogbuilder

from tsedash.dashv2.report import Note
from tsedash.sdk import dashboardv2_b as b
from tsedash.sdk import dashboardv2_m as m
from tsedash.sdk import to_plain

T = TypeVar("T")

# Where Grafana does it (apps/dashboard/pkg/migration/…), for the report.
V1_V2 = "conversion/v1beta1_to_v2alpha1.go"
ALPHA_BETA = "conversion/v2alpha1_to_v2beta1.go"
IDS = "frontend_defaults.go ensurePanelsHaveUniqueIds"
ANGULAR = "schemaversion/migration_utils.go GetAngularPanelMigration"

LEGACY_STRING = "__legacyStringValue"
ANGULAR_MIGRATION = "__angularMigration"
GRID_ROW_HEIGHT = 1
DEFAULT_GRID = {"x": 0, "y": 0, "w": 6, "h": 3}  # buildGridItemKind: PanelModel's defaults
GRAFANA_DATASOURCE_UID = "grafana"
MIXED = "-- Mixed --"
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
SORT_NUMBERS = 5  # transformVariableSortToEnum maps the numbers 0-4 only; 5-8 only as names
QUERY_OPTIONS = {  # panel key → QueryOptionsSpec builder method, in buildQueryOptions's order
    "cacheTimeout": "cache_timeout",
    "maxDataPoints": "max_data_points",
    "interval": "interval",
    "hideTimeOverride": "hide_time_override",
    "queryCachingTTL": "query_caching_ttl",
    "timeFrom": "time_from",
    "timeShift": "time_shift",
}
ANGULAR_PANELS = {  # schemaversion.AngularPanelMigrations
    "table-old": "table",
    "singlestat": "stat",
    "grafana-singlestat-panel": "stat",
    "grafana-piechart-panel": "piechart",
    "grafana-worldmap-panel": "geomap",
    "natel-discrete-panel": "state-timeline",
}
# knownPanelProperties: panel keys with a place in the Panel schema; every other key is the
# "Angular options" the conversion keeps in options.__angularMigration.originalOptions.
KNOWN_PANEL_KEYS = {
    *("type", "id", "pluginVersion", "targets", "title", "description", "transparent"),
    *("datasource", "gridPos", "links", "repeat", "repeatDirection", "maxPerRow"),
    *("maxDataPoints", "transformations", "interval", "timeFrom", "timeShift"),
    *("hideTimeOverride", "timeCompare", "libraryPanel", "cacheTimeout", "queryCachingTTL"),
    *("options", "fieldConfig", "autoMigrateFrom"),
}
DASHBOARD_KEYS = {  # what convertDashboardSpec_V1beta1_to_V2alpha1 reads
    *("title", "description", "tags", "graphTooltip", "preload", "liveNow", "editable"),
    *("revision", "time", "timezone", "refresh", "fiscalYearStartMonth", "weekStart"),
    *("timepicker", "links", "panels", "templating", "annotations"),
}
METADATA_KEYS = {"id", "uid", "version", "iteration", "schemaVersion"}  # the resource's own
ROW_KEYS = {"type", "title", "collapsed", "repeat", "gridPos", "panels", "id"}
LINK_KEYS = {"title", "type", "icon", "tooltip", "tags", "asDropdown", "targetBlank"}
LINK_KEYS |= {"includeVars", "keepTime", "url", "placement"}
TIMEPICKER_KEYS = {"refresh_intervals", "hidden", "nowDelay", "quick_ranges"}
FIELD_DEFAULT_KEYS = {
    *("color", "custom", "decimals", "max", "min", "description", "displayName"),
    *("displayNameFromDS", "noValue", "path", "unit", "filterable", "writeable"),
    *("fieldMinMax", "nullValueMode", "links", "actions", "mappings", "thresholds"),
}
COMMON_VARIABLE_KEYS = {"type", "name", "label", "description", "hide", "skipUrlSync"}
VARIABLE_KEYS: dict[str, set[str]] = {  # what each build*Variable reads besides the common
    "query": {
        *("current", "multi", "includeAll", "refresh", "sort", "regex", "regexApplyTo"),
        *("query", "allowCustomValue", "definition", "datasource", "options"),
        *("staticOptions", "staticOptionsOrder", "allValue"),
    },
    "datasource": {
        *("query", "current", "multi", "includeAll", "refresh", "regex"),
        *("allowCustomValue", "options", "allValue"),
    },
    "custom": {
        *("query", "current", "multi", "includeAll", "allowCustomValue", "options"),
        *("allValue", "valuesFormat"),
    },
    "constant": {"query", "current"},
    "interval": {"query", "options", "current", "auto", "auto_min", "auto_count", "refresh"},
    "textbox": {"query", "current"},
    "switch": {"current", "options"},
    "adhoc": {"datasource", "baseFilters", "filters", "defaultKeys", "allowCustomValue"},
    "groupby": {"datasource", "current", "multi", "options", "defaultValue"},
}
# Empty values: dropping one changes nothing (an inert note).
NOTHING: tuple[Any, ...] = (None, "", False, [], {})
# A variable's values equal to these say nothing (the read-back treats them as absent,
# `canonical`): their drop is not reported.
VARIABLE_DEFAULTS: dict[str, Any] = {
    "hide": 0,
    "label": "",
    "description": "",
    "skipUrlSync": False,
    "regex": "",
    "sort": 0,
    "refresh": 0,
    "multi": False,
    "includeAll": False,
    "allowCustomValue": True,
    "options": [],
    "query": "",
    "allValue": "",
    "regexApplyTo": "value",
    "current": {"text": "", "value": ""},
    "baseFilters": [],
    "filters": [],
    "defaultKeys": [],
}
INTERVAL_ONLY = ("auto", "auto_count", "auto_min")  # the SDK writes them on every variable
ANNOTATION_KEYS = {"name", "datasource", "enable", "hide", "iconColor", "filter", "target"}
ANNOTATION_KEYS |= {"builtIn", "type", "mappings"}


class Unconvertible(ValueError):
    """What Grafana's own conversion fails on (`pointer`: where)."""

    def __init__(self, pointer: str, message: str) -> None:
        self.pointer = pointer
        super().__init__(message)


class _Built(cogbuilder.Builder[T]):
    """A model already made, where a builder is expected (the SDK's builders take builders)."""

    def __init__(self, model: T) -> None:
        self._model = model

    def build(self) -> T:
        return self._model


@dataclass
class Converted:
    spec: dict[str, Any]
    notes: list[Note] = field(default_factory=list)


def convert(
    model: dict[str, Any],
    default_type: str = "prometheus",
    datasource_types: Mapping[str, str] | None = None,
) -> Converted:
    """The v2 spec of a v1 dashboard model and the report of what was not carried as it was.

    `default_type` is the type of Grafana's default datasource and `datasource_types` the
    types of the datasources it knows by uid: Grafana's conversion looks a reference without
    a type up there (`getDatasourceTypeByUID`). `model` is not changed.
    """
    return _Converter(default_type, datasource_types or {}).dashboard(model)


def to_v2(model: dict[str, Any], default_type: str = "prometheus") -> dict[str, Any]:
    """The v2 spec of a v1 dashboard model (a fresh dict; `model` is not changed)."""
    return convert(model, default_type).spec


# --- Go's readers of untyped JSON (schemaversion/migration_utils.go, v1beta1_to_v2alpha1.go) --


def _number(value: Any) -> TypeGuard[int | float]:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _str(data: Mapping[str, Any], key: str, default: str = "") -> str:
    """GetStringValue: the value when it is a string, else the default."""
    value = data.get(key)
    return value if isinstance(value, str) else default


def _int(data: Mapping[str, Any], key: str, default: int = 0) -> int:
    """getIntField: a number (truncated) or an integer string, else the default."""
    value = data.get(key)
    if _number(value):
        return int(value)
    if isinstance(value, str) and re.fullmatch(r"[+-]?[0-9]+", value):
        return int(value)
    return default


def _bool(data: Mapping[str, Any], key: str, default: bool = False) -> bool:
    value = data.get(key)
    return value if isinstance(value, bool) else default


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _is_template(value: str) -> bool:
    return value.startswith("$")


def _strip_bom(value: Any) -> Any:
    """stripBOMFromInterface: byte order marks removed from every string."""
    if isinstance(value, str):
        return value.replace("\ufeff", "")
    if isinstance(value, dict):
        return {k: _strip_bom(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_strip_bom(v) for v in value]
    return value


def _ref_id(index: int) -> str:
    """nextAvailableRefId's sequence: A … Z, AA, AB, …"""
    letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    if index < len(letters):
        return letters[index]
    return _ref_id(index // len(letters) - 1) + letters[index % len(letters)]


def angular_successor(panel_type: str, panel: Mapping[str, Any]) -> str:
    """GetAngularPanelMigration: the React panel an Angular one becomes, "" for none."""
    if panel_type in ("graph", "graphite"):
        mode = _dict(panel.get("xaxis")).get("mode")
        if mode == "series":
            values = _dict(panel.get("legend")).get("values")
            return "bargauge" if values is True else "barchart"
        return "histogram" if mode == "histogram" else "timeseries"
    return ANGULAR_PANELS.get(panel_type, "")


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


class _PlainSpec:
    """A `VizConfigSpec` whose parts stay plain JSON (mapped here as Grafana maps them; the
    SDK's typed field config would drop `custom`'s plugin fields)."""

    def __init__(self, options: Any, field_config: Any) -> None:
        self.options, self.field_config = options, field_config

    def to_json(self) -> dict[str, object]:
        return {"options": self.options, "fieldConfig": self.field_config}


class _Converter:
    def __init__(self, default_type: str, types: Mapping[str, str]) -> None:
        self.default_type = default_type
        self.types = types
        self.notes: list[Note] = []

    # --- the report --------------------------------------------------------------------

    def dropped(self, pointer: str, detail: str, where: str, inert: bool = False) -> None:
        self.notes.append(Note(pointer, "dropped", detail, where, inert=inert))

    def changed(
        self, pointer: str, value: Any, detail: str, where: str, inert: bool = False
    ) -> None:
        self.notes.append(Note(pointer, "changed", detail, where, value, inert))

    def unread(
        self,
        data: Mapping[str, Any],
        known: set[str],
        pointer: str,
        what: str,
        where: str,
        defaults: Mapping[str, Any] | None = None,
    ) -> None:
        """A note for every key of `data` the conversion does not read (inert when empty);
        none for a value equal to its default in `defaults`."""
        for key in sorted(set(data) - known):
            value = data[key]
            if defaults is not None and key in defaults and defaults[key] == value:
                continue
            self.dropped(
                f"{pointer}/{_escape(key)}",
                f"{what} key '{key}' ({_short(value)}): not read by the conversion",
                where,
                inert=value in NOTHING,
            )

    def _bom(self, value: Any, pointer: str) -> Any:
        """stripBOM: the value without byte order marks, a note when it had any."""
        stripped = _strip_bom(value)
        if stripped != value:
            self.changed(pointer, stripped, "byte order marks removed", f"{V1_V2} stripBOM")
        return stripped

    # --- the dashboard -----------------------------------------------------------------

    def dashboard(self, source: dict[str, Any]) -> Converted:
        model = copy.deepcopy(source)  # Grafana's conversion works on its own copy, too
        self._ensure_unique_ids(model)
        self.unread(
            model, DASHBOARD_KEYS | METADATA_KEYS, "", "dashboard",
            f"{V1_V2} convertDashboardSpec_V1beta1_to_V2alpha1",
        )  # fmt: skip
        self._dashboard_types(model)
        dash = (
            b.Dashboard(_str(model, "title"))
            .tags(self._tags(model, ""))
            .cursor_sync(m.DashboardCursorSync(CURSOR_SYNC.get(_int(model, "graphTooltip"), "Off")))
            .preload(_bool(model, "preload"))
            .editable(_bool(model, "editable", True))
            .time_settings(self._time_settings(model))
            .links(self._dashboard_links(model))
        )
        if "liveNow" in model:  # Grafana writes `false` for none: the same, and not ours to add
            dash.live_now(_bool(model, "liveNow"))
        if _str(model, "description"):
            dash.description(_str(model, "description"))
        if _number(model.get("revision")) and 0 <= model["revision"] <= 65535:
            dash.revision(int(model["revision"]))
        elements, layout = self._elements_and_layout(model)
        dash.elements(elements).layout(layout)
        dash.variables(self._variables(model))
        dash.annotations(self._annotations(model))
        plain: dict[str, Any] = to_plain(dash.build())
        return Converted(plain, self.notes)

    def _dashboard_types(self, model: dict[str, Any]) -> None:
        """Dashboard fields Grafana reads only in their type: anything else is its default."""
        where = f"{V1_V2} convertDashboardSpec_V1beta1_to_V2alpha1"
        defaults: dict[str, tuple[Any, Any]] = {
            "title": (str, ""), "editable": (bool, True), "preload": (bool, False),
            "liveNow": (bool, False), "timezone": (str, "browser"), "tags": (list, []),
        }  # fmt: skip
        for key, (kind, default) in defaults.items():
            if key in model and not isinstance(model[key], kind):
                self.changed(f"/{key}", default, f"{key} {_short(model[key])}", where)
        for key in ("description", "revision"):
            value = model.get(key)
            good = isinstance(value, str) if key == "description" else _number(value)
            if key in model and not good:
                self.dropped(f"/{key}", f"{key} {_short(value)}", where, value in NOTHING)
        tooltip = model.get("graphTooltip")
        if tooltip is not None and _int(model, "graphTooltip", -1) not in CURSOR_SYNC:
            self.changed("/graphTooltip", 0, f"graphTooltip {_short(tooltip)} → Off", where)

    def _tags(self, data: dict[str, Any], pointer: str) -> list[str]:
        tags = data.get("tags")
        if not isinstance(tags, list):
            return []
        for i, tag in enumerate(tags):
            if not isinstance(tag, str):
                self.dropped(f"{pointer}/tags/{i}", f"tag {_short(tag)}: not a string", V1_V2)
        return [t for t in tags if isinstance(t, str)]

    def _ensure_unique_ids(self, model: dict[str, Any]) -> None:
        """ensurePanelsHaveUniqueIds: a panel (rows and their panels included) without a
        positive number id, or with one an earlier panel has, gets the next free one."""
        panels = [(p, ptr) for p, ptr in _all_panels(model) if isinstance(p, dict)]
        ids = [float(p["id"]) for p, _ in panels if _number(p.get("id")) and p["id"] > 0]
        next_id = int(max(ids, default=0)) + 1
        seen: set[float] = set()
        for panel, pointer in panels:
            current = panel.get("id")
            if _number(current) and current > 0 and current not in seen:
                seen.add(current)
                continue
            panel["id"] = next_id
            why = "a duplicate" if _number(current) and current > 0 else "none usable"
            self.changed(
                f"{pointer}/id", next_id, f"panel id ({why}: {_short(current)}) → {next_id}",
                IDS, inert=panel.get("type") == "row",
            )  # fmt: skip
            next_id += 1

    # --- time settings and links -------------------------------------------------------

    def _time_settings(self, model: dict[str, Any]) -> b.TimeSettings:
        where = f"{V1_V2} transformTimeSettings"
        time = _dict(model.get("time"))
        self.unread(time, {"from", "to"}, "/time", "time", where)
        defaults = {"from": "now-6h", "to": "now"}  # Grafana's, for none
        if "time" in model and not isinstance(model["time"], dict):
            self.changed("/time", defaults, f"time {_short(model['time'])}", where)
        for key, default in defaults.items():
            if key in time and not (isinstance(time[key], str) and time[key]):
                self.changed(f"/time/{key}", default, f"{key} {_short(time[key])}", where)
        picker = _dict(model.get("timepicker"))
        self.unread(picker, TIMEPICKER_KEYS, "/timepicker", "timepicker", where)
        settings = (
            b.TimeSettings()
            .from_val(_str(time, "from") or "now-6h")
            .to(_str(time, "to") or "now")
            .timezone(_str(model, "timezone", "browser"))
            .auto_refresh(_str(model, "refresh"))
            .fiscal_year_start_month(_int(model, "fiscalYearStartMonth"))
            .hide_timepicker(_bool(picker, "hidden"))
        )
        if "refresh" in model and not isinstance(model["refresh"], str):
            self.dropped("/refresh", f"refresh {_short(model['refresh'])}", where, inert=True)
        intervals = picker.get("refresh_intervals")
        strings = (
            [i for i in intervals if isinstance(i, str)] if isinstance(intervals, list) else []
        )
        if strings:
            settings.auto_refresh_intervals(strings)
        if isinstance(intervals, list) and strings != intervals:
            self.changed(
                "/timepicker/refresh_intervals", strings or _default_intervals(),
                "refresh intervals: only strings, the default list for none", where, inert=True,
            )  # fmt: skip
        if _str(model, "weekStart"):
            settings.week_start(model["weekStart"])  # Grafana's cast: any string
        elif "weekStart" in model:
            self.dropped("/weekStart", f"weekStart {_short(model['weekStart'])}", where, True)
        if _str(picker, "nowDelay"):
            settings.now_delay(picker["nowDelay"])
        ranges = picker.get("quick_ranges")
        if isinstance(ranges, list):
            settings.quick_ranges([self._quick_range(r, i) for i, r in enumerate(ranges)])
        return settings

    def _quick_range(self, item: Any, index: int) -> _Built[m.TimeRangeOption]:
        data = _dict(item)
        pointer = f"/timepicker/quick_ranges/{index}"
        self.unread(data, {"display", "from", "to"}, pointer, "quick range", V1_V2)
        return _Built(
            m.TimeRangeOption(
                display=_str(data, "display"), from_val=_str(data, "from"), to=_str(data, "to")
            )
        )

    def _dashboard_links(self, model: dict[str, Any]) -> list[Any]:
        links = model.get("links")
        out = []
        for i, link in enumerate(links if isinstance(links, list) else []):
            if not isinstance(link, dict):
                self.dropped(f"/links/{i}", f"link {_short(link)}", f"{V1_V2} transformLinks")
                continue
            self.unread(link, LINK_KEYS, f"/links/{i}", "link", f"{V1_V2} transformLinks")
            item = (
                b.DashboardLink()
                .title(_str(link, "title"))
                .type(_str(link, "type", "link"))  # type: ignore[arg-type]  # Grafana's cast
                .icon(_str(link, "icon"))
                .tooltip(_str(link, "tooltip"))
                .tags(self._tags(link, f"/links/{i}"))
                .as_dropdown(_bool(link, "asDropdown"))
                .target_blank(_bool(link, "targetBlank"))
                .include_vars(_bool(link, "includeVars"))
                .keep_time(_bool(link, "keepTime"))
            )
            if isinstance(link.get("url"), str):
                item.url(self._bom(link["url"], f"/links/{i}/url"))
            if isinstance(link.get("placement"), str):
                item.placement(link["placement"])  # any string, as Grafana's
            out.append(item)
        return out

    # --- layout ------------------------------------------------------------------------

    def _elements_and_layout(self, model: dict[str, Any]) -> tuple[dict[str, Any], Any]:
        """transformPanelsToElementsAndLayout: rows when any panel is a row, else one grid."""
        panels = model.get("panels")
        if not isinstance(panels, list):
            return {}, b.Grid()
        items: list[tuple[int, dict[str, Any]]] = []
        for i, panel in enumerate(panels):
            if isinstance(panel, dict):
                items.append((i, panel))
            else:
                self.dropped(f"/panels/{i}", f"panel {_short(panel)}: not an object", V1_V2)
        elements: dict[str, Any] = {}
        if not any(_str(p, "type") == "row" for _, p in items):
            grid = b.Grid()
            for i, panel in items:
                name = self._element(panel, f"/panels/{i}", elements)
                grid.item(self._grid_item(panel, name, f"/panels/{i}", -1, None))
            return elements, grid
        return elements, self._rows(items, elements)

    def _rows(self, items: list[tuple[int, dict[str, Any]]], elements: dict[str, Any]) -> b.Rows:
        """convertToRowsLayout, with each row's panels placed relative to its header."""
        rows: list[_Row] = []
        current: _Row | None = None
        row_y = 0  # legacyRowY: kept from the previous row when a row has no gridPos
        for i, panel in items:
            pointer = f"/panels/{i}"
            if _str(panel, "type") != "row":
                name = self._element(panel, pointer, elements)
                if current is None:  # panels above the first row: a row without a header
                    row_y = -1
                    current = _Row("", False, hide_header=True)
                    current.items.append(self._grid_item(panel, name, pointer, row_y, 0))
                else:
                    current.items.append(self._grid_item(panel, name, pointer, row_y, None))
                continue
            pos = panel.get("gridPos")
            if isinstance(pos, dict):
                row_y = _int(pos, "y")
            elif row_y != 0:  # the read-back counts a row without gridPos at y 0
                self.changed(
                    f"{pointer}/gridPos", {"h": 1, "w": 24, "x": 0, "y": row_y},
                    f"a row without gridPos: its panels are placed below the row before it "
                    f"(y {row_y})", f"{V1_V2} convertToRowsLayout", inert=True,
                )  # fmt: skip
            if current is not None:
                rows.append(current)
            current = self._row(panel, pointer)
            nested = panel.get("panels")
            for j, inner in enumerate(nested if isinstance(nested, list) else []):
                where = f"{pointer}/panels/{j}"
                if not isinstance(inner, dict):
                    self.dropped(where, f"panel {_short(inner)}: not an object", V1_V2)
                    continue
                name = self._element(inner, where, elements)
                current.items.append(self._grid_item(inner, name, where, row_y, None))
        if current is not None:
            rows.append(current)
        out = b.Rows()
        for row in rows:
            out.row(row.build())
        return out

    def _row(self, panel: dict[str, Any], pointer: str) -> _Row:
        """buildRowKind: title, collapse and repeat; nothing else of a row panel is kept."""
        where = f"{V1_V2} buildRowKind"
        self.unread(panel, ROW_KEYS, pointer, "row", where)
        if "title" in panel and not isinstance(panel["title"], str):
            self.changed(f"{pointer}/title", "", f"row title {_short(panel['title'])}", where)
        if "repeat" in panel and not isinstance(panel["repeat"], str):
            self.dropped(f"{pointer}/repeat", f"row repeat {_short(panel['repeat'])}", where)
        if "collapsed" in panel and not isinstance(panel["collapsed"], bool):
            self.changed(f"{pointer}/collapsed", False, "a collapsed flag that is no bool", where)
        if panel.get("repeat") == "":
            self.dropped(f"{pointer}/repeat", "an empty repeat", where, inert=True)
        return _Row(_str(panel, "title"), _bool(panel, "collapsed"), repeat=_str(panel, "repeat"))

    def _grid_item(
        self, panel: dict[str, Any], name: str, pointer: str, row_y: int, y_override: int | None
    ) -> b.GridItem:
        """buildGridItemKind; `row_y` is the row's legacy y (-1 for no row), the panel's y
        inside its row yOffsetInRows (0 without a gridPos) unless `y_override` says."""
        where = f"{V1_V2} buildGridItemKind"
        pos = panel.get("gridPos")
        if isinstance(pos, dict):
            x, y, w, h = (_int(pos, k, DEFAULT_GRID[k]) for k in ("x", "y", "w", "h"))
            relative = y - row_y - GRID_ROW_HEIGHT
            for key, value in (("x", x), ("w", w), ("h", h)):
                if pos.get(key) != value:
                    self.changed(f"{pointer}/gridPos/{key}", value, f"gridPos {key}", where)
        else:
            x, relative, w, h = 0, 0, DEFAULT_GRID["w"], DEFAULT_GRID["h"]
            self.changed(
                f"{pointer}/gridPos", {"h": h, "w": w, "x": x, "y": row_y + GRID_ROW_HEIGHT},
                "a panel without gridPos: Grafana's default size, at the top of its row",
                where,
            )  # fmt: skip
        if y_override is not None:
            relative = y_override
        if isinstance(pos, dict) and pos.get("y") != relative + row_y + GRID_ROW_HEIGHT:
            self.changed(
                f"{pointer}/gridPos/y", relative + row_y + GRID_ROW_HEIGHT,
                "gridPos y (the first panel above the rows starts the grid, at y 0)"
                if y_override is not None else "gridPos y", where,
            )  # fmt: skip
        item = b.GridItem().name(name).x(x).y(relative).width(w).height(h)
        repeat = self._repeat(panel, pointer)
        if repeat is not None:
            item.repeat(repeat)
        return item

    def _repeat(self, panel: dict[str, Any], pointer: str) -> b.RepeatOptions | None:
        """getRepeatOptionsFromPanel: a non-empty variable name, then h/v and maxPerRow > 0."""
        where = f"{V1_V2} getRepeatOptionsFromPanel"
        value = panel.get("repeat")
        if not isinstance(value, str) or not value:
            if "repeat" in panel:
                self.dropped(
                    f"{pointer}/repeat", f"repeat {_short(value)}", where, value in NOTHING
                )
            return None  # and without a repeat, its direction and maxPerRow mean nothing
        repeat = b.RepeatOptions().value(value)
        direction = panel.get("repeatDirection")
        if direction in ("h", "v"):
            repeat.direction(direction)
        elif "repeatDirection" in panel:
            detail = f"direction {_short(direction)}"
            self.dropped(f"{pointer}/repeatDirection", detail, where, direction in NOTHING)
        per_row = panel.get("maxPerRow")
        if _int(panel, "maxPerRow") > 0:
            repeat.max_per_row(_int(panel, "maxPerRow"))
            if per_row != _int(panel, "maxPerRow"):
                self.changed(f"{pointer}/maxPerRow", _int(panel, "maxPerRow"), "maxPerRow", where)
        elif "maxPerRow" in panel:
            detail = f"maxPerRow {_short(per_row)}: not above 0"
            self.dropped(f"{pointer}/maxPerRow", detail, where, per_row in NOTHING)
        return repeat

    # --- panels ------------------------------------------------------------------------

    def _element(self, panel: dict[str, Any], pointer: str, elements: dict[str, Any]) -> str:
        """buildElement: the element `panel-<id>`, a library panel reference or a panel."""
        name = f"panel-{_int(panel, 'id')}"
        library = panel.get("libraryPanel")
        if isinstance(library, dict):
            where = f"{V1_V2} buildElement"
            self.unread(library, {"uid", "name"}, f"{pointer}/libraryPanel", "library panel", where)
            ref = m.LibraryPanelRef(name=_str(library, "name"), uid=_str(library, "uid"))
            elements[name] = (
                b.LibraryPanel()
                .id(_int(panel, "id"))
                .title(_str(panel, "title"))
                .library_panel(_Built(ref))
            )
        else:
            elements[name] = self._panel(panel, pointer)
        return name

    def _panel(self, panel: dict[str, Any], pointer: str) -> b.Panel:
        """buildPanelKind."""
        where = f"{V1_V2} buildPanelKind"
        for key in ("title", "description"):
            if key in panel and not isinstance(panel[key], str):
                self.changed(f"{pointer}/{key}", "", f"{key} {_short(panel[key])}", where)
        if "timeCompare" in panel:
            self.dropped(
                f"{pointer}/timeCompare", f"timeCompare {_short(panel['timeCompare'])}: "
                "a Panel field the conversion does not carry", f"{V1_V2} buildQueryOptions",
                inert=panel["timeCompare"] in NOTHING,
            )  # fmt: skip
        element = (
            b.Panel()
            .id(_int(panel, "id"))
            .title(_str(panel, "title"))
            .description(_str(panel, "description"))
            .links(self._data_links(panel, pointer))
            .data(self._query_group(panel, pointer))
            .visualization(self._viz_config(panel, pointer))
        )
        if _bool(panel, "transparent"):
            element.transparent(True)
        elif panel.get("transparent") not in (None, False):
            self.dropped(f"{pointer}/transparent", _short(panel["transparent"]), where)
        return element

    def _data_links(self, panel: dict[str, Any], pointer: str) -> list[Any]:
        where = f"{V1_V2} transformDataLinks"
        links = panel.get("links")
        out = []
        for i, link in enumerate(links if isinstance(links, list) else []):
            if not isinstance(link, dict):
                self.dropped(f"{pointer}/links/{i}", f"link {_short(link)}", where)
                continue
            self.unread(
                link, {"title", "url", "targetBlank"}, f"{pointer}/links/{i}", "link", where
            )
            url = self._bom(_str(link, "url"), f"{pointer}/links/{i}/url")
            item = b.DataLink().title(_str(link, "title")).url(url)
            if "targetBlank" in link:
                item.target_blank(_bool(link, "targetBlank"))
            out.append(item)
        return out

    # --- queries -----------------------------------------------------------------------

    def _query_group(self, panel: dict[str, Any], pointer: str) -> b.QueryGroup:
        group = b.QueryGroup().query_options(self._query_options(panel, pointer))
        group.targets(self._queries(panel, pointer))
        group.transformations(self._transformations(panel, pointer))
        return group

    def _panel_datasource(self, panel: dict[str, Any]) -> tuple[str | None, str] | None:
        """transformPanelQueries's panel datasource: (type or None, uid), None for none."""
        ds = panel.get("datasource")
        if isinstance(ds, str) and _is_template(ds):
            return None, ds
        if not isinstance(ds, dict):
            return None
        uid, kind = _str(ds, "uid"), _str(ds, "type")
        if not uid and not kind:
            return None  # an empty object stays empty
        if uid and not kind and not _is_template(uid):
            kind = self.types.get(uid, self.default_type)
        if kind == "datasource" and not uid:
            uid = GRAFANA_DATASOURCE_UID
        return kind, uid

    def _queries(self, panel: dict[str, Any], pointer: str) -> list[Any]:
        where = f"{V1_V2} transformPanelQueries"
        targets = panel.get("targets")
        if not isinstance(targets, list):
            if "targets" in panel:
                detail = f"targets {_short(targets)}"
                self.dropped(f"{pointer}/targets", detail, where, targets in NOTHING)
            if "datasource" in panel and panel["datasource"] is not None:
                self.dropped(
                    f"{pointer}/datasource", f"the datasource of a panel without queries "
                    f"({_short(panel['datasource'])}): v2 keeps datasources on queries only",
                    where,
                )  # fmt: skip
            return []
        panel_ds = self._panel_datasource(panel)
        used = {t["refId"] for t in targets if isinstance(t, dict) and _str(t, "refId")}
        out = []
        for j, target in enumerate(targets):
            here = f"{pointer}/targets/{j}"
            if not isinstance(target, dict):
                self.dropped(here, f"target {_short(target)}: not an object", where)
                continue
            if not _str(target, "refId"):
                ref = next(_ref_id(n) for n in range(len(used) + 1) if _ref_id(n) not in used)
                used.add(ref)
                self.changed(f"{here}/refId", ref, f"a query without refId gets {ref}", where)
                target = {**target, "refId": ref}
            out.append(self._query(target, panel, panel_ds, here))
        if not targets and panel.get("datasource") is not None:
            self.dropped(
                f"{pointer}/datasource", f"the datasource of a panel without queries "
                f"({_short(panel['datasource'])}): v2 keeps datasources on queries only", where,
            )  # fmt: skip
        return out

    def _query(
        self,
        target: dict[str, Any],
        panel: dict[str, Any],
        panel_ds: tuple[str | None, str] | None,
        pointer: str,
    ) -> b.Target:
        """transformSingleQuery: the query's datasource, unless the panel's applies."""
        where = f"{V1_V2} transformSingleQuery"
        kind, uid = "", ""
        ds = target.get("datasource")
        if isinstance(ds, dict) and (_str(ds, "uid") or _str(ds, "type")):
            uid, kind = _str(ds, "uid"), _str(ds, "type")
            if uid and not kind and not _is_template(uid):
                kind = self.types.get(uid, self.default_type)
            if kind == "datasource" and not uid:
                uid = GRAFANA_DATASOURCE_UID
        elif isinstance(ds, str) and _is_template(ds):
            uid = ds
        # A panel that is not "-- Mixed --" runs its queries on its own datasource.
        if panel_ds is not None and panel_ds[1] and panel_ds[1] != MIXED:
            if (not uid and not kind) or (uid != "__expr__" and uid != panel_ds[1]):
                kind = panel_ds[0] if panel_ds[0] is not None else kind
                uid = panel_ds[1]
        elif panel_ds is not None and panel_ds[0] == "datasource" and not uid and not kind:
            kind, uid = "datasource", GRAFANA_DATASOURCE_UID
        read_back = {"type": kind, **({"uid": uid} if uid else {})}
        given = target["datasource"] if "datasource" in target else panel.get("datasource")
        if given != read_back:
            self.changed(
                f"{pointer}/datasource", read_back,
                f"the query's datasource {_short(given)} → {_short(read_back)}", where,
            )  # fmt: skip
        hide = target.get("hide")
        if hide not in (None, False, True):
            self.dropped(f"{pointer}/hide", f"hide {_short(hide)}: not a bool", where)
        spec = {k: v for k, v in target.items() if k not in ("refId", "hide", "datasource")}
        return (
            b.Target()
            .ref_id(_str(target, "refId", "A") or "A")
            .hidden(_bool(target, "hide"))
            .query(_Built(data_query(spec, kind, uid)))
        )

    def _transformations(self, panel: dict[str, Any], pointer: str) -> list[Any]:
        where = f"{V1_V2} transformPanelTransformations"
        steps = panel.get("transformations")
        out = []
        for k, step in enumerate(steps if isinstance(steps, list) else []):
            here = f"{pointer}/transformations/{k}"
            if not isinstance(step, dict):
                self.dropped(here, f"transformation {_short(step)}", where)
                continue
            self.unread(
                step, {"id", "options", "disabled", "filter"}, here, "transformation", where
            )
            item = b.Transformation().group(_str(step, "id")).options(step.get("options"))
            if step.get("disabled") is True:
                item.disabled(True)
            elif "disabled" in step:  # false, or no bool: enabled
                disabled = step["disabled"]
                self.dropped(f"{here}/disabled", _short(disabled), where, disabled in NOTHING)
            matcher = step.get("filter")
            if isinstance(matcher, dict):
                self.unread(matcher, {"id", "options"}, f"{here}/filter", "filter", where)
                item.filter(
                    m.MatcherConfig(id_val=_str(matcher, "id"), options=matcher.get("options"))
                )
            elif "filter" in step:
                detail = f"filter {_short(matcher)}"
                self.dropped(f"{here}/filter", detail, where, matcher in NOTHING)
            out.append(item)
        return out

    def _query_options(self, panel: dict[str, Any], pointer: str) -> b.QueryOptionsSpec:
        """buildQueryOptions: strings that are not empty, numbers above 0, a true flag."""
        where = f"{V1_V2} buildQueryOptions"
        options = b.QueryOptionsSpec()
        for key, method in QUERY_OPTIONS.items():
            if key not in panel:
                continue
            value = panel[key]
            kept = _query_option(key, value)
            if kept is None:
                self.dropped(f"{pointer}/{key}", f"{key} {_short(value)}", where, value in NOTHING)
                continue
            if kept != value:
                self.changed(f"{pointer}/{key}", kept, f"{key} {_short(value)} → {kept}", where)
            getattr(options, method)(kept)
        return options

    # --- visualisation -----------------------------------------------------------------

    def _viz_config(self, panel: dict[str, Any], pointer: str) -> _Built[m.VizConfigKind]:
        """buildVizConfig: the plugin, its options and the field config."""
        where = f"{V1_V2} buildVizConfig"
        panel_type = _str(panel, "type", "timeseries")
        if "type" not in panel or not isinstance(panel["type"], str):
            self.changed(f"{pointer}/type", panel_type, "a panel without a type string", where)
        options = panel.get("options")
        if not isinstance(options, dict):
            if "options" in panel:
                detail = f"options {_short(options)}"
                self.dropped(f"{pointer}/options", detail, where, options in NOTHING)
            options = {}
        options = dict(options)
        original = {k: v for k, v in panel.items() if k not in KNOWN_PANEL_KEYS}
        migrate_from = panel.get("autoMigrateFrom")
        if not isinstance(migrate_from, str) or not migrate_from:
            if migrate_from is not None:
                self.dropped(f"{pointer}/autoMigrateFrom", _short(migrate_from), where, True)
            migrate_from = ""
            successor = angular_successor(panel_type, panel)
            if successor:
                migrate_from = panel_type
                self.changed(
                    f"{pointer}/type", successor,
                    f"the Angular panel '{panel_type}' becomes '{successor}'", ANGULAR,
                )  # fmt: skip
                self.changed(
                    f"{pointer}/autoMigrateFrom", panel_type,
                    f"'{panel_type}' kept in options.{ANGULAR_MIGRATION}.autoMigrateFrom, for "
                    "Grafana's panel migration on load", where,
                )  # fmt: skip
                panel_type = successor
            elif original:
                migrate_from = panel_type
        elif migrate_from == panel_type:
            self.dropped(
                f"{pointer}/autoMigrateFrom", f"autoMigrateFrom '{migrate_from}', the panel's "
                "own type", where, inert=True,
            )  # fmt: skip
        if original:
            self.notes.append(
                Note(
                    pointer,
                    "moved",
                    f"panel key(s) {', '.join(sorted(original))} (no Panel field) to "
                    f"options.{ANGULAR_MIGRATION}.originalOptions, for Grafana's panel "
                    "migration on load",
                    f"{V1_V2} extractAngularOptions",
                )
            )
        if migrate_from:
            options[ANGULAR_MIGRATION] = {
                "autoMigrateFrom": migrate_from,
                "originalOptions": original,
            }
        stripped = _strip_bom(options)
        if stripped != options:
            self.changed(
                f"{pointer}/options", {k: v for k, v in stripped.items() if k != ANGULAR_MIGRATION},
                "byte order marks removed from the options", where,
            )  # fmt: skip
        viz = m.VizConfigKind(group=panel_type, version=_str(panel, "pluginVersion"))
        field_config = self._field_config(panel.get("fieldConfig"), f"{pointer}/fieldConfig")
        viz.spec = _PlainSpec(stripped, field_config)  # type: ignore[assignment]
        return _Built(viz)

    def _field_config(self, source: Any, pointer: str) -> dict[str, Any]:
        """extractFieldConfigSource: defaults field by field, overrides matcher + properties."""
        where = f"{V1_V2} extractFieldConfigSource"
        data = _dict(source)
        if source is not None and not isinstance(source, dict):
            self.dropped(pointer, f"fieldConfig {_short(source)}", where)
        self.unread(data, {"defaults", "overrides"}, pointer, "fieldConfig", where)
        defaults = data.get("defaults")
        out_defaults = self._field_defaults(_dict(defaults), f"{pointer}/defaults")
        if defaults is not None and not isinstance(defaults, dict):
            self.dropped(f"{pointer}/defaults", f"defaults {_short(defaults)}", where)
        return {
            "defaults": out_defaults,
            "overrides": self._overrides(data.get("overrides"), f"{pointer}/overrides"),
        }

    def _field_defaults(self, defaults: dict[str, Any], pointer: str) -> dict[str, Any]:
        """extractFieldConfigDefaults: the FieldConfig fields of their type; `custom: {}`
        when none is there."""
        where = f"{V1_V2} extractFieldConfigDefaults"
        self.unread(defaults, FIELD_DEFAULT_KEYS, pointer, "field config", where)
        out: dict[str, Any] = {}
        kinds: dict[str, Any] = {
            "custom": dict, "decimals": _number, "max": _number, "min": _number,
            "description": str, "displayName": str, "displayNameFromDS": str, "noValue": str,
            "path": str, "unit": str, "filterable": bool, "writeable": bool,
            "fieldMinMax": bool, "nullValueMode": str, "links": list, "actions": list,
        }  # fmt: skip
        for key, kind in kinds.items():
            if key not in defaults:
                continue
            value = defaults[key]
            if not (_number(value) if kind is _number else isinstance(value, kind)):
                self.dropped(
                    f"{pointer}/{key}", f"{key} {_short(value)}: not a {_kind(kind)}", where
                )
                continue
            out[key] = value
        # hasDefaults: a field of its type, or any `mappings`, keeps `custom: {}` out.
        carried = bool(out) or "mappings" in defaults
        carried = carried or any(isinstance(defaults.get(k), dict) for k in ("color", "thresholds"))
        if "links" in out:
            out["links"] = self._bom(out["links"], f"{pointer}/links")
        if "actions" in out:
            out["actions"] = self._actions(out["actions"], f"{pointer}/actions")
            if out["actions"] is None:
                del out["actions"]
        if isinstance(defaults.get("color"), dict):
            out["color"] = self._color(defaults["color"], f"{pointer}/color")
        elif "color" in defaults:
            self.dropped(f"{pointer}/color", f"color {_short(defaults['color'])}", where)
        if "mappings" in defaults:
            mappings = self._mappings(defaults["mappings"], f"{pointer}/mappings")
            if mappings:
                out["mappings"] = mappings
        if isinstance(defaults.get("thresholds"), dict):
            out["thresholds"] = self._thresholds(defaults["thresholds"], f"{pointer}/thresholds")
        elif "thresholds" in defaults:
            self.dropped(f"{pointer}/thresholds", _short(defaults["thresholds"]), where)
        if not carried:
            out["custom"] = {}
        return out

    def _color(self, color: dict[str, Any], pointer: str) -> dict[str, Any]:
        where = f"{V1_V2} buildFieldColor"
        self.unread(color, {"mode", "fixedColor", "seriesBy"}, pointer, "color", where)
        out: dict[str, Any] = {"mode": _str(color, "mode")}
        if "mode" not in color or not isinstance(color["mode"], str):
            self.changed(f"{pointer}/mode", "", f"color mode {_short(color.get('mode'))}", where)
        for key in ("fixedColor", "seriesBy"):
            if isinstance(color.get(key), str):
                out[key] = color[key]
            elif key in color:
                self.dropped(f"{pointer}/{key}", _short(color[key]), where)
        return out

    def _thresholds(self, thresholds: dict[str, Any], pointer: str) -> dict[str, Any]:
        """buildThresholdsConfig: a step without a number value is the base step, value null
        (-Infinity)."""
        where = f"{V1_V2} buildThresholdsConfig"
        self.unread(thresholds, {"mode", "steps"}, pointer, "thresholds", where)
        out: dict[str, Any] = {"mode": _str(thresholds, "mode")}
        if not isinstance(thresholds.get("mode"), str):
            self.changed(f"{pointer}/mode", "", f"mode {_short(thresholds.get('mode'))}", where)
        steps = thresholds.get("steps")
        out["steps"] = []
        if not isinstance(steps, list):
            self.changed(f"{pointer}/steps", [], f"steps {_short(steps)}", where, steps is None)
        for i, step in enumerate(steps if isinstance(steps, list) else []):
            here = f"{pointer}/steps/{i}"
            if not isinstance(step, dict):
                self.dropped(here, f"step {_short(step)}", where)
                continue
            self.unread(step, {"value", "color"}, here, "threshold step", where)
            value = step.get("value")
            if not _number(value):
                value = None
                if "value" not in step:
                    self.changed(
                        f"{here}/value", None, "a step without value: Grafana's base step, "
                        "value null (from -Infinity)", where, inert=True,
                    )  # fmt: skip
                elif step["value"] is not None:
                    self.changed(
                        f"{here}/value", None, f"value {_short(step['value'])} is no number: "
                        "null (from -Infinity)", where,
                    )  # fmt: skip
            if not isinstance(step.get("color"), str):
                self.changed(f"{here}/color", "", f"color {_short(step.get('color'))}", where)
            out["steps"].append({"value": value, "color": _str(step, "color")})
        return out

    def _mappings(self, mappings: Any, pointer: str) -> list[dict[str, Any]]:
        """buildValueMappings: value, range, regex and special maps; others are skipped."""
        where = f"{V1_V2} buildValueMappings"
        if not isinstance(mappings, list) or not mappings:
            self.dropped(pointer, f"mappings {_short(mappings)}", where, mappings in NOTHING)
            return []
        out = []
        for i, mapping in enumerate(mappings):
            here = f"{pointer}/{i}"
            kind = _dict(mapping).get("type")
            built = self._mapping(_dict(mapping), kind, here) if isinstance(kind, str) else None
            if built is None:
                self.dropped(here, f"value mapping {_short(mapping)}", where)
                continue
            self.unread(_dict(mapping), {"type", "options"}, here, "value mapping", where)
            out.append(built)
        return out

    def _mapping(self, mapping: dict[str, Any], kind: str, pointer: str) -> dict[str, Any] | None:
        options = mapping.get("options")
        if kind == "value":
            if not isinstance(options, dict):
                return {"type": "value", "options": None}
            results = {}
            for key, value in options.items():
                here = f"{pointer}/options/{_escape(key)}"
                if isinstance(value, dict):
                    results[key] = self._mapping_result(value, here)
                else:
                    self.dropped(here, f"mapping result {_short(value)}", f"{V1_V2} buildValueMap")
            return {"type": "value", "options": results}
        if not isinstance(options, dict) or (kind != "regex" and not options):
            return None
        result = self._mapping_result(_dict(options.get("result")), f"{pointer}/options/result")
        if kind == "range":
            if options.get("from") is None and options.get("to") is None:
                return None
            for bound in ("from", "to"):  # none, or no number: unbounded (null)
                if not _number(options.get(bound)) and options.get(bound, 0) is not None:
                    where = f"{V1_V2} buildRangeMap"
                    self.changed(
                        f"{pointer}/options/{bound}", None, f"{bound}: unbounded", where, True
                    )
            return {
                "type": "range",
                "options": {
                    "from": options["from"] if _number(options.get("from")) else None,
                    "to": options["to"] if _number(options.get("to")) else None,
                    "result": result,
                },
            }
        if kind == "regex":
            return {
                "type": "regex",
                "options": {"pattern": _str(options, "pattern"), "result": result},
            }
        if kind == "special":
            return {
                "type": "special",
                "options": {"match": _str(options, "match"), "result": result},
            }
        return None

    def _mapping_result(self, result: dict[str, Any], pointer: str) -> dict[str, Any]:
        where = f"{V1_V2} buildValueMappingResult"
        self.unread(result, {"text", "color", "icon", "index"}, pointer, "mapping result", where)
        out = {k: result[k] for k in ("text", "color", "icon") if isinstance(result.get(k), str)}
        if _number(result.get("index")):
            out["index"] = int(result["index"])
        return out

    def _overrides(self, overrides: Any, pointer: str) -> list[dict[str, Any]]:
        where = f"{V1_V2} extractFieldConfigOverrides"
        out = []
        if overrides is not None and not isinstance(overrides, list):
            self.changed(pointer, [], f"overrides {_short(overrides)}", where)
        for i, item in enumerate(overrides if isinstance(overrides, list) else []):
            here = f"{pointer}/{i}"
            if not isinstance(item, dict):
                self.dropped(here, f"override {_short(item)}", where)
                continue
            self.unread(item, {"matcher", "properties", "__systemRef"}, here, "override", where)
            matcher = _dict(item.get("matcher"))
            self.unread(matcher, {"id", "options"}, f"{here}/matcher", "matcher", where)
            entry: dict[str, Any] = {"matcher": {"id": _str(matcher, "id")}}
            if matcher.get("options") is not None:
                entry["matcher"]["options"] = matcher["options"]
            properties = item.get("properties")
            entry["properties"] = [
                {
                    "id": _str(p, "id"),
                    "value": self._bom(p.get("value"), f"{here}/properties/{k}/value"),
                }
                for k, p in enumerate(properties if isinstance(properties, list) else [])
                if isinstance(p, dict)
            ]
            if isinstance(item.get("__systemRef"), str):
                entry["__systemRef"] = item["__systemRef"]
            out.append(entry)
        return out

    def _actions(self, actions: list[Any], pointer: str) -> list[dict[str, Any]] | None:
        """convertActionsToV2: type, title and their typed options."""
        where = f"{V1_V2} convertActionsToV2"
        out = []
        for i, action in enumerate(actions):
            if not isinstance(action, dict):
                self.dropped(f"{pointer}/{i}", f"action {_short(action)}", where)
                continue
            known = {"type", "title", "confirmation", "oneClick", "fetch", "infinity"}
            self.unread(action, known | {"variables", "style"}, f"{pointer}/{i}", "action", where)
            item: dict[str, Any] = {"type": _str(action, "type"), "title": _str(action, "title")}
            if _str(action, "confirmation"):
                item["confirmation"] = action["confirmation"]
            if isinstance(action.get("oneClick"), bool):
                item["oneClick"] = action["oneClick"]
            for key in ("fetch", "infinity"):
                if isinstance(action.get(key), dict):
                    item[key] = _request(action[key], key == "infinity")
            if isinstance(action.get("variables"), list):
                item["variables"] = [
                    {k: _str(v, k) for k in ("key", "name", "type")}
                    for v in action["variables"]
                    if isinstance(v, dict)
                ]
            if isinstance(action.get("style"), dict):
                style = action["style"]
                item["style"] = (
                    {"backgroundColor": style["backgroundColor"]}
                    if isinstance(style.get("backgroundColor"), str)
                    else {}
                )
            out.append(item)
        return out or None

    # --- variables ---------------------------------------------------------------------

    def _variables(self, model: dict[str, Any]) -> list[Any]:
        """transformVariables: the kinds Grafana knows; any other type is skipped."""
        where = f"{V1_V2} transformVariables"
        templating = _dict(model.get("templating"))
        self.unread(templating, {"list"}, "/templating", "templating", where)
        items = templating.get("list")
        out = []
        for i, var in enumerate(items if isinstance(items, list) else []):
            pointer = f"/templating/list/{i}"
            kind = _str(_dict(var), "type")
            if not isinstance(var, dict) or kind not in VARIABLE_KEYS:
                self.dropped(
                    pointer, f"variable of type {_short(_dict(var).get('type'))}: a type "
                    "Grafana's conversion skips", where,
                )  # fmt: skip
                continue
            out.append(self._variable(var, kind, pointer))
        return out

    def _variable(self, var: dict[str, Any], kind: str, pointer: str) -> Any:
        where = f"{V1_V2} build{kind.capitalize()}Variable"
        known = COMMON_VARIABLE_KEYS | VARIABLE_KEYS[kind]
        if kind != "interval":
            known |= set(INTERVAL_ONLY)  # what the SDK writes on every variable, unread
        self.unread(var, known, pointer, "variable", where, VARIABLE_DEFAULTS)
        name = _str(var, "name")
        builder: Any = {
            "query": self._query_variable,
            "datasource": self._datasource_variable,
            "custom": self._custom_variable,
            "constant": self._constant_variable,
            "interval": self._interval_variable,
            "textbox": lambda n, v, p: b.TextVariable(n).query(_str(v, "query")),
            "switch": self._switch_variable,
            "adhoc": self._adhoc_variable,
            "groupby": self._group_by_variable,
        }[kind](name, var, pointer)
        if isinstance(builder, _Built):
            return builder  # built whole (their kinds carry the datasource)
        if kind != "constant":
            builder.current(self._current(var.get("current"), f"{pointer}/current"))
        builder.skip_url_sync(_bool(var, "skipUrlSync"))
        builder.hide(m.VariableHide(self._hide(var, pointer)))
        if _str(var, "label"):
            builder.label(var["label"])
        if _str(var, "description"):
            builder.description(var["description"])
        return builder

    def _hide(self, var: dict[str, Any], pointer: str) -> str:
        """transformVariableHideToEnum: 0, 1, 2 (or their names); anything else dontHide."""
        hide = var.get("hide")
        if _number(hide) and int(hide) in HIDE:
            return HIDE[int(hide)]
        if isinstance(hide, str) and hide in (*HIDE.values(), ""):
            number = {v: k for k, v in HIDE.items()}.get(hide, 0)
            self.changed(
                f"{pointer}/hide", number, f"hide '{hide}' (read back as v1: {number})",
                f"{V1_V2} transformVariableHideToEnum", inert=True,
            )  # fmt: skip
            return hide or "dontHide"
        if hide is not None:
            self.changed(
                f"{pointer}/hide", 0, f"hide {_short(hide)} → dontHide (Grafana maps 0, 1, 2)",
                f"{V1_V2} transformVariableHideToEnum", inert=hide is False,
            )  # fmt: skip
        return "dontHide"

    def _enum(
        self, var: dict[str, Any], key: str, table: dict[int, str], count: int, pointer: str
    ) -> str:
        """transformVariableRefreshToEnum / transformVariableSortToEnum: the first `count`
        numbers or a known name; anything else the first."""
        value = var.get(key)
        if _number(value) and int(value) in table and int(value) < count:
            return table[int(value)]
        if isinstance(value, str) and value in table.values():
            number = {v: k for k, v in table.items()}[value]
            self.changed(
                f"{pointer}/{key}", number, f"{key} '{value}' (read back as v1: {number})",
                V1_V2, inert=True,
            )  # fmt: skip
            return value
        if value is not None and value != "":
            name = "Refresh" if key == "refresh" else "Sort"
            self.changed(
                f"{pointer}/{key}", 0, f"{key} {_short(value)} → {table[0]}",
                f"{V1_V2} transformVariable{name}ToEnum", inert=value is False,
            )  # fmt: skip
        return table[0]

    def _option_value(self, value: Any, pointer: str) -> str | list[str]:
        """buildStringOrArrayOfString: a string, the strings of a list, else ""."""
        if isinstance(value, str):
            return value
        if isinstance(value, list):
            strings = [v for v in value if isinstance(v, str)]
            if len(strings) != len(value):
                self.changed(pointer, strings, "only the strings of the list", V1_V2)
            return strings
        if isinstance(value, dict) and isinstance(value.get(LEGACY_STRING), str):
            self.changed(pointer, value[LEGACY_STRING], "a legacy string value", V1_V2)
            return str(value[LEGACY_STRING])
        if value is not None:
            self.changed(pointer, "", f"{_short(value)} is no string", V1_V2)
        return ""

    def _current(self, current: Any, pointer: str) -> m.VariableOption:
        """buildVariableCurrent: text and value; a current's `selected` means nothing."""
        data = _dict(current)
        where = f"{V1_V2} buildVariableCurrent"
        if current is not None and not isinstance(current, dict):
            self.dropped(pointer, f"current {_short(current)}", where)
        for key in sorted(set(data) - {"text", "value"}):
            self.dropped(f"{pointer}/{key}", f"current {key} {_short(data[key])}", where, True)
        return m.VariableOption(
            text=self._option_value(data.get("text"), f"{pointer}/text"),
            value=self._option_value(data.get("value"), f"{pointer}/value"),
        )

    def _options(self, options: Any, pointer: str) -> list[m.VariableOption]:
        """buildVariableOptions: text, value and selected (false unless true)."""
        out = []
        if options is not None and not isinstance(options, list):
            self.dropped(pointer, f"options {_short(options)}", f"{V1_V2} buildVariableOptions")
        for i, option in enumerate(options if isinstance(options, list) else []):
            here = f"{pointer}/{i}"
            if not isinstance(option, dict):
                self.dropped(here, f"option {_short(option)}", f"{V1_V2} buildVariableOptions")
                continue
            self.unread(option, {"text", "value", "selected"}, here, "option", V1_V2)
            out.append(
                m.VariableOption(
                    text=self._option_value(option.get("text"), f"{here}/text"),
                    value=self._option_value(option.get("value"), f"{here}/value"),
                    selected=_bool(option, "selected"),
                )
            )
        return out

    def _variable_datasource(self, var: dict[str, Any]) -> tuple[str, str]:
        """The (type, uid) of a query, ad hoc or group-by variable's datasource."""
        ds = var.get("datasource")
        if isinstance(ds, dict):
            uid, kind = _str(ds, "uid"), _str(ds, "type")
            if uid and not kind and not _is_template(uid):
                kind = self.types.get(uid, self.default_type)
            elif not uid and not kind:
                kind = self.default_type
            return kind, uid
        if isinstance(ds, str) and _is_template(ds):
            return "", ds
        return self.default_type, ""

    def _note_datasource(self, var: dict[str, Any], kind: str, uid: str, pointer: str) -> None:
        read_back = {"type": kind, **({"uid": uid} if uid else {})}
        if var.get("datasource") != read_back:
            self.changed(
                f"{pointer}/datasource", read_back,
                f"datasource {_short(var.get('datasource'))} → {_short(read_back)}",
                f"{V1_V2} buildQueryVariable", inert="datasource" not in var,
            )  # fmt: skip

    def _choices(self, builder: Any, var: dict[str, Any], pointer: str) -> Any:
        """What query, datasource and custom variables share: options, multi, All."""
        builder.options(self._options(var.get("options"), f"{pointer}/options"))
        builder.multi(_bool(var, "multi")).include_all(_bool(var, "includeAll"))
        builder.allow_custom_value(_bool(var, "allowCustomValue", True))
        if _str(var, "allValue"):
            builder.all_value(var["allValue"])
        return builder

    def _query_variable(self, name: str, var: dict[str, Any], pointer: str) -> b.QueryVariable:
        kind, uid = self._variable_datasource(var)
        self._note_datasource(var, kind, uid, pointer)
        query = var.get("query")
        spec = query if isinstance(query, dict) else {}
        if isinstance(query, str) and query:
            spec = {LEGACY_STRING: query}
        elif query == {}:
            self.changed(f"{pointer}/query", "", "an empty query", V1_V2, inert=True)
        elif "query" in var and not isinstance(query, dict | str):
            where = f"{V1_V2} buildDataQueryKind"
            self.dropped(f"{pointer}/query", f"query {_short(query)}", where, query in NOTHING)
        out = (
            b.QueryVariable(name)
            .query(_Built(data_query(spec, kind, uid)))
            .refresh(m.VariableRefresh(self._enum(var, "refresh", REFRESH, 3, pointer)))
            .sort(m.VariableSort(self._enum(var, "sort", SORT, SORT_NUMBERS, pointer)))
            .regex(_str(var, "regex"))
        )
        if isinstance(var.get("definition"), str):
            out.definition(var["definition"])
        if _str(var, "regexApplyTo"):
            out.regex_apply_to(var["regexApplyTo"])  # Grafana's cast: any string
        if isinstance(var.get("staticOptions"), list):
            out.static_options(self._options(var["staticOptions"], f"{pointer}/staticOptions"))
        if var.get("staticOptionsOrder") in ("before", "after", "sorted"):
            out.static_options_order(var["staticOptionsOrder"])
        return self._choices(out, var, pointer)  # type: ignore[no-any-return]

    def _datasource_variable(
        self, name: str, var: dict[str, Any], pointer: str
    ) -> b.DatasourceVariable:
        """buildDatasourceVariable: the plugin id is the query string, else the default
        datasource's type."""
        query = var.get("query")
        plugin = query if isinstance(query, str) else self.default_type
        if not isinstance(query, str):
            self.changed(
                f"{pointer}/query", plugin, f"a datasource variable without a query string: "
                f"pluginId {plugin}, the default datasource's type",
                f"{V1_V2} buildDatasourceVariable",
            )  # fmt: skip
        out = (
            b.DatasourceVariable(name)
            .plugin_id(plugin)
            .refresh(m.VariableRefresh(self._enum(var, "refresh", REFRESH, 3, pointer)))
            .regex(_str(var, "regex"))
        )
        return self._choices(out, var, pointer)  # type: ignore[no-any-return]

    def _custom_variable(self, name: str, var: dict[str, Any], pointer: str) -> b.CustomVariable:
        out = b.CustomVariable(name).query(_str(var, "query"))
        if var.get("valuesFormat") in ("json", "csv"):
            out.values_format(var["valuesFormat"])
        return self._choices(out, var, pointer)  # type: ignore[no-any-return]

    def _constant_variable(
        self, name: str, var: dict[str, Any], pointer: str
    ) -> b.ConstantVariable:
        """buildConstantVariable: the current value is the query's when none is given."""
        query = _str(var, "query")
        out = b.ConstantVariable(name).query(query)
        if var.get("current") is not None:
            out.current(self._current(var["current"], f"{pointer}/current"))
        else:
            out.current(m.VariableOption(text=query, value=query))
            if query:
                self.changed(
                    f"{pointer}/current", {"text": query, "value": query},
                    "a constant's current value is its query", f"{V1_V2} buildConstantVariable",
                    inert=True,
                )  # fmt: skip
        return out

    def _interval_variable(
        self, name: str, var: dict[str, Any], pointer: str
    ) -> b.IntervalVariable:
        """buildIntervalVariable: the query (from the options when empty); refresh always on
        time range change; auto_min "" and auto_count 0 when not given."""
        where = f"{V1_V2} buildIntervalVariable"
        query = _str(var, "query")
        if not query and isinstance(var.get("options"), list):
            values = [_interval_value(o) for o in var["options"] if isinstance(o, dict)]
            if any(values):
                query = ",".join(v for v in values if v)
                self.changed(f"{pointer}/query", query, "the query made from the options", where)
        refresh = var.get("refresh")
        if refresh not in (None, 2, 2.0, "onTimeRangeChanged"):
            self.changed(f"{pointer}/refresh", 2, f"refresh {_short(refresh)} → 2", where)
        for key, default in (("auto", False), ("auto_min", ""), ("auto_count", 0)):
            if key not in var:
                self.changed(f"{pointer}/{key}", default, f"{key} not given: {default!r}", where)
        return (
            b.IntervalVariable(name)
            .query(query)
            .options(self._options(var.get("options"), f"{pointer}/options"))
            .auto(_bool(var, "auto"))
            .auto_min(_str(var, "auto_min"))
            .auto_count(_int(var, "auto_count"))
        )

    def _switch_variable(self, name: str, var: dict[str, Any], pointer: str) -> _Built[Any]:
        """buildSwitchVariable: enabled and disabled values from the first two options."""
        options = [o for o in var.get("options") or [] if isinstance(o, dict)]
        values = [_option_text(o) for o in options[:2]] + ["", ""]
        enabled, disabled = values[0] or "true", values[1] or "false"
        current = _option_text(_dict(var.get("current"))) or disabled
        spec = self._common(var, pointer)
        spec.update(current=current, enabledValue=enabled, disabledValue=disabled)
        # A switch reads back as its two values, the current one selected.
        where = f"{V1_V2} buildSwitchVariable"
        read_back = [{"text": v, "value": v, "selected": v == current} for v in (enabled, disabled)]
        if var.get("options") != read_back:
            self.changed(f"{pointer}/options", read_back, "the switch's two values", where)
        if var.get("current") != {"text": current, "value": current}:
            self.changed(
                f"{pointer}/current", {"text": current, "value": current}, "its value", where
            )
        return _Built({"kind": "SwitchVariable", "spec": spec})

    def _common(self, var: dict[str, Any], pointer: str) -> dict[str, Any]:
        spec: dict[str, Any] = {
            "name": _str(var, "name"),
            "hide": self._hide(var, pointer),
            "skipUrlSync": _bool(var, "skipUrlSync"),
        }
        for key in ("label", "description"):
            if _str(var, key):
                spec[key] = var[key]
        return spec

    def _datasource_kind(self, var: dict[str, Any], pointer: str, what: str) -> dict[str, Any]:
        """An ad hoc or group-by variable's kind fields; Grafana's v2alpha1 → v2beta1 step
        dereferences the datasource, so one without a uid fails there."""
        kind, uid = self._variable_datasource(var)
        if kind == "datasource" and not uid:
            uid = GRAFANA_DATASOURCE_UID
        if not uid:
            raise Unconvertible(
                f"{pointer}/datasource",
                f"{what} variable '{_str(var, 'name')}' has no datasource uid: Grafana's "
                f"conversion fails on it ({ALPHA_BETA} convertVariable_V2alpha1_to_V2beta1 "
                "reads its datasource); give it a datasource {type, uid}",
            )
        self._note_datasource(var, kind, uid, pointer)
        return {"group": kind, "datasource": {"name": uid}}

    def _adhoc_variable(self, name: str, var: dict[str, Any], pointer: str) -> _Built[Any]:
        """buildAdhocVariable: filters (those of the dashboard), base filters, default keys."""
        head = self._datasource_kind(var, pointer, "ad hoc")
        spec = self._common(var, pointer)
        spec.update(
            baseFilters=self._filters(var.get("baseFilters"), f"{pointer}/baseFilters"),
            filters=self._filters(var.get("filters"), f"{pointer}/filters"),
            defaultKeys=self._default_keys(var.get("defaultKeys"), f"{pointer}/defaultKeys"),
            allowCustomValue=_bool(var, "allowCustomValue", True),
        )
        return _Built({"kind": "AdhocVariable", **head, "spec": spec})

    def _group_by_variable(self, name: str, var: dict[str, Any], pointer: str) -> _Built[Any]:
        head = self._datasource_kind(var, pointer, "group-by")
        spec = self._common(var, pointer)
        spec.update(
            current=to_plain(self._current(var.get("current"), f"{pointer}/current")),
            options=to_plain(self._options(var.get("options"), f"{pointer}/options")),
            multi=_bool(var, "multi", True),
        )
        if not isinstance(var.get("multi"), bool):
            where = f"{V1_V2} buildGroupByVariable"
            self.changed(
                f"{pointer}/multi", True, "multi: a group-by is multi by default", where, True
            )
        if isinstance(var.get("defaultValue"), dict):
            spec["defaultValue"] = to_plain(
                self._current(var["defaultValue"], f"{pointer}/defaultValue")
            )
        return _Built({"kind": "GroupByVariable", **head, "spec": spec})

    def _filters(self, filters: Any, pointer: str) -> list[dict[str, Any]]:
        """transformAdHocFilters: those without an origin or of the dashboard's."""
        where = f"{V1_V2} transformAdHocFilters"
        out = []
        for i, item in enumerate(filters if isinstance(filters, list) else []):
            data = _dict(item)
            origin = _str(data, "origin")
            if not isinstance(item, dict) or origin not in ("", "dashboard"):
                self.dropped(f"{pointer}/{i}", f"filter {_short(item)}", where)
                continue
            entry: dict[str, Any] = {
                "key": _str(data, "key"),
                "operator": _str(data, "operator", "="),
                "value": _str(data, "value"),
            }
            if origin:
                entry["origin"] = origin
            for key in ("keyLabel", "condition"):
                if _str(data, key):
                    entry[key] = data[key]
            for key in ("values", "valueLabels"):
                strings = [v for v in data.get(key) or [] if isinstance(v, str)]
                if strings:
                    entry[key] = strings
            if entry != data:
                self.changed(f"{pointer}/{i}", entry, f"filter {_short(data)} as kept", where)
            out.append(entry)
        return out

    def _default_keys(self, keys: Any, pointer: str) -> list[dict[str, Any]]:
        """transformMetricFindValues: a key's text is its value too."""
        out = []
        for i, item in enumerate(keys if isinstance(keys, list) else []):
            text = item if isinstance(item, str) else _str(_dict(item), "text")
            if text:
                out.append({"text": text, "value": text})
                if item != out[-1]:
                    self.changed(
                        f"{pointer}/{i}", out[-1], f"default key {_short(item)}: its text is "
                        "its value", f"{V1_V2} transformMetricFindValues",
                    )  # fmt: skip
            else:
                self.dropped(f"{pointer}/{i}", f"default key {_short(item)}", V1_V2)
        return out

    # --- annotations -------------------------------------------------------------------

    def _annotations(self, model: dict[str, Any]) -> list[Any]:
        where = f"{V1_V2} buildAnnotationQuery"
        annotations = _dict(model.get("annotations"))
        self.unread(annotations, {"list"}, "/annotations", "annotations", where)
        items = annotations.get("list")
        out = []
        for i, item in enumerate(items if isinstance(items, list) else []):
            if isinstance(item, dict):
                out.append(self._annotation(item, f"/annotations/list/{i}"))
            else:
                self.dropped(f"/annotations/list/{i}", f"annotation {_short(item)}", where)
        return out

    def _annotation(self, item: dict[str, Any], pointer: str) -> b.AnnotationQuery:
        """buildAnnotationQuery: the datasource when it has a uid and a type, the target as
        the query, every other key a legacy option."""
        where = f"{V1_V2} buildAnnotationQuery"
        ds = _dict(item.get("datasource"))
        kind, uid = _str(ds, "type"), _str(ds, "uid")
        uid = uid if kind and uid else ""  # the reference is kept only with both
        read_back = {"type": kind, **({"uid": uid} if uid else {})} if kind else None
        if item.get("datasource") != read_back:
            detail = (
                f"datasource {_short(item.get('datasource'))}: a reference needs a uid and a type"
            )
            if read_back is None:
                self.dropped(f"{pointer}/datasource", detail, where)
            else:
                self.changed(f"{pointer}/datasource", read_back, detail, where)
        target = item.get("target")
        spec = target if isinstance(target, dict) else {}
        if "target" in item and not (isinstance(target, dict) and target):
            self.dropped(f"{pointer}/target", f"target {_short(target)}", where, target in NOTHING)
        for key, value in (("enable", False), ("hide", False), ("iconColor", ""), ("name", "")):
            if not isinstance(item.get(key), type(value)):
                self.changed(
                    f"{pointer}/{key}", value, f"{key} {_short(item.get(key))} → {value!r}",
                    where, inert=key != "enable",
                )  # fmt: skip
        out = (
            b.AnnotationQuery()
            .query(_Built(data_query(spec, kind, uid)))
            .enable(_bool(item, "enable"))
            .hide(_bool(item, "hide"))
            .icon_color(_str(item, "iconColor"))
            .name(_str(item, "name"))
        )
        built_in = item.get("builtIn")
        if _number(built_in) or isinstance(built_in, bool):
            out.built_in(bool(built_in))
        if isinstance(item.get("filter"), dict):
            out.filter(_Built(self._annotation_filter(item["filter"], f"{pointer}/filter")))
        if isinstance(item.get("mappings"), dict):
            out.mappings(self._event_mappings(item["mappings"], f"{pointer}/mappings"))
        legacy = {k: v for k, v in item.items() if k not in ANNOTATION_KEYS}
        if _str(item, "type"):
            legacy["type"] = item["type"]
        elif "type" in item:
            self.dropped(
                f"{pointer}/type", f"type {_short(item['type'])}", where, item["type"] in NOTHING
            )
        if legacy:
            out.legacy_options(legacy)
        return out

    def _annotation_filter(self, data: dict[str, Any], pointer: str) -> m.AnnotationPanelFilter:
        where = f"{V1_V2} buildAnnotationFilter"
        self.unread(data, {"exclude", "ids"}, pointer, "annotation filter", where)
        ids = data.get("ids")
        kept = (
            [int(i) for i in ids if _number(i) and 0 <= i <= 2**32 - 1]
            if isinstance(ids, list)
            else []
        )
        if isinstance(ids, list) and kept != ids:
            self.changed(f"{pointer}/ids", kept, "panel ids: whole numbers only", where)
        if data.get("exclude") is False:
            self.dropped(f"{pointer}/exclude", "exclude false", where, inert=True)
        exclude = True if data.get("exclude") is True else None
        return m.AnnotationPanelFilter(exclude=exclude, ids=kept)  # type: ignore[arg-type]

    def _event_mappings(self, mappings: dict[str, Any], pointer: str) -> dict[str, Any]:
        """convertAnnotationMappings: "field": "name" is {source: field, value: name}."""
        where = f"{V1_V2} convertAnnotationMappings_V1beta1_to_V2alpha1"
        out = {}
        for key, value in mappings.items():
            here = f"{pointer}/{_escape(key)}"
            if isinstance(value, str) and value:
                mapped = m.AnnotationEventFieldMapping(source="field", value=value)
                self.changed(here, {"source": "field", "value": value}, "a field name", where)
            elif isinstance(value, dict):
                mapped = m.AnnotationEventFieldMapping(
                    source=_str(value, "source") or "field",
                    value=_str(value, "value") or None,
                    regex=_str(value, "regex") or None,
                )
            else:
                self.dropped(here, f"mapping {_short(value)}", where)
                continue
            out[key] = _Built(mapped)
        return out


# --- helpers shared with the read-back ----------------------------------------------------


def data_query(spec: Any, group: str, uid: str) -> m.DataQueryKind:
    """A `DataQuery` (v2alpha1 → v2beta1: the group is the datasource type, `datasource.name`
    its uid, only when there is one)."""
    return m.DataQueryKind(
        group=group,
        version="v0",
        datasource=m.Dashboardv2DataQueryKindDatasource(name=uid) if uid else None,
        spec=spec,
    )


def _query_option(key: str, value: Any) -> Any:
    """The value buildQueryOptions keeps for a panel key, None for none."""
    if key == "hideTimeOverride":
        return True if value is True else None
    if key == "maxDataPoints":
        number = _int({key: value}, key)
        return number if number > 0 else None
    if key == "queryCachingTTL":
        if _number(value):
            return int(value)
        if isinstance(value, str) and value.strip().lstrip("-").isdigit():
            return int(value)
        return None
    return value if isinstance(value, str) and value else None


def _all_panels(model: dict[str, Any]) -> Iterator[tuple[Any, str]]:
    """getPanels's order: each top-level panel, then the panels nested in it."""
    panels = model.get("panels")
    for i, panel in enumerate(panels if isinstance(panels, list) else []):
        yield panel, f"/panels/{i}"
        nested = _dict(panel).get("panels")
        for j, inner in enumerate(nested if isinstance(nested, list) else []):
            yield inner, f"/panels/{i}/panels/{j}"


def _default_intervals() -> list[str]:
    intervals: list[str] = to_plain(m.TimeSettingsSpec())["autoRefreshIntervals"]
    return intervals


def _interval_value(option: dict[str, Any]) -> str:
    if "value" in option:
        return option["value"] if isinstance(option["value"], str) else ""
    return _str(option, "text")


def _option_text(option: dict[str, Any]) -> str:
    """getOptionValue: the value, else the text."""
    return _str(option, "value") or _str(option, "text")


def _request(data: dict[str, Any], infinity: bool) -> dict[str, Any]:
    out: dict[str, Any] = {"method": _str(data, "method"), "url": _str(data, "url")}
    if infinity:
        out["datasourceUid"] = _str(data, "datasourceUid")
    if isinstance(data.get("body"), str):
        out["body"] = data["body"]
    for key in ("queryParams", "headers"):
        if isinstance(data.get(key), list):
            out[key] = [
                [s for s in pair if isinstance(s, str)]
                for pair in data[key]
                if isinstance(pair, list)
            ]
    return out


def _kind(kind: Any) -> str:
    names = {dict: "object", str: "string", bool: "bool", list: "list"}
    return names.get(kind, "number")


def _escape(key: str) -> str:
    return str(key).replace("~", "~0").replace("/", "~1")


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "…"

"""Panel-plugin migrations on load (`tsedash.migrate.panels`), branch by branch.

Each case states what Grafana's handler produces for one input shape: `flotToGraphOptions`
(graph → timeseries), `tablePanelChangedHandler` (table-old → table), the text plugin's
migration handler, and `cleanProperties` / `fixThresholds` on the field config.
"""

from __future__ import annotations

from typing import Any

import pytest

from tsedash.migrate import panels as p
from tsedash.migrate.schemaversion import StepContext, Unmigratable


def _ctx() -> StepContext:
    return StepContext()


# --- getPanelPluginToMigrateTo ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("panel", "backend", "expected"),
    [
        ({"type": 3}, False, ""),
        ({"type": "heatmap-new"}, False, "heatmap"),
        ({"type": "heatmap-new"}, True, ""),  # the backend knows no removed plugins
        ({"type": "graph", "xaxis": {"mode": "series"}}, False, "barchart"),
        (
            {"type": "graph", "xaxis": {"mode": "series"}, "legend": {"values": 1}},
            False,
            "bargauge",
        ),
        # the backend counts only the boolean `true`
        ({"type": "graph", "xaxis": {"mode": "series"}, "legend": {"values": 1}}, True, "barchart"),
        ({"type": "graph", "xaxis": {"mode": "histogram"}}, False, "histogram"),
        ({"type": "graph", "xaxis": "time"}, False, "timeseries"),
        ({"type": "natel-discrete-panel"}, False, "state-timeline"),
        ({"type": "stat"}, False, ""),
    ],
)
def test_migration_type(panel: dict[str, Any], backend: bool, expected: str) -> None:
    assert p.migration_type(panel, backend) == expected


# --- text panel ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("panel", "expected"),
    [
        # older than 7.1 (no version reads as 6.1): content and mode become the options
        (
            {"type": "text", "content": "# hi", "mode": "html", "options": {"x": 1}},
            {"type": "text", "options": {"content": "# hi", "mode": "html"}},
        ),
        # 7.1+: the Angular leftovers go, the options stay
        (
            {
                "type": "text",
                "pluginVersion": "7.3.0",
                "content": "old",
                "mode": "html",
                "options": {"content": "new", "mode": "code"},
            },
            {
                "type": "text",
                "pluginVersion": "7.3.0",
                "options": {"content": "new", "mode": "code"},
            },
        ),
        # the removed `text` mode, and no mode at all, become markdown
        (
            {"type": "text", "options": {"content": "a", "mode": "text"}},
            {"type": "text", "options": {"content": "a", "mode": "markdown"}},
        ),
        ({"type": "text", "options": "junk"}, {"type": "text", "options": {"mode": "markdown"}}),
        # an unparsable version is NaN, which is not < 7.1: the options are kept
        (
            {"type": "text", "pluginVersion": "x", "content": "c", "mode": "html", "options": {}},
            {"type": "text", "pluginVersion": "x", "options": {"mode": "markdown"}},
        ),
    ],
)
def test_text_plugin_migration(panel: dict[str, Any], expected: dict[str, Any]) -> None:
    ctx = _ctx()
    p.text_plugin_migration(panel, "t", ctx)
    assert panel == expected
    assert ctx.changes


def test_json_text_names_none_and_non_strings() -> None:
    assert [p.json_text(None), p.json_text(3), p.json_text("md")] == ["none", "3", "md"]


# --- cleanProperties / fixThresholds --------------------------------------------------------


@pytest.mark.parametrize(
    ("config", "expected", "logged"),
    [
        (
            {"defaults": {"unit": "s", "nullValueMode": "null", "custom": {"a": 1}}},
            {"defaults": {"unit": "s", "custom": {"a": 1}}},
            1,
        ),
        (
            {"defaults": {"thresholds": {"steps": ""}}},
            {"defaults": {"thresholds": {"mode": "absolute", "steps": []}}},
            1,
        ),
        # a mode and steps already: nothing to do
        (
            {"defaults": {"thresholds": {"mode": "percentage", "steps": [{"value": None}]}}},
            {"defaults": {"thresholds": {"mode": "percentage", "steps": [{"value": None}]}}},
            0,
        ),
        # an override's thresholds are fixed the same way
        (
            {
                "defaults": {},
                "overrides": [
                    {"properties": [{"id": "thresholds", "value": {"mode": "absolute"}}]},
                    {"properties": "junk"},
                ],
            },
            {
                "defaults": {},
                "overrides": [
                    {
                        "properties": [
                            {"id": "thresholds", "value": {"mode": "absolute", "steps": []}}
                        ]
                    },
                    {"properties": "junk"},
                ],
            },
            1,
        ),
        ({"defaults": "junk"}, {"defaults": "junk"}, 0),
    ],
)
def test_plugin_field_config(config: dict[str, Any], expected: dict[str, Any], logged: int) -> None:
    ctx = _ctx()
    panel = {"fieldConfig": config}
    p.plugin_field_config(panel, "x", ctx)
    assert panel["fieldConfig"] == expected
    assert len(ctx.changes) == logged


# --- JavaScript value readings --------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, 0),
        (False, 0),
        (True, 1),
        (float("inf"), None),
        (" 2.5 ", 2.5),
        ("", 0),
        ("4e1", 40),
        ("0x1F", 31),
        ("abc", None),
        ([], 0),
        (["7"], 7),
        ([1, 2], None),
        ({}, None),
    ],
)
def test_js_number(value: Any, expected: Any) -> None:
    assert p.js_number(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("12px", 12),
        (" -3", -3),
        ("x1", None),
        (None, None),
        (True, None),
        (7.9, 7),
        (float("-inf"), None),
    ],
)
def test_js_parse_int(value: Any, expected: Any) -> None:
    assert p.js_parse_int(value) == expected


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ("b", "a", True),
        ("10", "9", False),
        ("10", 9, True),
        (p.UNDEFINED, 1, False),
        (None, -1, True),
    ],
)
def test_js_greater(a: Any, b: Any, expected: bool) -> None:
    assert p.js_greater(a, b) is expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [(0, False), (float("nan"), False), ("", False), ([], True), ({}, True), ("0", True)],
)
def test_truthy(value: Any, expected: bool) -> None:
    assert p.truthy(value) is expected


# --- graph → timeseries ----------------------------------------------------------------------


def _graph(angular: dict[str, Any], field_config: Any = None) -> p.GraphConversion:
    return p.GraphConversion(angular, field_config, "/panels/0")


def test_axis_field_config_reads_numbers_and_log_scale() -> None:
    axis = {
        "show": False,
        "label": "MB",
        "logBase": 10,
        "format": "bytes",
        "decimals": "2",
        "min": "x",
        "max": 100,
    }
    assert p.axis_field_config(axis) == {
        "unit": "bytes",
        "decimals": 2,
        "max": 100,
        "custom": {
            "axisPlacement": "hidden",
            "axisLabel": "MB",
            "scaleDistribution": {"type": "log", "log": 10},
        },
    }
    assert p.axis_field_config(None) == {}
    # a log base other than 2 or 10 is a linear axis
    assert p.axis_field_config({"show": True, "logBase": 3}) == {
        "custom": {"axisPlacement": "auto"}
    }


def test_graph_draw_style_fill_and_stack() -> None:
    conv = _graph(
        {
            "lines": True,
            "points": True,
            "pointradius": 2.5,
            "linewidth": 2,
            "fill": 1,
            "fillGradient": 4,
            "nullPointMode": "connected",
            "steppedLine": True,
            "stack": True,
            "dashes": True,
            "dashLength": 4,
            "percentage": True,
        }
    )
    assert conv.field_config["defaults"]["custom"] == {
        "drawStyle": "line",
        "showPoints": "always",
        "pointSize": 7,
        "lineWidth": 2,
        "lineStyle": {"fill": "dash", "dash": [4, 10]},
        "fillOpacity": 40,  # the gradient's opacity wins over `fill`
        "gradientMode": "opacity",
        "spanNulls": True,
        "lineInterpolation": "stepAfter",
        "stacking": {"mode": "normal", "group": "A"},
    }
    assert conv.field_config["defaults"]["nullValueMode"] == "connected"
    assert "not carried over: percentage" in conv.summary()


def test_graph_bars_are_opaque_and_points_only_hide_no_points() -> None:
    bars = _graph({"bars": True, "fill": 1})
    assert bars.field_config["defaults"]["custom"]["drawStyle"] == "bars"
    assert bars.field_config["defaults"]["custom"]["fillOpacity"] == 100
    assert bars.field_config["defaults"]["custom"]["showPoints"] == "never"
    points = _graph({})
    assert points.field_config["defaults"]["custom"]["drawStyle"] == "points"
    assert "showPoints" not in points.field_config["defaults"]["custom"]


def test_graph_previous_field_config_defaults_are_the_base() -> None:
    conv = _graph(
        {"yaxes": [{"format": "short", "show": True}]},
        {"defaults": {"unit": "s", "color": {"mode": "x"}}, "overrides": []},
    )
    assert conv.field_config["defaults"]["unit"] == "short"
    assert conv.field_config["defaults"]["color"] == {"mode": "x"}


@pytest.mark.parametrize(
    ("legend", "tooltip", "expected"),
    [
        (
            {
                "show": True,
                "alignAsTable": True,
                "rightSide": True,
                "values": True,
                "avg": True,
                "current": True,
                "max": False,
                "sideWidth": 300,
            },
            {"shared": True, "sort": 2},
            {
                "legend": {
                    "displayMode": "table",
                    "showLegend": True,
                    "placement": "right",
                    "calcs": ["mean", "lastNotNull"],
                    "width": 300,
                },
                "tooltip": {"mode": "multi", "sort": "desc"},
            },
        ),
        (
            {"show": False, "values": False, "avg": True},
            {"shared": False, "sort": 1},  # sort counts only for a shared tooltip
            {
                "legend": {
                    "displayMode": "list",
                    "showLegend": False,
                    "placement": "bottom",
                    "calcs": [],
                },
                "tooltip": {"mode": "single", "sort": "none"},
            },
        ),
        (
            {"show": True},
            {"shared": True, "sort": 1},
            {
                "legend": {
                    "displayMode": "list",
                    "showLegend": True,
                    "placement": "bottom",
                    "calcs": [],
                },
                "tooltip": {"mode": "multi", "sort": "asc"},
            },
        ),
    ],
)
def test_graph_legend_and_tooltip(legend: Any, tooltip: Any, expected: dict[str, Any]) -> None:
    assert _graph({"legend": legend, "tooltip": tooltip}).options == expected


def test_graph_alias_colors_become_fixed_colour_overrides() -> None:
    conv = _graph({"aliasColors": {"cpu": "#ff0000", "mem": ""}})
    assert conv.field_config["overrides"] == [
        {
            "matcher": {"id": "byName", "options": "cpu"},
            "properties": [{"id": "color", "value": {"mode": "fixed", "fixedColor": "#ff0000"}}],
        }
    ]


def test_graph_series_override_properties() -> None:
    override = {
        "alias": "/cpu.*/",
        "$$hashKey": "x",
        "fill": 2,
        "fillGradient": 3,
        "points": False,
        "bars": True,
        "lines": False,
        "linewidth": 3,
        "pointradius": "1",
        "stack": "B",
        "color": "#fff",
        "transform": "negative-Y",
        "dashes": True,
        "dashLength": 2,
        "zindex": 3,
    }
    conv = _graph({"seriesOverrides": [override, {"alias": ""}, {"alias": "x", "bars": False}]})
    assert conv.field_config["overrides"] == [
        {
            "matcher": {"id": "byRegexp", "options": "/cpu.*/"},
            "properties": [
                {"id": "custom.fillOpacity", "value": 20},
                {"id": "custom.fillGradient", "value": "opacity"},
                {"id": "custom.fillOpacity", "value": 30},
                {"id": "custom.showPoints", "value": "never"},
                {"id": "custom.drawStyle", "value": "bars"},
                {"id": "custom.fillOpacity", "value": 100},
                {"id": "custom.lineWidth", "value": 0},
                {"id": "custom.lineWidth", "value": 3},
                {"id": "custom.pointSize", "value": 4},
                {"id": "custom.stacking", "value": {"mode": "normal", "group": "B"}},
                {"id": "color", "value": {"fixedColor": "#fff", "mode": "fixed"}},
                {"id": "custom.transform", "value": "negative-Y"},
                {"id": "custom.lineStyle", "value": {"fill": "dash", "dash": [2, 10]}},
            ],
        },
        {
            "matcher": {"id": "byName", "options": "x"},
            "properties": [{"id": "custom.drawStyle", "value": "line"}],
        },
    ]
    assert "seriesOverrides.zindex" in conv.summary()


def test_graph_fill_below_to_and_right_axis() -> None:
    conv = _graph(
        {
            "fill": 1,
            "yaxes": [
                {"show": True, "format": "short"},
                {"show": True, "format": "percent", "min": 0},
            ],
            "seriesOverrides": [
                {"alias": "hi", "fillBelowTo": "lo", "yaxis": 2, "fillGradient": 0},
                {"alias": "lo", "yaxis": 1},
            ],
        }
    )
    assert conv.field_config["defaults"]["custom"]["fillOpacity"] == 35
    assert conv.field_config["overrides"] == [
        {
            "matcher": {"id": "byName", "options": "hi"},
            "properties": [
                {"id": "custom.fillBelowTo", "value": "lo"},
                {"id": "unit", "value": "percent"},
                {"id": "min", "value": 0},
            ],
        }
    ]


def test_y2_properties_only_lists_differences() -> None:
    y1 = {"unit": "s", "custom": {"axisPlacement": "auto"}}
    y2 = {"unit": "s", "max": 5, "custom": {"axisPlacement": "auto", "axisLabel": "R"}}
    assert p.y2_properties(y1, y2) == [
        {"id": "max", "value": 5},
        {"id": "custom.axisLabel", "value": "R"},
    ]


@pytest.mark.parametrize(
    ("thresholds", "steps", "mode"),
    [
        (
            [{"op": "gt", "value": 80, "colorMode": "critical", "fill": True, "line": True}],
            [{"color": "transparent", "value": None}, {"value": 80, "color": "red"}],
            "line+area",
        ),
        (
            [{"op": "lt", "value": 10, "colorMode": "warning", "fill": True}],
            [{"value": None, "color": "orange"}, {"value": 10, "color": "transparent"}],
            "area",
        ),
        (
            # sorted by value; an lt below a gt leaves a transparent band between them
            [
                {
                    "op": "gt",
                    "value": 90,
                    "colorMode": "custom",
                    "fillColor": "",
                    "lineColor": "#0f0",
                    "line": True,
                },
                {"op": "lt", "value": 20, "colorMode": "custom", "fillColor": "#00f"},
            ],
            [
                {"value": None, "color": "#00f"},
                {"value": 20, "color": "transparent"},
                {"value": 90, "color": "#0f0"},
            ],
            "line",
        ),
        (
            [{"op": "lt", "value": 5}, {"op": "lt", "value": 30, "colorMode": "warning"}],
            [
                {"value": None, "color": "red"},
                {"value": 5, "color": "orange"},  # the next lt's colour
                {"value": 30, "color": "transparent"},
            ],
            "line",
        ),
    ],
)
def test_graph_thresholds(thresholds: list[Any], steps: list[Any], mode: str) -> None:
    conv = _graph({"thresholds": thresholds})
    assert conv.field_config["defaults"]["thresholds"] == {"mode": "absolute", "steps": steps}
    assert conv.field_config["defaults"]["custom"]["thresholdsStyle"] == {"mode": mode}


def test_graph_hidden_time_axis_override() -> None:
    conv = _graph({"xaxis": {"show": False, "mode": "time"}})
    assert conv.field_config["overrides"] == [
        {
            "matcher": {"id": "byType", "options": "time"},
            "properties": [{"id": "custom.axisPlacement", "value": "hidden"}],
        }
    ]


@pytest.mark.parametrize(
    ("angular", "field_config", "where"),
    [
        ({"thresholds": "80"}, None, "/panels/0/thresholds"),
        ({"thresholds": [{"op": "gt", "value": 1}, None]}, None, "/panels/0/thresholds/1"),
        ({"seriesOverrides": [None]}, None, "/panels/0/seriesOverrides/0"),
        ({}, {"overrides": {}}, "/panels/0/fieldConfig/overrides"),
        ({}, {"defaults": {"custom": "x"}}, "/panels/0/fieldConfig/defaults/custom"),
    ],
)
def test_graph_inputs_grafana_throws_on(angular: Any, field_config: Any, where: str) -> None:
    with pytest.raises(Unmigratable) as caught:
        _graph(angular, field_config)
    assert where in str(caught.value)


# --- table-old → table ----------------------------------------------------------------------


def test_table_all_fields_style_becomes_defaults() -> None:
    style = {
        "pattern": "/.*/",
        "unit": "short",
        "decimals": 2,
        "alias": "X",
        "align": "auto",
        "thresholds": ["10", "20"],
        "colors": ["green", "orange", "red"],
        "colorMode": "cell",
    }
    transformations, config = p.table_old_to_table({}, {"styles": [style]}, "/panels/0")
    assert transformations == []
    assert config == {
        "defaults": {
            "unit": "short",
            "decimals": 2,
            "displayName": "X",
            "custom": {"align": None, "cellOptions": {"type": "color-background"}},
            "thresholds": {
                "mode": "absolute",
                "steps": [
                    {"color": "green", "value": None},
                    {"color": "orange", "value": 10},
                    {"color": "red", "value": 20},
                ],
            },
        },
        "overrides": [],
    }


def test_table_column_styles_become_overrides() -> None:
    styles = [
        {"pattern": "Time", "type": "date", "dateFormat": "YYYY-MM-DD"},
        {"pattern": "secret", "type": "hidden"},
        {
            "pattern": "/host.*/",
            "alias": "Host",
            "unit": "none",
            "decimals": 1,
            "link": True,
            "linkUrl": "/d/x",
            "colorMode": "value",
            "align": "left",
            "thresholds": ["5"],
            "colors": ["a"],
        },
        {"pattern": "when", "type": "date"},
    ]
    _, config = p.table_old_to_table({}, {"styles": styles}, "/panels/0")
    assert config["defaults"] == {"custom": {}}
    assert config["overrides"] == [
        {
            "matcher": {"id": "byName", "options": "Time"},
            "properties": [{"id": "unit", "value": "time: YYYY-MM-DD"}],
        },
        {
            "matcher": {"id": "byName", "options": "secret"},
            "properties": [{"id": "custom.hidden", "value": True}],
        },
        {
            "matcher": {"id": "byRegexp", "options": "/host.*/"},
            "properties": [
                {"id": "displayName", "value": "Host"},
                {"id": "unit", "value": "none"},
                {"id": "decimals", "value": 1},
                {"id": "links", "value": [{"title": "", "url": "/d/x", "targetBlank": False}]},
                {"id": "custom.cellOptions", "value": {"type": "color-text"}},
                {"id": "custom.align", "value": "left"},
                # a colour list shorter than the levels leaves the step without a colour
                {
                    "id": "thresholds",
                    "value": {
                        "mode": "absolute",
                        "steps": [{"color": "a", "value": None}, {"value": 5}],
                    },
                },
            ],
        },
        {
            "matcher": {"id": "byName", "options": "when"},
            "properties": [{"id": "unit", "value": "time: undefined"}],
        },
    ]


@pytest.mark.parametrize(
    ("transform", "columns", "expected"),
    [
        ("timeseries_to_rows", None, {"id": "seriesToRows", "options": {"reducers": []}}),
        ("table", None, {"id": "merge", "options": {"reducers": []}}),
        (
            "timeseries_aggregations",
            [{"value": "avg"}, {"value": "current"}, {"value": "odd"}],
            {
                "id": "reduce",
                "options": {"reducers": ["mean", "lastNotNull", None], "includeTimeField": False},
            },
        ),
    ],
)
def test_table_transform(transform: str, columns: Any, expected: dict[str, Any]) -> None:
    panel = {"transformations": [{"id": "organize"}]}
    transformations, _ = p.table_old_to_table(
        panel, {"styles": [], "transform": transform, "columns": columns}, "/panels/0"
    )
    assert transformations == [{"id": "organize"}, expected]


@pytest.mark.parametrize(
    ("panel", "angular", "where"),
    [
        ({}, {"styles": {}}, "/panels/0/styles"),
        ({}, {"styles": [None]}, "/panels/0/styles/0"),
        ({"transformations": {}}, {"styles": []}, "/panels/0/transformations"),
        (
            {},
            {"styles": [], "transform": "timeseries_aggregations", "columns": [None]},
            "/panels/0/columns",
        ),
        ({}, {"styles": [{"pattern": "/.*/"}]}, "/panels/0/styles/0/thresholds"),
        ({}, {"styles": [{"pattern": "a", "thresholds": ["1"]}]}, "/panels/0/styles/0/colors"),
    ],
)
def test_table_inputs_grafana_throws_on(panel: Any, angular: Any, where: str) -> None:
    with pytest.raises(Unmigratable) as caught:
        p.table_old_to_table(panel, angular, "/panels/0")
    assert where in str(caught.value)


# --- the whole pass ---------------------------------------------------------------------------


def test_migrate_panels_converts_graph_and_table_inside_rows() -> None:
    dashboard: dict[str, Any] = {
        "panels": [
            "junk",
            {
                "type": "row",
                "panels": [
                    {
                        "type": "graph",
                        "id": 2,
                        "title": "CPU",
                        "lines": True,
                        "linewidth": 1,
                        "yaxes": [{"format": "percent", "show": True}],
                        "legend": {"show": True},
                        "options": {"keep": 1},
                    },
                    {"type": "table-old", "id": 3, "styles": [], "transform": "table"},
                    {"type": "grafana-piechart-panel", "id": 4},
                    {"type": "text", "id": 5, "options": {"mode": "html", "content": "x"}},
                ],
            },
        ]
    }
    ctx = _ctx()
    p.migrate_panels(dashboard, ctx)
    graph, table, pie, text = dashboard["panels"][1]["panels"]
    assert graph["type"] == "timeseries"
    assert "autoMigrateFrom" not in graph and "lines" not in graph
    assert graph["options"]["keep"] == 1
    assert graph["fieldConfig"]["defaults"]["unit"] == "percent"
    assert "nullValueMode" not in graph["fieldConfig"]["defaults"]  # cleanProperties
    assert table == {
        "type": "table",
        "id": 3,
        "transformations": [{"id": "merge", "options": {"reducers": []}}],
        "fieldConfig": {"defaults": {"custom": {}}, "overrides": []},
        "options": {},
    }
    assert pie == {"type": "piechart", "id": 4, "autoMigrateFrom": "grafana-piechart-panel"}
    assert text["options"] == {"mode": "html", "content": "x"}
    assert all(change.version == p.PANEL_MIGRATION for change in ctx.changes)

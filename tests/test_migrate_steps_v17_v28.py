"""Grafana's schema steps 17-28, one table per version.

Each case was written from reading the step in Grafana's backend migrator
(`apps/dashboard/pkg/migration/schemaversion/vNN.go`): a dashboard of version N-1, the dashboard
the step leaves, and the changes it reports.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest

from tsedash.migrate.schemaversion import (
    STEPS,
    StepContext,
    Unmigratable,
    migrate_to,
    v17,
    v18,
    v19,
    v20,
    v21,
    v22,
    v23,
    v24,
    v25,
    v26,
    v27,
    v28,
)

MODULES = (v17, v18, v19, v20, v21, v22, v23, v24, v25, v26, v27, v28)


def run(version: int, dashboard: dict[str, Any]) -> tuple[dict[str, Any], list[tuple[str, str]]]:
    """The step for `version` on a copy of `dashboard`: the result and its (panel, change)s."""
    ctx = StepContext(version=version)
    result = copy.deepcopy(dashboard)
    STEPS[version](result, ctx)
    assert all(change.version == version for change in ctx.changes)
    return result, [(change.panel, change.change) for change in ctx.changes]


def panels(*items: Any) -> dict[str, Any]:
    return {"panels": list(items)}


def variables(*items: Any) -> dict[str, Any]:
    return {"templating": {"list": list(items)}}


@pytest.mark.parametrize("version", range(17, 29))
def test_each_version_is_registered_and_sets_the_number(version: int) -> None:
    assert {m.__name__.rsplit(".", 1)[1] for m in MODULES} == {f"v{n}" for n in range(17, 29)}
    dashboard = {"schemaVersion": version - 1, "title": "Empty"}
    migrate_to(dashboard, StepContext(), target=version)
    assert dashboard == {"schemaVersion": version, "title": "Empty"}


@pytest.mark.parametrize("version", range(17, 29))
@pytest.mark.parametrize(
    "odd",
    [
        {"panels": "not a list", "templating": "not an object"},
        {"panels": [None, 3, "x", []], "templating": {"list": [None, "x"]}},
        {"templating": {"list": {"not": "a list"}}},
    ],
)
def test_each_version_skips_shapes_it_cannot_read(version: int, odd: dict[str, Any]) -> None:
    result, changes = run(version, odd)
    if version == 27 and isinstance(odd.get("panels"), list):
        # v27 rebuilds `panels` without the items that are not objects.
        assert result == {**odd, "panels": []}
        assert len(changes) == 4
    else:
        assert result == odd
        assert changes == []


# --- v17: minSpan → maxPerRow ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("min_span", "max_per_row", "change"),
    [
        (8, 3, "`minSpan` 8 → `maxPerRow` 3"),
        (6, 4, "`minSpan` 6 → `maxPerRow` 4"),
        (5, 4, "`minSpan` 5 → `maxPerRow` 4"),
        (4, 6, "`minSpan` 4 → `maxPerRow` 6"),
        (3.0, 8, "`minSpan` 3.0 → `maxPerRow` 8"),
        (12, 2, "`minSpan` 12 → `maxPerRow` 2"),
        (2, 12, "`minSpan` 2 → `maxPerRow` 12"),
        (24, 1, "`minSpan` 24 → `maxPerRow` 1"),
        # Above 24 the backend writes 1 (the frontend wrote nothing).
        (25, 1, "`minSpan` 25 → `maxPerRow` 1"),
        # 24 / 1 = 24: no factor of 24 is greater, so no maxPerRow.
        (1, None, "`minSpan` 1 removed (no `maxPerRow` for it)"),
        (0.5, None, "`minSpan` 0.5 removed (no `maxPerRow` for it)"),
        (0, None, "`minSpan` 0 removed (not a positive number)"),
        (-2, None, "`minSpan` -2 removed (not a positive number)"),
        ("4", None, "`minSpan` '4' removed (not a positive number)"),
        (True, None, "`minSpan` True removed (not a positive number)"),
        (None, None, "`minSpan` None removed (not a positive number)"),
    ],
)
def test_v17_min_span(min_span: Any, max_per_row: int | None, change: str) -> None:
    result, changes = run(17, panels({"id": 1, "title": "Rate", "minSpan": min_span}))
    expected = {"id": 1, "title": "Rate"}
    if max_per_row is not None:
        expected["maxPerRow"] = max_per_row
    assert result == panels(expected)
    assert changes == [("Rate", change)]


def test_v17_walks_only_top_level_panels() -> None:
    row = {"type": "row", "collapsed": True, "panels": [{"minSpan": 8}]}
    result, changes = run(17, panels(row, {"type": "graph"}))
    assert result == panels(row, {"type": "graph"})
    assert changes == []


# --- v18: options-gauge → options ---------------------------------------------------------


@pytest.mark.parametrize(
    ("gauge", "options"),
    [
        (
            {
                "unit": "ms",
                "stat": "avg",
                "decimals": None,
                "prefix": "~",
                "suffix": " ms",
                "thresholds": [{"color": "green", "index": 0}, {"color": "red", "index": 1}],
                "maxValue": 100,
                "showThresholdLabels": False,
                "options": {"bug": True},
            },
            {
                "valueOptions": {
                    "unit": "ms",
                    "stat": "avg",
                    "decimals": None,
                    "prefix": "~",
                    "suffix": " ms",
                },
                "thresholds": [{"color": "red", "index": 1}, {"color": "green", "index": 0}],
                "maxValue": 100,
                "showThresholdLabels": False,
            },
        ),
        # Only the value keys it has; empty thresholds are dropped.
        ({"unit": "short", "thresholds": []}, {"valueOptions": {"unit": "short"}}),
        # Thresholds that are not a list are dropped too.
        ({"thresholds": "10,20", "minValue": 0}, {"valueOptions": {}, "minValue": 0}),
        ({}, {"valueOptions": {}}),
    ],
)
def test_v18_gauge_options(gauge: dict[str, Any], options: dict[str, Any]) -> None:
    panel = {"type": "gauge", "title": "Latency", "options-gauge": gauge, "options": {"old": 1}}
    result, changes = run(18, panels(panel))
    assert result == panels({"type": "gauge", "title": "Latency", "options": options})
    assert changes == [("Latency", "`options-gauge` → `options` (with `valueOptions`)")]


@pytest.mark.parametrize(
    "dashboard",
    [
        panels({"type": "gauge", "options-gauge": "not an object", "options": {"keep": 1}}),
        panels({"type": "gauge", "options": {"keep": 1}}),
        # Collapsed rows are not walked by the backend step.
        panels({"type": "row", "panels": [{"type": "gauge", "options-gauge": {"unit": "ms"}}]}),
    ],
)
def test_v18_leaves_other_panels(dashboard: dict[str, Any]) -> None:
    assert run(18, dashboard) == (dashboard, [])


# --- v19: panel links → URL links ----------------------------------------------------------


@pytest.mark.parametrize(
    ("link", "upgraded"),
    [
        (
            {
                "type": "dashboard",
                "dashboard": "My Dashboard!",
                "keepTime": True,
                "includeVars": True,
                "params": "a=1",
                "title": "Go",
            },
            {
                "url": "dashboard/db/my-dashboard?$__url_time_range&$__all_variables&a=1",
                "title": "Go",
            },
        ),
        (
            {"url": "d/abc?orgId=1", "keepTime": True, "targetBlank": True},
            {"url": "d/abc?orgId=1&$__url_time_range", "title": "", "targetBlank": True},
        ),
        ({"url": "http://x/?", "params": "p=1"}, {"url": "http://x/?p=1", "title": ""}),
        ({"type": "absolute", "dashUri": "db/old"}, {"url": "dashboard/db/old", "title": ""}),
        ({}, {"url": "/", "title": ""}),
        # An empty url falls through to the dashboard name; slug keeps `_`, drops the rest.
        (
            {"url": "", "dashboard": "Ops_Board Été  2"},
            {"url": "dashboard/db/ops_board-t-2", "title": ""},
        ),
        # Only booleans true and strings count.
        (
            {
                "url": 7,
                "dashboard": "  Two   Words ",
                "keepTime": 1,
                "targetBlank": "yes",
                "title": 5,
            },
            {"url": "dashboard/db/-two-words-", "title": ""},
        ),
        ({"params": ""}, {"url": "/", "title": ""}),
    ],
)
def test_v19_link(link: dict[str, Any], upgraded: dict[str, Any]) -> None:
    result, changes = run(19, panels({"title": "P", "links": [link]}))
    assert result == panels({"title": "P", "links": [upgraded]})
    assert changes == [("P", "1 panel link(s) rewritten as URL links (1 kept)")]


def test_v19_drops_non_objects_and_walks_nested_panels() -> None:
    dashboard = panels(
        {"title": "Top", "links": [{"dashboard": "A"}, "junk", None]},
        {"type": "row", "title": "R", "panels": [{"title": "In", "links": [{"url": "/x"}]}]},
        {"title": "Empty", "links": []},
        {"title": "Odd", "links": "not a list"},
    )
    result, changes = run(19, dashboard)
    assert result == panels(
        {"title": "Top", "links": [{"url": "dashboard/db/a", "title": ""}]},
        {
            "type": "row",
            "title": "R",
            "panels": [{"title": "In", "links": [{"url": "/x", "title": ""}]}],
        },
        {"title": "Empty", "links": []},
        {"title": "Odd", "links": "not a list"},
    )
    assert changes == [
        ("Top", "3 panel link(s) rewritten as URL links (1 kept)"),
        ("In", "1 panel link(s) rewritten as URL links (1 kept)"),
    ]


# --- v20: dotted variable names in data links ----------------------------------------------


@pytest.mark.parametrize(
    ("text", "dotted"),
    [
        ("http://x?series=$__series_name", "http://x?series=${__series.name}"),
        ("s=__series_name&t=__value_time", "s=__series.name&t=__value.time"),
        ("f=$__field_name&g=__field_name", "f=${__field.name}&g=__field.name"),
        ("$__series_name$__series_name", "${__series.name}${__series.name}"),
        ("nothing old: ${__series.name}", "nothing old: ${__series.name}"),
    ],
)
def test_v20_rewrites_links_and_title(text: str, dotted: str) -> None:
    panel = {
        "title": "Links",
        "options": {
            "dataLinks": [{"url": text, "title": "keep"}, "junk", {"url": 5}],
            "fieldOptions": {"defaults": {"title": text, "links": [{"url": text}]}},
        },
    }
    result, changes = run(20, panels(panel))
    assert result == panels(
        {
            "title": "Links",
            "options": {
                "dataLinks": [{"url": dotted, "title": "keep"}, "junk", {"url": 5}],
                "fieldOptions": {"defaults": {"title": dotted, "links": [{"url": dotted}]}},
            },
        }
    )
    expected = [] if text == dotted else [("Links", _v20_change(3))]
    assert changes == expected


def _v20_change(count: int) -> str:
    return (
        "old variable names (`__series_name`, `__value_time`, `__field_name`) dotted "
        f"in {count} link(s)/title(s)"
    )


@pytest.mark.parametrize(
    ("dashboard", "expected"),
    [
        # The title is rewritten even without links; links that are not a list are left.
        (
            panels(
                {"options": {"fieldOptions": {"defaults": {"title": "__field_name", "links": {}}}}}
            ),
            panels(
                {"options": {"fieldOptions": {"defaults": {"title": "__field.name", "links": {}}}}}
            ),
        ),
        (panels({"options": "x"}), panels({"options": "x"})),
        (panels({"options": {"dataLinks": "x"}}), panels({"options": {"dataLinks": "x"}})),
        # Not walked into collapsed rows.
        (
            panels(
                {"type": "row", "panels": [{"options": {"dataLinks": [{"url": "__value_time"}]}}]}
            ),
            panels(
                {"type": "row", "panels": [{"options": {"dataLinks": [{"url": "__value_time"}]}}]}
            ),
        ),
    ],
)
def test_v20_shapes(dashboard: dict[str, Any], expected: dict[str, Any]) -> None:
    assert run(20, dashboard)[0] == expected


# --- v21: __series.labels → __field.labels --------------------------------------------------


@pytest.mark.parametrize(
    ("url", "rewritten"),
    [
        (
            "http://x?s=${__series.labels}&${__series.labels.a}",
            "http://x?s=${__field.labels}&${__field.labels.a}",
        ),
        ("${__series.labels.instance}", "${__field.labels.instance}"),
        # Matched literally: the frontend's regex also took `__seriesXlabels`, the backend not.
        ("${__seriesXlabels}", "${__seriesXlabels}"),
        ("${__series.name}", "${__series.name}"),
    ],
)
def test_v21_field_labels(url: str, rewritten: str) -> None:
    panel = {
        "title": "L",
        "options": {
            "dataLinks": [{"url": url}, 1],
            "fieldOptions": {"defaults": {"links": [{"url": url}], "title": url}},
        },
    }
    result, changes = run(21, panels(panel))
    assert result == panels(
        {
            "title": "L",
            "options": {
                "dataLinks": [{"url": rewritten}, 1],
                # The title is not a link: v21 leaves it.
                "fieldOptions": {"defaults": {"links": [{"url": rewritten}], "title": url}},
            },
        }
    )
    assert changes == (
        []
        if url == rewritten
        else [("L", "`__series.labels` → `__field.labels` in 2 data link(s)")]
    )


def test_v21_walks_only_top_level_panels() -> None:
    dashboard = panels(
        {"type": "row", "panels": [{"options": {"dataLinks": [{"url": "__series.labels"}]}}]}
    )
    assert run(21, dashboard) == (dashboard, [])


# --- v22: table styles align auto ---------------------------------------------------------


def test_v22_aligns_table_styles_top_level_and_nested() -> None:
    dashboard = panels(
        {"type": "table", "title": "T", "styles": [{"align": "left"}, {"pattern": "x"}, "junk"]},
        {"type": "row", "panels": [{"type": "table", "title": "N", "styles": [{"align": "auto"}]}]},
        {"type": "graph", "styles": [{"align": "left"}]},
        {"type": "table", "styles": {"align": "left"}},
        {"type": "table"},
    )
    result, changes = run(22, dashboard)
    assert result == panels(
        {
            "type": "table",
            "title": "T",
            "styles": [{"align": "auto"}, {"pattern": "x", "align": "auto"}, "junk"],
        },
        {"type": "row", "panels": [{"type": "table", "title": "N", "styles": [{"align": "auto"}]}]},
        {"type": "graph", "styles": [{"align": "left"}]},
        {"type": "table", "styles": {"align": "left"}},
        {"type": "table"},
    )
    assert changes == [("T", "2 table style(s): `align` → auto")]


# --- v23: current agrees with multi -----------------------------------------------------------


@pytest.mark.parametrize(
    ("variable", "current"),
    [
        ({"multi": True, "current": {"value": "A", "text": "A"}}, {"value": ["A"], "text": ["A"]}),
        ({"multi": True, "current": {"value": "A"}}, {"value": ["A"]}),
        (
            {"multi": True, "current": {"value": None, "text": "x", "selected": True}},
            {"value": [None], "text": ["x"], "selected": True},
        ),
        # The value is already a list: the text is left as it is.
        ({"multi": True, "current": {"value": ["A"], "text": "A"}}, {"value": ["A"], "text": "A"}),
        # No value: nothing to convert, the text included.
        ({"multi": True, "current": {"text": "A"}}, {"text": "A"}),
        (
            {"multi": False, "current": {"value": ["B", "C"], "text": ["B", "C"]}},
            {"value": "B", "text": "B"},
        ),
        ({"multi": False, "current": {"value": [], "text": []}}, {"value": "", "text": ""}),
        ({"multi": False, "current": {"value": "B", "text": ["B"]}}, {"value": "B", "text": "B"}),
        ({"multi": False, "current": {"value": "B", "text": "B"}}, {"value": "B", "text": "B"}),
    ],
)
def test_v23_aligns_current(variable: dict[str, Any], current: dict[str, Any]) -> None:
    result, changes = run(23, variables({"name": "v", **variable}))
    assert result == variables({"name": "v", **variable, "current": current})
    shape = "made a list" if variable["multi"] else "made a single value"
    multi = str(variable["multi"]).lower()
    changed = current != variable["current"]
    assert changes == ([("", f"variable v: `current` {shape} (multi {multi})")] if changed else [])


@pytest.mark.parametrize(
    "variable",
    [
        {"current": {"value": "A"}},
        {"multi": None, "current": {"value": "A"}},
        {"multi": 1, "current": {"value": "A"}},
        {"multi": True, "current": {}},
        {"multi": True, "current": None},
        {"multi": True, "current": "A"},
        {"multi": True},
    ],
)
def test_v23_leaves_variables_it_does_not_read(variable: dict[str, Any]) -> None:
    dashboard = variables(variable)
    assert run(23, dashboard) == (dashboard, [])


# --- v24: the old table is marked table-old -----------------------------------------------

OLD_TABLE = {
    "type": "table",
    "title": "Old",
    "styles": [{"pattern": "/.*/", "unit": "short", "align": "auto"}],
    "transform": "timeseries_to_rows",
    "columns": [{"text": "Avg", "value": "avg"}],
    "sort": {"col": 1, "desc": True},
}


def test_v24_marks_the_old_table_and_keeps_its_styles() -> None:
    result, changes = run(
        24, panels(OLD_TABLE, {**OLD_TABLE, "title": "Empty styles", "styles": []})
    )
    assert result == panels(
        {**OLD_TABLE, "autoMigrateFrom": "table-old"},
        {**OLD_TABLE, "title": "Empty styles", "styles": [], "autoMigrateFrom": "table-old"},
    )
    note = (
        "old table (with `styles`) marked `autoMigrateFrom: table-old`; the table plugin "
        "converts its styles when Grafana loads it"
    )
    assert changes == [("Old", note), ("Empty styles", note)]


@pytest.mark.parametrize(
    "panel",
    [
        {"type": "table", "title": "React", "fieldConfig": {"defaults": {}}},
        {"type": "table", "styles": None},
        {**OLD_TABLE, "table": "table2"},
        {**OLD_TABLE, "type": "table-old"},
        {**OLD_TABLE, "type": "graph"},
        {"type": "row", "panels": [OLD_TABLE]},
    ],
)
def test_v24_leaves_other_panels(panel: dict[str, Any]) -> None:
    assert run(24, panels(panel)) == (panels(panel), [])


# --- v25: nothing ----------------------------------------------------------------------------


def test_v25_changes_nothing() -> None:
    dashboard = {
        **panels({"type": "singlestat", "title": "S"}),
        **variables({"name": "v", "tags": ["a"], "useTags": True, "tagsQuery": "q"}),
    }
    assert run(25, dashboard) == (dashboard, [])


# --- v26: text2 → text ------------------------------------------------------------------------


def test_v26_text2_becomes_text() -> None:
    dashboard = panels(
        {
            "type": "text2",
            "title": "A",
            "options": {"content": "# hi", "mode": "markdown", "angular": True},
        },
        {"type": "text2", "title": "B"},
        {"type": "text2", "title": "C", "options": ["odd"]},
        {"type": "text2", "title": "D", "options": {"angular": None}},
        {
            "type": "row",
            "title": "R",
            "panels": [{"type": "text2", "title": "E", "options": {"mode": "html"}}],
        },
        {"type": "text", "title": "F", "options": {"angular": True}},
    )
    result, changes = run(26, dashboard)
    assert result == panels(
        {"type": "text", "title": "A", "options": {"content": "# hi", "mode": "markdown"}},
        {"type": "text", "title": "B"},
        {"type": "text", "title": "C", "options": ["odd"]},
        {"type": "text", "title": "D", "options": {}},
        {
            "type": "row",
            "title": "R",
            "panels": [{"type": "text", "title": "E", "options": {"mode": "html"}}],
        },
        {"type": "text", "title": "F", "options": {"angular": True}},
    )
    assert changes == [
        ("A", "`type` text2 → text, `options.angular` removed"),
        ("B", "`type` text2 → text"),
        ("C", "`type` text2 → text"),
        ("D", "`type` text2 → text, `options.angular` removed"),
        ("E", "`type` text2 → text"),
    ]


# --- v27: repeated leftovers; constants ----------------------------------------------------


def test_v27_removes_repeated_panel_leftovers() -> None:
    dashboard = panels(
        {"type": "graph", "title": "Copy", "repeatPanelId": 2},
        {"type": "graph", "title": "Copy by row", "repeatByRow": False},
        # `repeatedByRow` is not the key the backend checks on top-level panels.
        {"type": "graph", "title": "Kept", "repeatedByRow": True},
        "junk",
        {
            "type": "row",
            "title": "Row",
            "panels": [
                {"title": "a"},
                {"title": "b", "repeatPanelId": 1},
                None,
                {"title": "c", "repeatByRow": True},
            ],
        },
        # Only rows have their nested panels filtered.
        {"type": "graph", "title": "Not a row", "panels": [{"repeatPanelId": 1}]},
    )
    result, changes = run(27, dashboard)
    assert result == panels(
        {"type": "graph", "title": "Kept", "repeatedByRow": True},
        {
            "type": "row",
            "title": "Row",
            "panels": [{"title": "a"}, {"title": "c", "repeatByRow": True}],
        },
        {"type": "graph", "title": "Not a row", "panels": [{"repeatPanelId": 1}]},
    )
    assert changes == [
        ("Copy", "a repeated copy of another panel, removed"),
        ("Copy by row", "a repeated copy of another panel, removed"),
        ("", "/panels/3: not an object, removed"),
        ("Row", "2 repeated copy/copies or non-object(s) removed from the row"),
    ]


@pytest.mark.parametrize(
    ("variable", "kind", "query"),
    [
        ({"hide": 0, "query": "prod"}, "textbox", "prod"),
        ({"hide": 1, "query": "prod"}, "textbox", "prod"),
        ({"hide": 0.0, "query": "prod"}, "textbox", "prod"),
        ({"hide": 2, "query": "prod"}, "constant", "prod"),
        ({"query": "prod"}, "constant", "prod"),
        ({"hide": True, "query": "prod"}, "constant", "prod"),
        ({"hide": "0", "query": "prod"}, "constant", "prod"),
        ({"hide": 0}, "textbox", ""),
        ({"hide": 2, "query": 5}, "constant", ""),
    ],
)
def test_v27_constant_variables(variable: dict[str, Any], kind: str, query: str) -> None:
    old = {"name": "env", "type": "constant", "current": {"text": "old"}, **variable}
    result, changes = run(27, variables(old))
    current = {"selected": True, "text": query, "value": query}
    assert result == variables(
        {**old, "type": kind, "query": query, "current": current, "options": [current]}
    )
    textbox = ", now a textbox (constants are no longer shown)" if kind == "textbox" else ""
    assert changes == [
        ("", f"constant variable env: `current`/`options` set to {query!r}{textbox}")
    ]


def test_v27_leaves_other_variables() -> None:
    dashboard = variables({"name": "q", "type": "query", "query": "up", "hide": 0})
    assert run(27, dashboard) == (dashboard, [])


# --- v28: singlestat → stat; variable tags ---------------------------------------------------

STAT_DEFAULTS = {
    "colorMode": "value",
    "graphMode": "area",
    "justifyMode": "auto",
    "percentChangeColorMode": "standard",
    "showPercentChange": False,
    "textMode": "auto",
    "wideLayout": True,
    "reduceOptions": {"calcs": ["lastNotNull"], "fields": "", "values": False},
    "orientation": "auto",
}
DEFAULT_THRESHOLDS = {
    "mode": "absolute",
    "steps": [{"color": "green", "value": None}, {"color": "red", "value": 80}],
}

GRAFANA6_SINGLESTAT = {
    "id": 2,
    "type": "singlestat",
    "title": "Up",
    "gridPos": {"h": 4, "w": 6, "x": 0, "y": 0},
    "datasource": "Prometheus",
    "targets": [{"expr": "sum(up)"}, {"expr": "count(up)", "refId": "A"}],
    "valueName": "current",
    "format": "percent",
    "decimals": 1,
    "nullPointMode": "connected",
    "nullText": "n/a",
    "thresholds": "50,80",
    "colors": ["green", "orange", "red"],
    "colorBackground": True,
    "colorValue": False,
    "sparkline": {"show": True, "lineColor": "blue", "full": False},
    "gauge": {"show": False, "minValue": 0, "maxValue": 100},
    "mappingType": 1,
    "mappingTypes": [{"name": "value to text", "value": 1}, {"name": "range to text", "value": 2}],
    "valueMaps": [{"op": "=", "text": "N/A", "value": "null"}],
    "rangeMaps": [{"from": "null", "text": "N/A", "to": "null"}],
    "tableColumn": "",
    "postfix": "",
    "prefix": "",
    "valueFontSize": "80%",
    "span": 4,
    "links": [],
    "maxDataPoints": 100,
    "interval": "1m",
    "cacheTimeout": None,
    "transformations": [{"id": "organize"}],
    "options": {},
}


def test_v28_grafana6_singlestat_end_to_end() -> None:
    result, changes = run(28, panels(GRAFANA6_SINGLESTAT))
    assert result == panels(
        {
            "id": 2,
            "type": "stat",
            "title": "Up",
            "gridPos": {"h": 4, "w": 6, "x": 0, "y": 0},
            "datasource": "Prometheus",
            # The target without a refId gets the next free letter.
            "targets": [{"expr": "sum(up)", "refId": "B"}, {"expr": "count(up)", "refId": "A"}],
            "links": [],
            "maxDataPoints": 100,
            "interval": "1m",
            "cacheTimeout": None,
            "pluginVersion": "12.1.0",
            "fieldConfig": {
                "defaults": {
                    "thresholds": {
                        "mode": "absolute",
                        "steps": [
                            {"color": "green", "value": None},
                            {"color": "orange", "value": 50},
                            {"color": "red", "value": 80},
                        ],
                    },
                    "unit": "percent",
                    "decimals": 1,
                    "nullValueMode": "connected",
                    "noValue": "n/a",
                    # mappingType 1 with range maps: the range maps are read.
                    "mappings": [
                        {
                            "type": "special",
                            "options": {"match": "null", "result": {"text": "N/A", "color": None}},
                        }
                    ],
                    "color": {"mode": "fixed", "fixedColor": "blue"},
                    "min": 0,
                    "max": 100,
                },
                "overrides": [],
            },
            "options": {
                "reduceOptions": {"calcs": ["lastNotNull"], "fields": "", "values": False},
                "orientation": "horizontal",
                "graphMode": "area",
                "colorMode": "background",
                "justifyMode": "auto",
                "percentChangeColorMode": "standard",
                "showPercentChange": False,
                "textMode": "auto",
                "wideLayout": True,
            },
        }
    )
    assert changes == [
        ("Up", "singlestat → stat (reducer lastNotNull)"),
        (
            "Up",
            "removed with the old panel type: colorBackground, colorValue, colors, decimals, "
            "format, gauge, mappingType, mappingTypes, nullPointMode, nullText, postfix, prefix, "
            "rangeMaps, span, sparkline, tableColumn, thresholds, transformations, "
            "valueFontSize, valueMaps, valueName",
        ),
    ]


def singlestat(**angular: Any) -> dict[str, Any]:
    return {"type": "singlestat", "title": "S", **angular}


def migrated(panel: dict[str, Any]) -> dict[str, Any]:
    result, _ = run(28, panels(panel))
    migrated_panel: dict[str, Any] = result["panels"][0]
    return migrated_panel


@pytest.mark.parametrize(
    ("value_name", "calcs"),
    [
        ("avg", "mean"),
        ("mean", "mean"),
        ("current", "lastNotNull"),
        ("last", "lastNotNull"),
        ("first", "firstNotNull"),
        ("total", "sum"),
        ("sum", "sum"),
        ("min", "min"),
        ("max", "max"),
        ("median", "median"),
        ("count", "count"),
        # Not in Grafana's table for this step: mean.
        ("delta", "mean"),
        ("range", "mean"),
        ("diff", "mean"),
        ("", "mean"),
        (5, "mean"),
    ],
)
def test_v28_value_name_to_reducer(value_name: Any, calcs: str) -> None:
    options = migrated(singlestat(valueName=value_name))["options"]
    assert options["reduceOptions"] == {"calcs": [calcs], "fields": "", "values": False}
    assert options["textMode"] == "auto"


def test_v28_value_name_name_shows_the_series_name() -> None:
    options = migrated(singlestat(valueName="name"))["options"]
    assert options["reduceOptions"]["calcs"] == ["lastNotNull"]
    assert options["textMode"] == "name"


@pytest.mark.parametrize(
    ("angular", "display"),
    [
        ({}, {"graphMode": "none", "colorMode": "none"}),
        ({"sparkline": {"show": True}}, {"graphMode": "area", "colorMode": "none"}),
        ({"sparkline": {"show": "true"}}, {"graphMode": "none", "colorMode": "none"}),
        ({"sparkline": "yes"}, {"graphMode": "none", "colorMode": "none"}),
        ({"colorValue": True}, {"graphMode": "none", "colorMode": "value"}),
        (
            {"colorValue": True, "colorBackground": True},
            {"graphMode": "none", "colorMode": "background"},
        ),
        ({"colorBackground": 1}, {"graphMode": "none", "colorMode": "none"}),
    ],
)
def test_v28_display_modes(angular: dict[str, Any], display: dict[str, str]) -> None:
    # `format` makes the panel's Angular options readable even when the case adds none.
    panel = migrated(singlestat(format="short", **angular))
    assert {key: panel["options"][key] for key in display} == display
    assert "color" not in panel["fieldConfig"]["defaults"]


@pytest.mark.parametrize(
    ("angular", "thresholds"),
    [
        (
            {"thresholds": "10, x ,30", "colors": ["a", "b", "c", "d", "e"]},
            {
                "mode": "absolute",
                "steps": [
                    {"color": "a", "value": None},
                    {"color": "b", "value": 10},
                    {"color": "c"},
                    {"color": "d", "value": 30},
                    {"color": "e"},
                ],
            },
        ),
        (
            {"thresholds": "0.5,1e3", "colors": ["g", "r"]},
            {
                "mode": "absolute",
                "steps": [{"color": "g", "value": None}, {"color": "r", "value": 0.5}],
            },
        ),
        ({"thresholds": "", "colors": ["g", "r"]}, DEFAULT_THRESHOLDS),
        ({"thresholds": "10,20"}, DEFAULT_THRESHOLDS),
        ({"thresholds": "10,20", "colors": "red"}, DEFAULT_THRESHOLDS),
        ({"thresholds": ["10"], "colors": ["g"]}, DEFAULT_THRESHOLDS),
        ({"thresholds": "5", "colors": []}, {"mode": "absolute", "steps": []}),
    ],
)
def test_v28_thresholds(angular: dict[str, Any], thresholds: dict[str, Any]) -> None:
    assert migrated(singlestat(**angular))["fieldConfig"]["defaults"]["thresholds"] == thresholds


def test_v28_keeps_existing_field_thresholds_without_angular_ones() -> None:
    own = {"mode": "percentage", "steps": [{"color": "blue", "value": None}]}
    panel = singlestat(
        format="short", fieldConfig={"defaults": {"thresholds": own}, "overrides": [{"x": 1}]}
    )
    field_config = migrated(panel)["fieldConfig"]
    assert field_config["defaults"]["thresholds"] == own
    assert field_config["overrides"] == [{"x": 1}]


@pytest.mark.parametrize(
    ("angular", "mappings"),
    [
        # No mappingType: value maps when there are any.
        (
            {
                "valueMaps": [
                    {"op": "=", "value": "1", "text": "Up"},
                    {"value": 0, "text": "5"},
                    {"value": 2.5, "text": "x"},
                    {"value": 1000000, "text": "x"},
                    {"value": True, "text": "x"},
                    {"value": "null", "text": "none"},
                    {"text": "no value"},
                    {"value": "9", "text": "typed", "type": 1},
                ],
                "thresholds": "3,7",
                "colors": ["green", "orange", "red"],
            },
            [
                {"type": "value", "options": {"1": {"text": "Up", "color": None}}},
                # The text 5 falls in the step at 3.
                {"type": "value", "options": {"0": {"text": "5", "color": "orange"}}},
                {"type": "value", "options": {"2.5": {"text": "x", "color": None}}},
                # Keys are the value as Go prints a float64.
                {"type": "value", "options": {"1e+06": {"text": "x", "color": None}}},
                {"type": "value", "options": {"true": {"text": "x", "color": None}}},
                {
                    "type": "special",
                    "options": {"match": "null", "result": {"text": "none", "color": None}},
                },
            ],
        ),
        # mappingType 1 and value maps only: Grafana's Go switch never matches; no mappings.
        ({"mappingType": 1, "valueMaps": [{"value": "1", "text": "Up"}]}, []),
        # mappingType 2 with value maps (and no range maps): value maps after all.
        (
            {"mappingType": 2, "valueMaps": [{"value": "1", "text": "Up"}]},
            [{"type": "value", "options": {"1": {"text": "Up", "color": None}}}],
        ),
        # mappingType 2 with range maps only: no mappings either.
        (
            {
                "mappingType": 2,
                "valueMaps": [],
                "rangeMaps": [{"from": "1", "to": "2", "text": "t"}],
            },
            [],
        ),
        # No mappingType, no value maps: range maps.
        (
            {
                "valueMaps": [],
                "rangeMaps": [
                    {"from": "10", "to": "20", "text": "mid"},
                    {"from": 1, "to": "x", "text": "90"},
                    {"from": None, "to": "null", "text": "n"},
                    {"text": "no ends"},
                    {"from": "0", "to": "1", "text": "typed", "type": 2},
                ],
            },
            [
                {
                    "type": "range",
                    "options": {"from": 10, "to": 20, "result": {"text": "mid", "color": None}},
                },
                # Grafana's own default step at 80 is a Go int its comparison skips: green.
                {
                    "type": "range",
                    "options": {"from": 1, "to": None, "result": {"text": "90", "color": "green"}},
                },
                {
                    "type": "special",
                    "options": {"match": "null", "result": {"text": "n", "color": None}},
                },
            ],
        ),
        ({"valueMaps": [], "rangeMaps": []}, []),
        # rangeMaps alone do not make the Angular options readable.
        ({}, []),
    ],
)
def test_v28_value_mappings(angular: dict[str, Any], mappings: list[dict[str, Any]]) -> None:
    panel = singlestat(format="short", **angular)
    assert migrated(panel)["fieldConfig"]["defaults"]["mappings"] == mappings


def test_v28_mapping_colour_from_parsed_thresholds() -> None:
    panel = singlestat(
        thresholds="80",
        colors=["green", "red"],
        valueMaps=[{"value": "1", "text": "95"}, {"value": "2", "text": " 95"}],
    )
    mappings = migrated(panel)["fieldConfig"]["defaults"]["mappings"]
    # A parsed threshold is a float Grafana compares; a text with a space is not a number.
    assert mappings == [
        {"type": "value", "options": {"1": {"text": "95", "color": "red"}}},
        {"type": "value", "options": {"2": {"text": " 95", "color": None}}},
    ]


@pytest.mark.parametrize(
    ("angular", "field"),
    [
        ({"format": "percent"}, {"unit": "percent", "min": 0, "max": 100}),
        ({"format": "percentunit"}, {"unit": "percentunit", "min": 0, "max": 1}),
        (
            {"format": "percentunit", "gauge": {"show": True, "minValue": 5}},
            {"unit": "percentunit", "min": 5, "max": 1},
        ),
        (
            {"format": "bytes", "gauge": {"show": True, "minValue": 0, "maxValue": 1024}},
            {"unit": "bytes", "min": 0, "max": 1024},
        ),
        ({"format": "bytes", "gauge": {"show": True}}, {"unit": "bytes", "min": None, "max": None}),
        ({"format": "bytes", "gauge": {"show": False, "maxValue": 9}}, {"unit": "bytes"}),
        (
            {"format": 5, "decimals": None, "nullPointMode": "null"},
            {"decimals": None, "nullValueMode": "null"},
        ),
        ({"nullText": 0}, {}),
        ({"nullText": "-"}, {"noValue": "-"}),
    ],
)
def test_v28_field_defaults(angular: dict[str, Any], field: dict[str, Any]) -> None:
    defaults = migrated(singlestat(**angular))["fieldConfig"]["defaults"]
    assert {
        key: value for key, value in defaults.items() if key not in ("thresholds", "mappings")
    } == field


def test_v28_table_column_selects_fields() -> None:
    options = migrated(singlestat(tableColumn="Value"))["options"]
    assert options["reduceOptions"] == {"calcs": ["mean"], "fields": "/^Value$/", "values": False}


def test_v28_without_angular_options_merges_into_existing_options() -> None:
    panel = migrated(
        singlestat(
            options={"keep": 1, "orientation": "vertical"}, fieldConfig=None, legend={"show": True}
        )
    )
    assert panel == {
        "type": "stat",
        "title": "S",
        "pluginVersion": "12.1.0",
        "fieldConfig": {
            "defaults": {"thresholds": DEFAULT_THRESHOLDS, "mappings": []},
            "overrides": [],
        },
        "options": {
            **STAT_DEFAULTS,
            "keep": 1,
            "reduceOptions": {"calcs": ["mean"], "fields": "", "values": False},
            "orientation": "horizontal",
            "graphMode": "none",
            "colorMode": "none",
        },
    }


def test_v28_singlestat_plugin_gets_stat_defaults_only() -> None:
    plugin = {
        "type": "grafana-singlestat-panel",
        "title": "Plugin",
        "format": "bytes",
        "valueName": "max",
        "thresholds": "1,2",
        "colors": ["a", "b", "c"],
        "valueMaps": [{"value": "1", "text": "one"}],
        "colorBackground": True,
        "fieldConfig": {"defaults": {"thresholds": {"steps": []}, "unit": "kept"}, "overrides": []},
        "options": "not an object",
    }
    result, changes = run(28, panels(plugin))
    assert result == panels(
        {
            "type": "stat",
            "title": "Plugin",
            "pluginVersion": "12.1.0",
            "fieldConfig": {
                "defaults": {"thresholds": DEFAULT_THRESHOLDS, "unit": "kept", "mappings": []},
                "overrides": [],
            },
            "options": STAT_DEFAULTS,
        }
    )
    assert changes[0] == (
        "Plugin",
        "grafana-singlestat-panel → stat (the singlestat plugin: the stat panel's defaults only)",
    )


@pytest.mark.parametrize(
    ("panel", "reducer", "color_mode"),
    [
        # Already typed stat by Grafana's load: migrated by its autoMigrateFrom.
        ({"type": "stat", "autoMigrateFrom": "singlestat", "valueName": "max"}, "max", "none"),
        (
            {"type": "stat", "autoMigrateFrom": "grafana-singlestat-panel", "valueName": "max"},
            "lastNotNull",
            "value",
        ),
        # A singlestat whose autoMigrateFrom names the plugin follows the plugin's rule.
        (
            {
                "type": "singlestat",
                "autoMigrateFrom": "grafana-singlestat-panel",
                "valueName": "max",
            },
            "lastNotNull",
            "value",
        ),
        # An autoMigrateFrom that is not a string: the type decides.
        (
            {"type": "grafana-singlestat-panel", "autoMigrateFrom": None, "valueName": "max"},
            "lastNotNull",
            "value",
        ),
    ],
)
def test_v28_auto_migrated_panels(panel: dict[str, Any], reducer: str, color_mode: str) -> None:
    result = migrated({"title": "A", **panel})
    assert result["type"] == "stat"
    assert "autoMigrateFrom" not in result
    assert result["options"]["reduceOptions"]["calcs"] == [reducer]
    assert result["options"]["colorMode"] == color_mode


def test_v28_walks_rows_recursively_but_not_other_panels() -> None:
    dashboard = panels(
        {
            "type": "row",
            "title": "R",
            "panels": [singlestat(valueName="max"), {"type": "row", "panels": [singlestat()]}],
        },
        {"type": "graph", "title": "G", "panels": [singlestat()]},
        {"type": "row", "title": "Row typed", "autoMigrateFrom": "singlestat", "panels": "x"},
    )
    result, changes = run(28, dashboard)
    row = result["panels"][0]
    assert row["panels"][0]["type"] == "stat"
    assert row["panels"][1]["panels"][0]["type"] == "stat"
    assert result["panels"][1:] == dashboard["panels"][1:]
    assert [change for _, change in changes if "→ stat" in change] == [
        "singlestat → stat (reducer max)",
        "singlestat → stat (reducer mean)",
    ]


def test_v28_ref_ids_take_the_next_free_letters() -> None:
    panel = singlestat(targets=[{}, {"refId": ""}, {"refId": "B"}, "junk", {"refId": 3}])
    assert migrated(panel)["targets"] == [
        {"refId": "A"},
        {"refId": "C"},
        {"refId": "B"},
        "junk",
        {"refId": "D"},
    ]


@pytest.mark.parametrize(
    ("panel", "pointer"),
    [
        ({"type": 5, "autoMigrateFrom": "singlestat"}, "/panels/0/type"),
        (singlestat(fieldConfig="x"), "/panels/0/fieldConfig"),
        (singlestat(fieldConfig={"overrides": []}), "/panels/0/fieldConfig/defaults"),
        (singlestat(fieldConfig={"defaults": None}), "/panels/0/fieldConfig/defaults"),
        (singlestat(gauge=True), "/panels/0/gauge"),
        (singlestat(valueMaps={}), "/panels/0/valueMaps"),
        (singlestat(format="short", rangeMaps="x"), "/panels/0/rangeMaps"),
        (singlestat(valueMaps=[1]), "/panels/0/valueMaps/0"),
        (singlestat(format="short", rangeMaps=[None]), "/panels/0/rangeMaps/0"),
        (singlestat(thresholds="inf", colors=["g", "r"]), "/panels/0/thresholds"),
        (
            singlestat(format="short", rangeMaps=[{"from": "NaN", "to": "1"}]),
            "/panels/0/rangeMaps/0/from",
        ),
    ],
)
def test_v28_fails_where_grafana_fails(panel: dict[str, Any], pointer: str) -> None:
    with pytest.raises(Unmigratable) as failure:
        run(28, panels(panel))
    assert failure.value.pointer == pointer


@pytest.mark.parametrize(
    ("variable", "left", "removed"),
    [
        (
            {"tags": ["a"], "tagsQuery": "q", "tagValuesQuery": "v", "useTags": True},
            {},
            "tags, tagsQuery, tagValuesQuery, useTags",
        ),
        # Empty or null values of the queries and a false/null useTags stay.
        (
            {"tags": [], "tagsQuery": "", "tagValuesQuery": None, "useTags": False},
            {"tagsQuery": "", "tagValuesQuery": None, "useTags": False},
            "tags",
        ),
        ({"useTags": None, "tagsQuery": 0}, {"useTags": None}, "tagsQuery"),
        # The backend removes any useTags but false and null (0 and "" included).
        ({"useTags": 0}, {}, "useTags"),
        ({"useTags": ""}, {}, "useTags"),
        ({"query": "up"}, {"query": "up"}, ""),
    ],
)
def test_v28_variable_tags(variable: dict[str, Any], left: dict[str, Any], removed: str) -> None:
    result, changes = run(28, variables({"name": "v", "type": "query", **variable}))
    assert result == variables({"name": "v", "type": "query", **left})
    assert changes == ([("", f"variable v: removed {removed}")] if removed else [])


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("10", 10.0),
        ("-1.5", -1.5),
        (".5", 0.5),
        ("1.", 1.0),
        ("1e3", 1000.0),
        ("0x1p4", 16.0),
        ("Inf", float("inf")),
        ("-infinity", float("-inf")),
        (" 1", None),
        ("1_000", None),
        ("1e400", None),
        ("", None),
        ("+nan", None),
        ("ten", None),
    ],
)
def test_v28_go_parse_float(text: str, number: float | None) -> None:
    assert v28.go_parse_float(text) == number


@pytest.mark.parametrize(
    ("value", "printed"),
    [
        (1, "1"),
        (1.0, "1"),
        (2.5, "2.5"),
        (123456, "123456"),
        (1234567, "1.234567e+06"),
        (1000000, "1e+06"),
        (0.0001, "0.0001"),
        (0.00001, "1e-05"),
        (-0.5, "-0.5"),
        (0, "0"),
        (False, "false"),
        ("s", "s"),
        (None, "<nil>"),
        ([1, "a"], "[1 a]"),
        ({"b": 1, "a": 2}, "map[a:2 b:1]"),
    ],
)
def test_v28_go_print(value: Any, printed: str) -> None:
    assert v28.go_print(value) == printed

"""Grafana's schema steps 2-16, one table per version, cases written from Grafana's step code
(`apps/dashboard/pkg/migration/schemaversion/vN.go`): each case is the dashboard before (at
version N-1), the exact dashboard after, and the changes the step reports."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from tsedash.migrate.schemaversion import STEPS, StepContext, Unmigratable, migrate_to

Changes = list[tuple[str, str]]  # (panel, change); panel "" for the dashboard itself


def migrated(dashboard: dict[str, Any], version: int) -> tuple[dict[str, Any], Changes]:
    """Runs the step for `version` on a copy of `dashboard` set to `version - 1`."""
    before = copy.deepcopy(dashboard)
    before["schemaVersion"] = version - 1
    ctx = StepContext()
    migrate_to(before, ctx, target=version)
    assert {c.version for c in ctx.changes} <= {version}
    return before, [(c.panel, c.change) for c in ctx.changes]


def check(version: int, before: dict[str, Any], after: dict[str, Any], changes: Changes) -> None:
    result, logged = migrated(before, version)
    assert result == {**after, "schemaVersion": version}
    assert logged == changes


# --- v2: services.filter --------------------------------------------------------------------

V2_CASES = [
    pytest.param(
        {
            "services": {
                "filter": {"time": {"from": "now-3h", "to": "now"}, "list": [{"name": "dc"}]}
            },
            "templating": {"enable": True, "list": [{"name": "old"}]},
        },
        {
            "time": {"from": "now-3h", "to": "now"},
            "templating": {"enable": True, "list": [{"name": "dc"}]},
        },
        [
            ("", "`services.filter.time` → `time`"),
            ("", "`services.filter.list` → `templating.list`"),
            ("", "`services` removed"),
        ],
        id="time-and-list-move-templating-keeps-its-other-keys",
    ),
    pytest.param(
        {"services": {"filter": {"list": None}}, "time": {"from": "now-1d", "to": "now"}},
        {"templating": {"list": None}, "time": {"from": "now-1d", "to": "now"}},
        [("", "`services.filter.list` → `templating.list`"), ("", "`services` removed")],
        id="a-null-list-is-written-as-null-and-templating-created",
    ),
    pytest.param(
        {"services": {"filter": {"time": None}}, "time": {"from": "now-1h", "to": "now"}},
        {"time": None},
        [("", "`services.filter.time` → `time`"), ("", "`services` removed")],
        id="a-present-null-time-still-replaces-the-time",
    ),
    pytest.param(
        {"services": {"filter": {}, "other": 1}},
        {},
        [("", "`services` removed")],
        id="empty-filter-still-removes-services",
    ),
    pytest.param(
        {"services": {"query": {}}, "title": "t"},
        {"services": {"query": {}}, "title": "t"},
        [],
        id="no-filter-object-nothing-changes",
    ),
    pytest.param(
        {"services": ["filter"]},
        {"services": ["filter"]},
        [],
        id="services-not-an-object-kept",
    ),
    pytest.param(
        {"panels": [{"type": "graphite", "legend": True, "grid": {"min": 5}, "y_format": "bytes"}]},
        {"panels": [{"type": "graphite", "legend": True, "grid": {"min": 5}, "y_format": "bytes"}]},
        [],
        id="graphite-panels-are-left-to-the-load-time-panel-replacement",
    ),
]


@pytest.mark.parametrize(("before", "after", "changes"), V2_CASES)
def test_v2(before: dict[str, Any], after: dict[str, Any], changes: Changes) -> None:
    check(2, before, after, changes)


def test_v2_templating_that_is_not_an_object_stops_like_grafana() -> None:
    with pytest.raises(Unmigratable) as raised:
        migrated({"services": {"filter": {"list": []}}, "templating": []}, 2)
    assert raised.value.pointer == "/templating"


# --- v3, v4, v5, v9, v11, v13, v15: no-ops in Grafana's backend ----------------------------

# Each dashboard holds what the frontend's old step for that version would have changed.
NO_OP_CASES = [
    pytest.param(3, {"panels": [{"type": "text"}, {"id": 4, "type": "text"}]}, id="v3-no-ids"),
    pytest.param(
        4, {"panels": [{"type": "graph", "aliasYAxis": {"errors": 2}}]}, id="v4-aliasYAxis"
    ),
    pytest.param(5, {"panels": [{"type": "graph"}], "rows": [{"panels": []}]}, id="v5"),
    pytest.param(
        9,
        {
            "panels": [{"type": "singlestat", "thresholds": "0,50,80"}],
            "rows": [{"panels": [{"type": "singlestat", "thresholds": "1,2,3,4"}]}],
        },
        id="v9-singlestat-thresholds",
    ),
    pytest.param(11, {"templating": {"list": [{"name": "a", "refresh": True}]}}, id="v11"),
    pytest.param(
        13,
        {"panels": [{"type": "graph", "grid": {"threshold1": 80, "thresholdLine": True}}]},
        id="v13-graph-grid-thresholds",
    ),
    pytest.param(15, {"sharedCrosshair": True, "rows": [{"collapse": True}]}, id="v15"),
]


@pytest.mark.parametrize(("version", "dashboard"), NO_OP_CASES)
def test_no_op_steps(version: int, dashboard: dict[str, Any]) -> None:
    check(version, dashboard, copy.deepcopy(dashboard), [])
    assert STEPS[version].__module__.endswith(f".v{version:02d}")


# --- v6: pulldowns → annotations, variables ---------------------------------------------------

V6_CASES = [
    pytest.param(
        {
            "pulldowns": [
                {"type": "filtering", "enable": True},
                {"type": "annotations", "annotations": [{"name": "deploys"}]},
                {"type": "annotations", "annotations": [{"name": "second"}]},
            ],
            "annotations": {"list": [{"name": "replaced"}]},
        },
        {
            "pulldowns": [
                {"type": "filtering", "enable": True},
                {"type": "annotations", "annotations": [{"name": "deploys"}]},
                {"type": "annotations", "annotations": [{"name": "second"}]},
            ],
            "annotations": {"list": [{"name": "deploys"}]},
        },
        [("", "the `annotations` pulldown → `annotations.list`")],
        id="first-annotations-pulldown-wins-pulldowns-kept",
    ),
    pytest.param(
        {"pulldowns": [{"type": "annotations", "enable": False}]},
        {"pulldowns": [{"type": "annotations", "enable": False}], "annotations": {"list": []}},
        [("", "the `annotations` pulldown → `annotations.list`")],
        id="no-annotations-key-gives-an-empty-list",
    ),
    pytest.param(
        {"pulldowns": [{"type": "annotations", "annotations": None}]},
        {
            "pulldowns": [{"type": "annotations", "annotations": None}],
            "annotations": {"list": None},
        },
        [("", "the `annotations` pulldown → `annotations.list`")],
        id="null-annotations-kept-null-as-the-backend-does",
    ),
    pytest.param(
        {"pulldowns": {"type": "annotations"}, "annotations": {"list": []}},
        {"pulldowns": {"type": "annotations"}, "annotations": {"list": []}},
        [],
        id="pulldowns-not-a-list",
    ),
    pytest.param(
        {"pulldowns": ["annotations", {"type": ["annotations"]}]},
        {"pulldowns": ["annotations", {"type": ["annotations"]}]},
        [],
        id="only-an-object-with-the-string-type-counts",
    ),
    pytest.param(
        {
            "templating": {
                "list": [
                    {"name": "server", "type": "filter"},
                    {"name": "env"},
                    {"name": "q", "type": "query", "datasource": "graphite", "allFormat": None},
                    {"name": "t", "type": None, "datasource": None, "allFormat": "glob"},
                    "junk",
                ]
            }
        },
        {
            "templating": {
                "list": [
                    {"name": "server", "type": "query", "datasource": None},
                    {"name": "env", "type": "query", "datasource": None},
                    {"name": "q", "type": "query", "datasource": "graphite"},
                    {"name": "t", "type": None, "datasource": None, "allFormat": "glob"},
                    "junk",
                ]
            }
        },
        [
            ("", "variable 'server': no `datasource` → null"),
            ("", "variable 'server': `type` filter → query"),
            ("", "variable 'env': no `datasource` → null"),
            ("", "variable 'env': no `type` → query"),
            ("", "variable 'q': `allFormat` null removed"),
        ],
        id="variables",
    ),
    pytest.param(
        {"templating": {"list": {"name": "x"}}, "annotations": {"list": []}},
        {"templating": {"list": {"name": "x"}}, "annotations": {"list": []}},
        [],
        id="templating-list-not-a-list",
    ),
    pytest.param({"templating": ["x"]}, {"templating": ["x"]}, [], id="templating-not-an-object"),
]


@pytest.mark.parametrize(("before", "after", "changes"), V6_CASES)
def test_v6(before: dict[str, Any], after: dict[str, Any], changes: Changes) -> None:
    check(6, before, after, changes)


# --- v7: nav → timepicker ---------------------------------------------------------------------

PICKER = {"type": "timepicker", "now": True, "refresh_intervals": ["5s", "1m"]}

V7_CASES = [
    pytest.param(
        {"nav": [PICKER, {"type": "other"}], "timepicker": {"hidden": True}},
        {"nav": [PICKER, {"type": "other"}], "timepicker": PICKER},
        [("", "`nav[0]` → `timepicker`")],
        id="first-entry-replaces-the-timepicker-nav-kept",
    ),
    pytest.param({"nav": []}, {"nav": []}, [], id="empty-nav"),
    pytest.param(
        {"nav": ["timepicker", PICKER]},
        {"nav": ["timepicker", PICKER]},
        [],
        id="first-not-an-object",
    ),
    pytest.param({"nav": PICKER}, {"nav": PICKER}, [], id="nav-not-a-list"),
    pytest.param(
        {"panels": [{"targets": [{"expr": "up"}]}]},
        {"panels": [{"targets": [{"expr": "up"}]}]},
        [],
        id="targets-without-refId-are-left-to-the-load-defaults",
    ),
]


@pytest.mark.parametrize(("before", "after", "changes"), V7_CASES)
def test_v7(before: dict[str, Any], after: dict[str, Any], changes: Changes) -> None:
    check(7, before, after, changes)


# --- v8: old InfluxDB queries -----------------------------------------------------------------

OLD_INFLUX = {
    "refId": "A",
    "measurement": "cpu",
    "fields": [
        {"name": "usage_user", "func": "mean", "mathExpr": "/ 100", "asExpr": "user"},
        {"name": "usage_system"},
        {"func": 7, "mathExpr": None},
        "junk",
    ],
    "tags": [{"key": "host", "value": "web1"}],
    "groupBy": [
        {"type": "time", "interval": "1m"},
        {"type": "tag", "key": "host"},
        {"type": "time", "interval": 60},
        {"type": ["time"], "interval": "5m"},
        "junk",
    ],
    "fill": "null",
}
NEW_INFLUX = {
    "refId": "A",
    "measurement": "cpu",
    "select": [
        [
            {"type": "field", "params": ["usage_user"]},
            {"type": "mean", "params": []},
            {"type": "math", "params": ["/ 100"]},
            {"type": "alias", "params": ["user"]},
        ],
        [{"type": "field", "params": ["usage_system"]}],
    ],
    "tags": [{"key": "host", "value": "web1"}],
    "groupBy": [
        {"type": "time", "params": ["1m"]},
        {"type": "tag", "params": ["host"]},
        {"type": "time", "interval": 60},
        {"type": ["time"], "interval": "5m"},
        "junk",
        {"type": "fill", "params": ["null"]},
    ],
}
STRUCTURED_CHANGE = (
    "target A: InfluxDB `fields` → `select` (2 selected); `groupBy` interval/key → params; "
    "`fill` → a `groupBy` fill part"
)
RAW = {
    "rawQuery": True,
    "query": "SELECT 1",
    "fields": [],
    "tags": [],
    "groupBy": [{"type": "time", "interval": "1m"}],
    "fill": 0,
}

V8_CASES = [
    pytest.param(
        {"rows": [{"panels": [{"title": "CPU", "targets": [copy.deepcopy(OLD_INFLUX)]}]}]},
        {"rows": [{"panels": [{"title": "CPU", "targets": [NEW_INFLUX]}]}]},
        [("CPU", STRUCTURED_CHANGE)],
        id="structured-query-in-a-pre-v16-row",
    ),
    pytest.param(
        {"panels": [{"targets": [copy.deepcopy(RAW), {"expr": "up", "refId": "B"}]}]},
        {
            "panels": [
                {
                    "targets": [
                        {
                            "rawQuery": True,
                            "query": "SELECT 1",
                            "tags": [],
                            "groupBy": [{"type": "time", "interval": "1m"}],
                        },
                        {"expr": "up", "refId": "B"},
                    ]
                }
            ]
        },
        [("/panels/0", "target #0: raw InfluxDB query: `fields` and `fill` removed")],
        id="raw-query-only-loses-fields-and-fill",
    ),
    pytest.param(
        {"panels": [{"targets": [{**RAW, "rawQuery": "true"}]}]},
        {
            "panels": [
                {
                    "targets": [
                        {
                            "rawQuery": "true",
                            "query": "SELECT 1",
                            "select": [],
                            "tags": [],
                            "groupBy": [
                                {"type": "time", "params": ["1m"]},
                                {"type": "fill", "params": [0]},
                            ],
                        }
                    ]
                }
            ]
        },
        [
            (
                "/panels/0",
                "target #0: InfluxDB `fields` → `select` (0 selected); `groupBy` interval/key → params; "
                "`fill` → a `groupBy` fill part",
            )
        ],
        id="rawQuery-must-be-the-boolean-true",
    ),
    pytest.param(
        {
            "panels": [
                {
                    "targets": [
                        {
                            "refId": "C",
                            "fields": "value",
                            "tags": None,
                            "groupBy": "time",
                            "fill": None,
                        }
                    ]
                }
            ]
        },
        {"panels": [{"targets": [{"refId": "C", "tags": None, "groupBy": "time", "fill": None}]}]},
        [("/panels/0", "target C: InfluxDB `fields` removed")],
        id="fields-and-groupBy-of-other-shapes",
    ),
    pytest.param(
        {
            "panels": [
                {"targets": [{"fields": [], "tags": []}, "junk"]},
                {"targets": {"A": {}}},
                "junk",
            ]
        },
        {
            "panels": [
                {"targets": [{"fields": [], "tags": []}, "junk"]},
                {"targets": {"A": {}}},
                "junk",
            ]
        },
        [],
        id="not-old-influx-all-three-keys-needed",
    ),
    pytest.param(
        {"panels": [{"type": "row", "panels": [{"targets": [copy.deepcopy(RAW)]}]}]},
        {"panels": [{"type": "row", "panels": [{"targets": [copy.deepcopy(RAW)]}]}]},
        [],
        id="collapsed-row-panels-are-not-entered",
    ),
]


@pytest.mark.parametrize(("before", "after", "changes"), V8_CASES)
def test_v8(before: dict[str, Any], after: dict[str, Any], changes: Changes) -> None:
    check(8, before, after, changes)


# --- v10: table style thresholds -------------------------------------------------------------

V10_CASES = [
    pytest.param(
        {
            "rows": [
                {
                    "panels": [
                        {
                            "type": "table",
                            "title": "Hosts",
                            "styles": [
                                {"thresholds": ["0", "50", "80"]},
                                {"thresholds": ["1", "2"]},
                                {"pattern": "/.*/"},
                                "junk",
                            ],
                        }
                    ]
                }
            ]
        },
        {
            "rows": [
                {
                    "panels": [
                        {
                            "type": "table",
                            "title": "Hosts",
                            "styles": [
                                {"thresholds": ["50", "80"]},
                                {"thresholds": ["1", "2"]},
                                {"pattern": "/.*/"},
                                "junk",
                            ],
                        }
                    ]
                }
            ]
        },
        [("Hosts", 'style 0: first of 3 `thresholds` ("0") dropped')],
        id="table-in-a-pre-v16-row",
    ),
    pytest.param(
        {"panels": [{"type": "table", "styles": [{"thresholds": [10, 20, 30, 40]}]}]},
        {"panels": [{"type": "table", "styles": [{"thresholds": [20, 30, 40]}]}]},
        [("/panels/0", "style 0: first of 4 `thresholds` (10) dropped")],
        id="four-numbers",
    ),
    pytest.param(
        {
            "panels": [
                {"type": "table-old", "styles": [{"thresholds": [1, 2, 3]}]},
                {"type": "graph", "styles": [{"thresholds": [1, 2, 3]}]},
                {"type": "table", "styles": {"thresholds": [1, 2, 3]}},
                {"type": "table", "styles": [{"thresholds": "1,2,3"}]},
            ]
        },
        {
            "panels": [
                {"type": "table-old", "styles": [{"thresholds": [1, 2, 3]}]},
                {"type": "graph", "styles": [{"thresholds": [1, 2, 3]}]},
                {"type": "table", "styles": {"thresholds": [1, 2, 3]}},
                {"type": "table", "styles": [{"thresholds": "1,2,3"}]},
            ]
        },
        [],
        id="other-types-and-shapes-untouched",
    ),
]


@pytest.mark.parametrize(("before", "after", "changes"), V10_CASES)
def test_v10(before: dict[str, Any], after: dict[str, Any], changes: Changes) -> None:
    check(10, before, after, changes)


# --- v12: variables' refresh and hide ---------------------------------------------------------


def variables(*items: Any) -> dict[str, Any]:
    return {"templating": {"list": list(items)}}


V12_CASES = [
    pytest.param(
        variables(
            {"name": "a", "refresh": True},
            {"name": "b", "refresh": False},
            {"name": "c", "refresh": 2},
            {"name": "d", "refresh": ""},
            {"name": "e", "refresh": "on"},
            {"name": "f", "refresh": None},
            {"name": "g", "refresh": 1},
            {"name": "h", "refresh": 0},
            {"name": "i"},
        ),
        variables(
            {"name": "a", "refresh": 1},
            {"name": "b", "refresh": 0},
            {"name": "c", "refresh": 1},
            {"name": "d", "refresh": 0},
            {"name": "e", "refresh": 1},
            {"name": "f", "refresh": 0},
            {"name": "g", "refresh": 1},
            {"name": "h", "refresh": 0},
            {"name": "i"},
        ),
        [
            ("", "variable 'a': `refresh` true → 1"),
            ("", "variable 'b': `refresh` false → 0"),
            ("", "variable 'c': `refresh` 2 → 1"),
            ("", "variable 'd': `refresh` \"\" → 0"),
            ("", "variable 'e': `refresh` \"on\" → 1"),
            ("", "variable 'f': `refresh` null → 0"),
        ],
        id="refresh-coerced-as-javascript-truthiness-missing-stays-missing",
    ),
    pytest.param(
        variables(
            {"name": "a", "hideVariable": True, "hideLabel": True},
            {"name": "b", "hideVariable": 1},
            {"name": "c", "hideVariable": False, "hideLabel": True, "hide": 0},
            {"name": "d", "hideVariable": 0, "hideLabel": "", "hide": 2},
            {"name": "e", "hideVariable": []},
            {"name": "f", "hideVariable": True, "hide": 2},
            "junk",
        ),
        variables(
            {"name": "a", "hideVariable": True, "hideLabel": True, "hide": 2},
            {"name": "b", "hideVariable": 1, "hide": 2},
            {"name": "c", "hideVariable": False, "hideLabel": True, "hide": 1},
            {"name": "d", "hideVariable": 0, "hideLabel": "", "hide": 2},
            {"name": "e", "hideVariable": [], "hide": 2},
            {"name": "f", "hideVariable": True, "hide": 2},
            "junk",
        ),
        [
            ("", "variable 'a' (`hideVariable`): `hide` missing → 2"),
            ("", "variable 'b' (`hideVariable`): `hide` missing → 2"),
            ("", "variable 'c' (`hideLabel`): `hide` 0 → 1"),
            ("", "variable 'e' (`hideVariable`): `hide` missing → 2"),
        ],
        id="hide-from-hideVariable-then-hideLabel-both-kept",
    ),
    pytest.param({"templating": {"list": None}}, {"templating": {"list": None}}, [], id="no-list"),
    pytest.param({"title": "x"}, {"title": "x"}, [], id="no-templating"),
]


@pytest.mark.parametrize(("before", "after", "changes"), V12_CASES)
def test_v12(before: dict[str, Any], after: dict[str, Any], changes: Changes) -> None:
    check(12, before, after, changes)


# --- v14: sharedCrosshair → graphTooltip -----------------------------------------------------

V14_CASES = [
    pytest.param(
        {"sharedCrosshair": True},
        {"graphTooltip": 1},
        [("", "`sharedCrosshair` true → `graphTooltip` 1")],
        id="true",
    ),
    pytest.param(
        {"sharedCrosshair": False, "graphTooltip": 2},
        {"graphTooltip": 0},
        [("", "`sharedCrosshair` false → `graphTooltip` 0")],
        id="false-overwrites",
    ),
    pytest.param(
        {"sharedCrosshair": "yes"},
        {"graphTooltip": 0},
        [("", '`sharedCrosshair` "yes" → `graphTooltip` 0')],
        id="only-the-boolean-true-counts",
    ),
    pytest.param(
        {"graphTooltip": 2},
        {"graphTooltip": 0},
        [("", "no `sharedCrosshair`: `graphTooltip` 2 → 0")],
        id="missing-still-overwrites-as-grafana-does",
    ),
    pytest.param(
        {},
        {"graphTooltip": 0},
        [("", "no `sharedCrosshair`: `graphTooltip` missing → 0")],
        id="missing-both",
    ),
    pytest.param({"graphTooltip": 0}, {"graphTooltip": 0}, [], id="already-0"),
]


@pytest.mark.parametrize(("before", "after", "changes"), V14_CASES)
def test_v14(before: dict[str, Any], after: dict[str, Any], changes: Changes) -> None:
    check(14, before, after, changes)


# --- v16: rows → grid -------------------------------------------------------------------------


def grid(x: int, y: int, w: int, h: int) -> dict[str, int]:
    return {"h": h, "w": w, "x": x, "y": y}


def row_panel(id_: int, title: str, pos: dict[str, int], **extra: Any) -> dict[str, Any]:
    return {
        "type": "row",
        "title": title,
        "id": id_,
        "gridPos": pos,
        "repeat": "",
        "panels": [],
        **extra,
    }


V16_CASES = [
    pytest.param(
        {
            "rows": [
                {
                    "panels": [
                        {"id": 1, "title": "A", "span": 6},
                        {"id": 2, "title": "B", "span": 6},
                    ]
                },
                {"title": "not shown", "panels": [{"id": 3, "title": "C"}]},
            ]
        },
        {
            "panels": [
                {"id": 1, "title": "A", "gridPos": grid(0, 0, 12, 7)},
                {"id": 2, "title": "B", "gridPos": grid(12, 0, 12, 7)},
                {"id": 3, "title": "C", "gridPos": grid(0, 7, 8, 7)},
            ]
        },
        [
            ("", "no row is collapsed, titled or repeated: rows get no row panels"),
            ("A", "`span` 6 → gridPos x 0, y 0, w 12, h 7 (the row's height)"),
            ("B", "`span` 6 → gridPos x 12, y 0, w 12, h 7 (the row's height)"),
            ("C", "`span` missing → gridPos x 0, y 7, w 8, h 7 (the row's height)"),
            ("", "`rows` removed: 2 rows laid out on the 24-column grid"),
        ],
        id="untitled-rows-leave-only-their-panels",
    ),
    pytest.param(
        {
            "panels": [{"id": 40, "type": "text", "gridPos": grid(0, 0, 24, 2)}],
            "rows": [
                {
                    "title": "Traffic",
                    "showTitle": True,
                    "height": "300px",
                    "panels": [{"id": 2, "span": 8}, {"title": "No id", "span": 4}],
                },
                {"title": "Hidden title", "showTitle": False, "panels": [{"id": 9, "span": 12}]},
            ],
        },
        {
            "panels": [
                {"id": 40, "type": "text", "gridPos": grid(0, 0, 24, 2)},
                {"id": 2, "gridPos": grid(0, 1, 16, 8)},
                {"title": "No id", "id": 41, "gridPos": grid(16, 1, 8, 8)},
                row_panel(42, "Traffic", grid(0, 0, 24, 8)),
                {"id": 9, "gridPos": grid(0, 10, 24, 7)},
                row_panel(43, "Hidden title", grid(0, 9, 24, 7)),
            ]
        },
        [
            ("No id", "no `id`: given 41"),
            ("Traffic", "row → row panel id 42 at y 0, h 8 (expanded)"),
            ("/rows/0/panels/0", "`span` 8 → gridPos x 0, y 1, w 16, h 8 (the row's height)"),
            ("No id", "`span` 4 → gridPos x 16, y 1, w 8, h 8 (the row's height)"),
            ("Hidden title", "row → row panel id 43 at y 9, h 7 (expanded)"),
            ("/rows/1/panels/0", "`span` 12 → gridPos x 0, y 10, w 24, h 7 (the row's height)"),
            ("", "`rows` removed: 2 rows laid out on the 24-column grid"),
        ],
        id="one-titled-row-gives-every-row-a-row-panel-ids-after-the-highest-top-level-too",
    ),
    pytest.param(
        {
            "rows": [
                {
                    "title": "Per host",
                    "repeat": "host",
                    "collapse": False,
                    "height": 200,
                    "panels": [{"id": 1, "span": 12, "height": 400}],
                },
                {
                    "title": "Per host",
                    "repeat": "host",
                    "repeatIteration": 1499,
                    "panels": [{"id": 5}],
                },
                {
                    "title": "Details",
                    "collapse": True,
                    "panels": [{"id": 2, "span": 6, "minSpan": 3}, {"id": 3, "span": 6}],
                },
                {
                    "title": "After",
                    "showTitle": True,
                    "repeatIteration": None,
                    "panels": [{"id": 4, "span": 12}],
                },
            ]
        },
        {
            "panels": [
                {"id": 1, "height": 400, "gridPos": grid(0, 1, 24, 11)},
                {
                    **row_panel(6, "Per host", grid(0, 0, 24, 6)),
                    "repeat": "host",
                    "collapsed": False,
                },
                {
                    **row_panel(7, "Details", grid(0, 7, 24, 7)),
                    "collapsed": True,
                    "panels": [
                        {"id": 2, "minSpan": 6, "gridPos": grid(0, 8, 12, 7)},
                        {"id": 3, "gridPos": grid(12, 8, 12, 7)},
                    ],
                },
                {"id": 4, "gridPos": grid(0, 9, 24, 7)},
                row_panel(8, "After", grid(0, 8, 24, 7)),
            ]
        },
        [
            ("Per host", "row → row panel id 6 at y 0, h 6 (expanded)"),
            ("/rows/0/panels/0", "`span` 12 → gridPos x 0, y 1, w 24, h 11 (its own `height`)"),
            ("Per host", "row copy made by a repeat (`repeatIteration`): dropped with its panels"),
            ("Details", "row → row panel id 7 at y 7, h 7 (collapsed: its panels go inside)"),
            ("/rows/2/panels/0", "`minSpan` 3 → 6 (24 columns)"),
            ("/rows/2/panels/0", "`span` 6 → gridPos x 0, y 8, w 12, h 7 (the row's height)"),
            ("/rows/2/panels/1", "`span` 6 → gridPos x 12, y 8, w 12, h 7 (the row's height)"),
            ("After", "row → row panel id 8 at y 8, h 7 (expanded)"),
            ("/rows/3/panels/0", "`span` 12 → gridPos x 0, y 9, w 24, h 7 (the row's height)"),
            ("", "`rows` removed: 4 rows laid out on the 24-column grid"),
        ],
        id="repeated-collapsed-rows-repeat-copies-dropped-own-height-overlaps",
    ),
    pytest.param(
        {
            "rows": [
                {
                    "height": 380,
                    "panels": [
                        {"id": 1, "span": 6},
                        {"id": 2, "span": 6, "height": 190},
                        {"id": 3, "span": 6, "height": 190},
                    ],
                },
                {
                    "height": 380,
                    "panels": [
                        {"id": 4, "span": 3},
                        {"id": 5, "span": 3, "height": 190},
                        {"id": 6, "span": 3, "height": 190},
                        {"id": 7, "span": 6},
                        {"id": 8, "span": 9, "height": 95},
                    ],
                },
                {"panels": [{"id": 9, "span": 12}]},
            ]
        },
        {
            "panels": [
                {"id": 1, "gridPos": grid(0, 0, 12, 10)},
                {"id": 2, "height": 190, "gridPos": grid(12, 0, 12, 5)},
                {"id": 3, "height": 190, "gridPos": grid(12, 5, 12, 5)},
                {"id": 4, "gridPos": grid(0, 10, 6, 10)},
                {"id": 5, "height": 190, "gridPos": grid(6, 10, 6, 5)},
                {"id": 6, "height": 190, "gridPos": grid(12, 10, 6, 5)},
                {"id": 7, "gridPos": grid(0, 20, 12, 10)},
                {"id": 8, "height": 95, "gridPos": grid(0, 30, 18, 3)},
                {"id": 9, "gridPos": grid(0, 40, 24, 7)},
            ]
        },
        None,
        id="stacking-under-a-short-panel-and-wrapping-when-no-room-on-the-right",
    ),
    pytest.param(
        {
            "rows": [
                {
                    "height": "250px",
                    "panels": [
                        {"id": 1, "span": "6"},
                        {"id": 2, "span": 0},
                        {"id": 3, "span": 2.9},
                    ],
                },
                {
                    "height": "tall",
                    "panels": [
                        {"id": 4, "span": None, "height": "114px"},
                        {"id": 5, "span": 12, "height": 0},
                    ],
                },
                {"height": 50, "panels": [{"id": 6, "span": 12, "minSpan": "2"}]},
                {
                    "height": True,
                    "panels": [
                        {"id": 7, "span": 12, "minSpan": 20},
                        {"id": 8, "span": 12, "minSpan": 0},
                    ],
                },
            ]
        },
        {
            "panels": [
                {"id": 1, "gridPos": grid(0, 0, 12, 7)},
                {"id": 2, "gridPos": grid(12, 0, 8, 7)},
                {"id": 3, "gridPos": grid(20, 0, 4, 7)},
                {"id": 4, "height": "114px", "gridPos": grid(0, 7, 8, 3)},
                {"id": 5, "height": 0, "gridPos": grid(0, 14, 24, 3)},
                {"id": 6, "minSpan": 4, "gridPos": grid(0, 21, 24, 3)},
                {"id": 7, "minSpan": 24, "gridPos": grid(0, 24, 24, 7)},
                {"id": 8, "minSpan": 0, "gridPos": grid(0, 31, 24, 7)},
            ]
        },
        None,
        id="heights-and-spans-as-grafana-reads-them",
    ),
    pytest.param(
        {"rows": [], "panels": [{"id": 1, "gridPos": grid(0, 0, 6, 3)}]},
        {"panels": [{"id": 1, "gridPos": grid(0, 0, 6, 3)}]},
        [("", "empty `rows` removed")],
        id="empty-rows-keep-the-panels",
    ),
    pytest.param({"rows": None}, {"rows": None}, [], id="rows-null-stays"),
    pytest.param({"panels": []}, {"panels": []}, [], id="no-rows"),
    pytest.param(
        {"rows": ["junk", {"panels": ["junk", {"id": 1, "span": 12}]}, {"panels": {"id": 2}}]},
        {"panels": [{"id": 1, "gridPos": grid(0, 0, 24, 7)}]},
        [
            ("", "no row is collapsed, titled or repeated: rows get no row panels"),
            ("/rows/0", "row is not an object: dropped"),
            ("/rows/1/panels/0", "panel is not an object: dropped"),
            ("/rows/1/panels/1", "`span` 12 → gridPos x 0, y 0, w 24, h 7 (the row's height)"),
            ("", "`rows` removed: 3 rows laid out on the 24-column grid"),
        ],
        id="what-is-not-an-object-is-dropped",
    ),
    pytest.param(
        {
            "rows": [
                {"title": "T", "collapse": "yes", "repeat": "", "panels": [{"id": 1, "span": 12}]},
                {
                    "title": "U",
                    "showTitle": 1,
                    "repeat": ["host"],
                    "panels": [{"id": 2, "span": 12}],
                },
            ]
        },
        {
            "panels": [
                {"id": 1, "gridPos": grid(0, 0, 24, 7)},
                {"id": 2, "gridPos": grid(0, 7, 24, 7)},
            ]
        },
        None,
        id="only-booleans-and-a-non-empty-repeat-string-ask-for-row-panels",
    ),
    pytest.param(
        {
            "rows": [
                {"repeat": "dc", "panels": [{"id": "7", "span": 12}, {"id": None, "span": 12}]},
                {"repeatIteration": 0, "panels": [{"id": 3}]},
            ]
        },
        {
            "panels": [
                {"id": "7", "gridPos": grid(0, 1, 24, 7)},
                {"id": None, "gridPos": grid(0, 8, 24, 7)},
                {**row_panel(4, "", grid(0, 0, 24, 7)), "repeat": "dc"},
            ]
        },
        None,
        id="ids-only-for-missing-keys-a-falsy-repeatIteration-still-drops",
    ),
]


@pytest.mark.parametrize(("before", "after", "changes"), V16_CASES)
def test_v16(before: dict[str, Any], after: dict[str, Any], changes: Changes | None) -> None:
    result, logged = migrated(before, 16)
    assert result == {**after, "schemaVersion": 16}
    if changes is not None:
        assert logged == changes
    else:  # placement cases: one change per placed panel, naming its gridPos
        placed = [c for _, c in logged if c.startswith("`span`")]
        assert len(placed) == len([p for p in _every_panel(after) if p.get("type") != "row"])
        assert logged[-1][1].startswith("`rows` removed")


def _every_panel(dashboard: dict[str, Any]) -> list[dict[str, Any]]:
    out = []
    for panel in dashboard["panels"]:
        out += [panel, *panel.get("panels", [])]
    return out


def test_v16_a_panel_wider_than_the_grid_stops_where_grafana_never_finds_room() -> None:
    dashboard = {"rows": [{"panels": [{"id": 1, "span": 6}, {"id": 2, "span": 13}]}]}
    with pytest.raises(Unmigratable) as raised:
        migrated(dashboard, 16)
    assert raised.value.pointer == "/rows/0/panels/1/span"
    assert "26 columns" in raised.value.reason


# --- the range end to end ---------------------------------------------------------------------


def test_a_schema_1_dashboard_through_steps_2_to_16() -> None:
    """A Grafana 1.x-era export: every step of the range finds its part, the panel steps reach
    the panels inside `rows` before v16 hoists them, and the steps run in version order."""
    dashboard: dict[str, Any] = {
        "schemaVersion": 1,
        "title": "Old",
        "services": {
            "filter": {
                "time": {"from": "now-6h", "to": "now"},
                "list": [{"name": "host", "refresh": True}],
            }
        },
        "pulldowns": [{"type": "annotations", "annotations": [{"name": "deploys"}]}],
        "nav": [{"type": "timepicker", "now": True}],
        "sharedCrosshair": True,
        "rows": [
            {
                "title": "Load",
                "showTitle": True,
                "height": "250px",
                "panels": [
                    {
                        "title": "CPU",
                        "span": 8,
                        "targets": [
                            {
                                "refId": "A",
                                "fields": [{"name": "v", "func": "max"}],
                                "tags": [],
                                "groupBy": [],
                                "fill": "none",
                            }
                        ],
                    },
                    {
                        "title": "Hosts",
                        "type": "table",
                        "span": 4,
                        "styles": [{"thresholds": ["", "1", "2"]}],
                    },
                ],
            }
        ],
    }
    ctx = StepContext()
    migrate_to(dashboard, ctx, target=16)
    assert dashboard == {
        "schemaVersion": 16,
        "title": "Old",
        "time": {"from": "now-6h", "to": "now"},
        "templating": {
            "list": [{"name": "host", "refresh": 1, "datasource": None, "type": "query"}]
        },
        "pulldowns": [{"type": "annotations", "annotations": [{"name": "deploys"}]}],
        "annotations": {"list": [{"name": "deploys"}]},
        "nav": [{"type": "timepicker", "now": True}],
        "timepicker": {"type": "timepicker", "now": True},
        "graphTooltip": 1,
        "panels": [
            {
                "title": "CPU",
                "id": 1,
                "gridPos": grid(0, 1, 16, 7),
                "targets": [
                    {
                        "refId": "A",
                        "select": [
                            [{"type": "field", "params": ["v"]}, {"type": "max", "params": []}]
                        ],
                        "tags": [],
                        "groupBy": [{"type": "fill", "params": ["none"]}],
                    }
                ],
            },
            {
                "title": "Hosts",
                "type": "table",
                "id": 2,
                "gridPos": grid(16, 1, 8, 7),
                "styles": [{"thresholds": ["1", "2"]}],
            },
            row_panel(3, "Load", grid(0, 0, 24, 7)),
        ],
    }
    assert [c.version for c in ctx.changes] == sorted(c.version for c in ctx.changes)
    assert {c.version for c in ctx.changes} == {2, 6, 7, 8, 10, 12, 14, 16}

"""Grafana's schema steps 29-42, one table per version, and Grafana's load defaults. Cases are
written from Grafana's step code (`apps/dashboard/pkg/migration/schemaversion/vN.go`,
`datasource_utils.go`) and its load-time code (`frontend_defaults.go`, the frontend
`PanelModel`/`DashboardModel`, the grid's vertical compaction): each is the dashboard before
(at version N-1), the exact dashboard after, and the changes reported."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from tsedash.migrate.schemaversion import STEPS, DatasourceInfo, StepContext, migrate_to
from tsedash.migrate.schemaversion.datasources import DatasourceIndex, name_to_ref
from tsedash.migrate.schemaversion.load_defaults import (
    LOAD_DEFAULTS,
    apply_load_defaults,
    ref_id,
)
from tsedash.migrate.schemaversion.v30 import go_parse_float, go_string
from tsedash.migrate.schemaversion.v34 import go_v

Changes = list[tuple[str, str]]  # (panel, change); panel "" for the dashboard itself

PROM = DatasourceInfo(
    uid="prom-uid", name="Prometheus", type="prometheus", is_default=True, api_version="v1"
)
LOKI = DatasourceInfo(uid="loki-uid", name="Loki", type="loki")
# Its uid is LOKI's name: Grafana's index resolves a string by name before uid.
SHADOW = DatasourceInfo(uid="Loki", name="Shadow", type="tempo")
DATASOURCES = (PROM, LOKI, SHADOW)
PROM_REF = {"uid": "prom-uid", "type": "prometheus", "apiVersion": "v1"}
LOKI_REF = {"uid": "loki-uid", "type": "loki"}
P = '{"apiVersion": "v1", "type": "prometheus", "uid": "prom-uid"}'  # PROM_REF as logged
L = '{"type": "loki", "uid": "loki-uid"}'  # LOKI_REF as logged


def migrated(
    dashboard: dict[str, Any],
    version: int,
    datasources: tuple[DatasourceInfo, ...] = DATASOURCES,
) -> tuple[dict[str, Any], Changes]:
    """Runs the step for `version` on a copy of `dashboard` set to `version - 1`."""
    before = copy.deepcopy(dashboard)
    before["schemaVersion"] = version - 1
    ctx = StepContext(datasources=datasources)
    migrate_to(before, ctx, target=version)
    assert {c.version for c in ctx.changes} <= {version}
    return before, [(c.panel, c.change) for c in ctx.changes]


def check(
    version: int,
    before: dict[str, Any],
    after: dict[str, Any],
    changes: Changes,
    datasources: tuple[DatasourceInfo, ...] = DATASOURCES,
) -> None:
    assert version in STEPS
    result, logged = migrated(before, version, datasources)
    assert result == {**after, "schemaVersion": version}
    assert logged == changes


def variables(*items: Any) -> dict[str, Any]:
    return {"templating": {"list": list(items)}}


def panels(*items: Any) -> dict[str, Any]:
    return {"panels": list(items)}


# --- v29: query variables -------------------------------------------------------------------

V29_CASES = [
    pytest.param(
        variables({"type": "query", "name": "host", "refresh": 0, "options": [{"text": "a"}]}),
        variables({"type": "query", "name": "host", "refresh": 1, "options": []}),
        [
            ("", "variable 'host': `refresh` 0 → 1 (on dashboard load)"),
            ("", "variable 'host': 1 saved `options` cleared (queried on load)"),
        ],
        id="never-refreshed-becomes-on-load-and-cached-options-go",
    ),
    pytest.param(
        variables(
            {"type": "query", "name": "a", "refresh": 2, "options": []},
            {"type": "query", "name": "b", "refresh": 1},
        ),
        variables(
            {"type": "query", "name": "a", "refresh": 2, "options": []},
            {"type": "query", "name": "b", "refresh": 1},
        ),
        [],
        id="time-range-and-load-refresh-kept-empty-options-untouched",
    ),
    pytest.param(
        variables(
            {"type": "query", "name": "m"},
            {"type": "query", "name": "s", "refresh": "2"},
            {"type": "query", "name": "t", "refresh": True},
            {"type": "query", "name": "n", "refresh": None},
        ),
        variables(
            {"type": "query", "name": "m", "refresh": 1},
            {"type": "query", "name": "s", "refresh": 1},
            {"type": "query", "name": "t", "refresh": 1},
            {"type": "query", "name": "n", "refresh": 1},
        ),
        [
            ("", "variable 'm': `refresh` missing → 1 (on dashboard load)"),
            ("", "variable 's': `refresh` \"2\" → 1 (on dashboard load)"),
            ("", "variable 't': `refresh` true → 1 (on dashboard load)"),
            ("", "variable 'n': `refresh` null → 1 (on dashboard load)"),
        ],
        id="missing-string-boolean-null-refresh-are-not-numbers",
    ),
    pytest.param(
        variables(
            {"type": "query", "name": "f", "refresh": 2.0},
            {"type": "query", "name": "g", "refresh": 1.9},
            {"type": "query", "name": "h", "refresh": 3},
        ),
        variables(
            {"type": "query", "name": "f", "refresh": 2.0},
            {"type": "query", "name": "g", "refresh": 1.9},
            {"type": "query", "name": "h", "refresh": 1},
        ),
        [("", "variable 'h': `refresh` 3 → 1 (on dashboard load)")],
        id="numbers-are-truncated-as-go-reads-them",
    ),
    pytest.param(
        variables(
            {"type": "custom", "name": "c", "refresh": 0, "options": [{"text": "x"}]},
            "not a variable",
            {"type": "query", "options": {"text": "x"}, "refresh": 1},
        ),
        variables(
            {"type": "custom", "name": "c", "refresh": 0, "options": [{"text": "x"}]},
            "not a variable",
            {"type": "query", "options": {"text": "x"}, "refresh": 1},
        ),
        [],
        id="other-types-non-objects-and-non-list-options-untouched",
    ),
    pytest.param({"templating": ["odd"]}, {"templating": ["odd"]}, [], id="templating-odd"),
    pytest.param({}, {}, [], id="no-templating"),
]


@pytest.mark.parametrize(("before", "after", "changes"), V29_CASES)
def test_v29_query_variables(before: Any, after: Any, changes: Changes) -> None:
    check(29, before, after, changes)


# --- v30: value mappings, tooltip options ---------------------------------------------------

THRESHOLDS = {
    "mode": "absolute",
    "steps": [{"color": "green", "value": None}, {"color": "red", "value": 80}],
}


def mappings_panel(mappings: Any, thresholds: Any = None, **extra: Any) -> dict[str, Any]:
    defaults: dict[str, Any] = {"mappings": mappings}
    if thresholds is not None:
        defaults["thresholds"] = thresholds
    return {"type": "stat", "title": "S", "fieldConfig": {"defaults": defaults}, **extra}


V30_CASES = [
    pytest.param(
        panels(
            mappings_panel(
                [
                    {"id": 0, "type": 1, "value": "1", "text": "90"},
                    {"id": 1, "type": 1, "value": "0", "text": "Down"},
                    {"id": 2, "type": 2, "from": "10", "to": "20", "text": "5"},
                ],
                THRESHOLDS,
            )
        ),
        panels(
            mappings_panel(
                [
                    {
                        "type": "value",
                        "options": {
                            "1": {"text": "90", "color": "red"},
                            "0": {"text": "Down"},
                        },
                    },
                    {
                        "type": "range",
                        "options": {
                            "from": 10,
                            "to": 20,
                            "result": {"text": "5", "color": "green"},
                        },
                    },
                ],
                THRESHOLDS,
            )
        ),
        [
            (
                "S",
                "`fieldConfig.defaults.mappings`: 3 mapping(s) → 2 in the new format (value, range)",
            )
        ],
        id="legacy-value-and-range-with-threshold-colors-of-numeric-texts",
    ),
    pytest.param(
        panels(
            mappings_panel(
                [
                    {"type": 1, "value": "null", "text": "N/A"},
                    {"type": 1, "value": None, "text": "dropped"},
                    {"type": 1, "text": "no value key"},
                    {"type": 1, "value": 0, "text": "zero"},
                ]
            )
        ),
        panels(
            mappings_panel(
                [
                    {"type": "value", "options": {"0": {"text": "zero"}}},
                    {"type": "special", "options": {"match": "null", "result": {"text": "N/A"}}},
                ]
            )
        ),
        [
            (
                "S",
                "`fieldConfig.defaults.mappings`: 4 mapping(s) → 2 in the new format (value, special)",
            )
        ],
        id="string-null-is-special-real-null-and-missing-value-dropped-value-map-first",
    ),
    pytest.param(
        panels(
            mappings_panel(
                [
                    {"type": "value", "options": {"a": {"text": "A"}}},
                    {"type": "range", "options": {"from": 1, "to": 2, "result": {"text": "r"}}},
                    {"type": "value", "options": {"b": {"text": "B"}}},
                    {"type": "value", "options": "not an object"},
                    {"type": "regex", "note": "kept without options"},
                ]
            )
        ),
        panels(
            mappings_panel(
                [
                    {"type": "value", "options": {"a": {"text": "A"}, "b": {"text": "B"}}},
                    {"type": "range", "options": {"from": 1, "to": 2, "result": {"text": "r"}}},
                    {"type": "regex", "note": "kept without options"},
                ]
            )
        ),
        [
            (
                "S",
                "`fieldConfig.defaults.mappings`: 5 mapping(s) → 3 in the new format (value, range, regex)",
            )
        ],
        id="new-format-value-maps-merged-first-others-kept-in-order",
    ),
    pytest.param(
        panels(mappings_panel([{"type": "value", "options": {"1": {"text": "one"}}}])),
        panels(mappings_panel([{"type": "value", "options": {"1": {"text": "one"}}}])),
        [],
        id="already-new-unchanged-and-not-reported",
    ),
    pytest.param(
        panels(mappings_panel([{"type": 3, "text": "x"}, {"type": None}, "not a mapping"])),
        panels(mappings_panel([])),
        [("S", "`fieldConfig.defaults.mappings`: 3 mapping(s) → 0 in the new format (none left)")],
        id="nothing-survives-empty-list-where-the-backend-writes-null",
    ),
    pytest.param(
        panels(
            mappings_panel(
                [
                    {"type": 1.0, "value": 1.0, "text": "float one"},
                    {"type": 1, "value": True, "text": "yes"},
                    {"type": 1, "value": 1e21, "text": "big"},
                    {"type": 1, "value": 0.5, "text": "half"},
                    {"type": 1, "value": {"odd": 1}, "text": "object"},
                ]
            )
        ),
        panels(
            mappings_panel(
                [
                    {
                        "type": "value",
                        "options": {
                            "1": {"text": "float one"},
                            "true": {"text": "yes"},
                            "1000000000000000000000": {"text": "big"},
                            "0.5": {"text": "half"},
                            "": {"text": "object"},
                        },
                    }
                ]
            )
        ),
        [("S", "`fieldConfig.defaults.mappings`: 5 mapping(s) → 1 in the new format (value)")],
        id="values-keyed-as-go-formats-them",
    ),
    pytest.param(
        panels(
            mappings_panel(
                [
                    {"type": 2, "to": "abc", "text": "no from"},
                    {"type": 2, "from": 1.5, "to": "2e1", "text": "numbers"},
                ]
            )
        ),
        panels(
            mappings_panel(
                [
                    {
                        "type": "range",
                        "options": {"from": 0, "to": 0, "result": {"text": "no from"}},
                    },
                    {
                        "type": "range",
                        "options": {"from": 1.5, "to": 20, "result": {"text": "numbers"}},
                    },
                ]
            )
        ),
        [
            (
                "S",
                "`fieldConfig.defaults.mappings`: 2 mapping(s) → 2 in the new format (range, range)",
            )
        ],
        id="range-bounds-parsed-unreadable-is-zero",
    ),
    pytest.param(
        panels(
            mappings_panel(
                [
                    {"type": 1, "value": "a", "text": "7"},
                    {"type": 1, "value": "b", "text": "-3"},
                    {"type": 1, "value": "c", "text": "60"},
                ],
                {
                    "steps": [
                        {"color": "base", "value": None},
                        {"color": "blue", "value": "50px"},
                        {"color": "unreached"},
                        {"color": "never", "value": 1},
                    ]
                },
            ),
            mappings_panel([{"type": 1, "value": "x", "text": "5"}], {"steps": []}),
        ),
        panels(
            mappings_panel(
                [
                    {
                        "type": "value",
                        "options": {
                            "a": {"text": "7", "color": "base"},
                            "b": {"text": "-3", "color": "base"},
                            "c": {"text": "60", "color": "blue"},
                        },
                    }
                ],
                {
                    "steps": [
                        {"color": "base", "value": None},
                        {"color": "blue", "value": "50px"},
                        {"color": "unreached"},
                        {"color": "never", "value": 1},
                    ]
                },
            ),
            mappings_panel(
                [{"type": "value", "options": {"x": {"text": "5", "color": "#808080"}}}],
                {"steps": []},
            ),
        ),
        [
            ("S", "`fieldConfig.defaults.mappings`: 3 mapping(s) → 1 in the new format (value)"),
            ("S", "`fieldConfig.defaults.mappings`: 1 mapping(s) → 1 in the new format (value)"),
        ],
        id="threshold-scan-px-values-stops-at-a-step-without-value-no-steps-fallback",
    ),
    pytest.param(
        panels(
            {
                "type": "table",
                "title": "T",
                "fieldConfig": {
                    "defaults": {"thresholds": THRESHOLDS},
                    "overrides": [
                        {
                            "matcher": {"id": "byName", "options": "x"},
                            "properties": [
                                {
                                    "id": "mappings",
                                    "value": [{"type": 1, "value": "1", "text": "99"}],
                                },
                                {"id": "unit", "value": "s"},
                                "odd",
                            ],
                        },
                        "not an override",
                    ],
                },
            }
        ),
        panels(
            {
                "type": "table",
                "title": "T",
                "fieldConfig": {
                    "defaults": {"thresholds": THRESHOLDS},
                    "overrides": [
                        {
                            "matcher": {"id": "byName", "options": "x"},
                            "properties": [
                                {
                                    "id": "mappings",
                                    "value": [{"type": "value", "options": {"1": {"text": "99"}}}],
                                },
                                {"id": "unit", "value": "s"},
                                "odd",
                            ],
                        },
                        "not an override",
                    ],
                },
            }
        ),
        [("T", "override 0 `mappings`: 1 mapping(s) → 1 in the new format (value)")],
        id="override-mappings-upgraded-without-threshold-colors",
    ),
    pytest.param(
        panels(
            {"type": "timeseries", "title": "TS", "options": {"tooltipOptions": {"mode": "multi"}}},
            {"type": "xychart2", "title": "XY", "options": {"tooltipOptions": {"mode": "single"}}},
            {"type": "graph", "title": "G", "options": {"tooltipOptions": {"mode": "multi"}}},
        ),
        panels(
            {"type": "timeseries", "title": "TS", "options": {"tooltip": {"mode": "multi"}}},
            {"type": "xychart2", "title": "XY", "options": {"tooltip": {"mode": "single"}}},
            {"type": "graph", "title": "G", "options": {"tooltipOptions": {"mode": "multi"}}},
        ),
        [
            ("TS", "`options.tooltipOptions` → `options.tooltip`"),
            ("XY", "`options.tooltipOptions` → `options.tooltip`"),
        ],
        id="tooltip-options-renamed-on-timeseries-and-xychart-only",
    ),
    pytest.param(
        panels(
            {
                "type": "row",
                "title": "R",
                "panels": [
                    {
                        "type": "timeseries",
                        "title": "In row",
                        "options": {"tooltipOptions": {"mode": "x"}},
                        "panels": [
                            {
                                "type": "timeseries",
                                "title": "Deeper",
                                "options": {"tooltipOptions": {}},
                            }
                        ],
                    }
                ],
            }
        ),
        panels(
            {
                "type": "row",
                "title": "R",
                "panels": [
                    {
                        "type": "timeseries",
                        "title": "In row",
                        "options": {"tooltip": {"mode": "x"}},
                        "panels": [
                            {
                                "type": "timeseries",
                                "title": "Deeper",
                                "options": {"tooltipOptions": {}},
                            }
                        ],
                    }
                ],
            }
        ),
        [("In row", "`options.tooltipOptions` → `options.tooltip`")],
        id="collapsed-row-panels-one-level-down-only",
    ),
]


@pytest.mark.parametrize(("before", "after", "changes"), V30_CASES)
def test_v30_value_mappings_and_tooltip(before: Any, after: Any, changes: Changes) -> None:
    check(30, before, after, changes)


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("1", 1.0),
        ("-2.5", -2.5),
        ("1e3", 1000.0),
        (".5", 0.5),
        ("5.", 5.0),
        ("+Inf", float("inf")),
        ("Infinity", float("inf")),
        (" 1", None),
        ("1_000", None),
        ("", None),
        ("1e400", None),
        ("abc", None),
    ],
)
def test_v30_numbers_are_parsed_as_go_parses_them(text: str, number: float | None) -> None:
    assert go_parse_float(text) == number


@pytest.mark.parametrize(
    ("value", "text"),
    [
        ("s", "s"),
        (True, "true"),
        (3, "3"),
        (3.0, "3"),
        (-0.0, "-0"),
        (1e-7, "0.0000001"),
        (123.456, "123.456"),
        (None, ""),
        ([1], ""),
    ],
)
def test_v30_values_are_written_as_go_writes_them(value: Any, text: str) -> None:
    assert go_string(value) == text


# --- v31: merge after labelsToFields --------------------------------------------------------

L2F = {"id": "labelsToFields", "options": {"mode": "rows", "keepLabels": ["job"]}}
MERGE = {"id": "merge", "options": {}}

V31_CASES = [
    pytest.param(
        panels(
            {
                "title": "P",
                "transformations": [
                    {"id": "organize", "options": {}},
                    L2F,
                    "not an object",
                    {"id": "labelsToFields"},
                ],
            }
        ),
        panels(
            {
                "title": "P",
                "transformations": [
                    {"id": "organize", "options": {}},
                    L2F,
                    MERGE,
                    "not an object",
                    {"id": "labelsToFields"},
                    MERGE,
                ],
            }
        ),
        [("P", "`merge` transformation added after 2 `labelsToFields`")],
        id="merge-after-each-labels-to-fields-others-kept-in-place",
    ),
    pytest.param(
        panels(
            {
                "type": "row",
                "title": "R",
                "transformations": [L2F],
                "panels": [
                    {
                        "type": "row",
                        "title": "Inner row",
                        "panels": [{"title": "Deep", "transformations": [L2F]}],
                    },
                    {"title": "Child", "transformations": [L2F]},
                ],
            },
            {
                "type": "table",
                "title": "Host",
                "transformations": [],
                "panels": [{"title": "Hidden", "transformations": [L2F]}],
            },
        ),
        panels(
            {
                "type": "row",
                "title": "R",
                "transformations": [L2F],
                "panels": [
                    {
                        "type": "row",
                        "title": "Inner row",
                        "panels": [{"title": "Deep", "transformations": [L2F, MERGE]}],
                    },
                    {"title": "Child", "transformations": [L2F, MERGE]},
                ],
            },
            {
                "type": "table",
                "title": "Host",
                "transformations": [],
                "panels": [{"title": "Hidden", "transformations": [L2F]}],
            },
        ),
        [
            ("Deep", "`merge` transformation added after 1 `labelsToFields`"),
            ("Child", "`merge` transformation added after 1 `labelsToFields`"),
        ],
        id="rows-entered-at-any-depth-rows-and-other-panels-children-not-changed",
    ),
    pytest.param(
        panels(
            {"title": "A", "transformations": {"id": "labelsToFields"}},
            {"title": "B", "transformations": [{"id": "reduce"}]},
            7,
        ),
        panels(
            {"title": "A", "transformations": {"id": "labelsToFields"}},
            {"title": "B", "transformations": [{"id": "reduce"}]},
            7,
        ),
        [],
        id="no-labels-to-fields-or-odd-shapes-untouched",
    ),
]


@pytest.mark.parametrize(("before", "after", "changes"), V31_CASES)
def test_v31_merge_after_labels_to_fields(before: Any, after: Any, changes: Changes) -> None:
    check(31, before, after, changes)


# --- v32: no-op -----------------------------------------------------------------------------


def test_v32_changes_nothing_but_the_number() -> None:
    dashboard = {"panels": [{"type": "graph", "datasource": "Loki"}], "refresh": True}
    check(32, dashboard, copy.deepcopy(dashboard), [])


# --- v33: datasource names to references ----------------------------------------------------

V33_CASES = [
    pytest.param(
        panels(
            {
                "title": "P",
                "datasource": "Loki",
                "targets": [
                    {"refId": "A", "datasource": "prom-uid"},
                    {"refId": "B", "datasource": "default"},
                    {"refId": "C", "datasource": None},
                    {"refId": "D"},
                    {"refId": "E", "datasource": "Shadow"},
                ],
            }
        ),
        panels(
            {
                "title": "P",
                "datasource": LOKI_REF,
                "targets": [
                    {"refId": "A", "datasource": PROM_REF},
                    {"refId": "B", "datasource": "default"},
                    {"refId": "C", "datasource": None},
                    {"refId": "D"},
                    {"refId": "E", "datasource": {"uid": "Loki", "type": "tempo"}},
                ],
            }
        ),
        [
            ("P", f"`datasource` `Loki` → {L}"),
            ("P", f"query `A`: `datasource` `prom-uid` → {P}"),
            ("P", 'query `E`: `datasource` `Shadow` → {"type": "tempo", "uid": "Loki"}'),
        ],
        id="names-and-uids-resolved-by-name-first-default-and-null-queries-kept",
    ),
    pytest.param(
        panels(
            {"title": "D", "datasource": "default", "targets": []},
            {"type": "row", "title": "R"},
            {"title": "N", "datasource": None},
        ),
        panels(
            {"title": "D", "datasource": None, "targets": []},
            {"type": "row", "title": "R", "datasource": None},
            {"title": "N", "datasource": None},
        ),
        [
            ("D", "`datasource` `default` → null"),
            ("R", "`datasource` missing → null (no datasource of its own)"),
        ],
        id="default-becomes-null-missing-written-as-null-rows-included",
    ),
    pytest.param(
        panels(
            {
                "title": "U",
                "datasource": "Graphite old",
                "targets": [
                    {"refId": "A", "datasource": "gone"},
                    {"refId": "B", "datasource": "-- Mixed --"},
                ],
            },
            {"title": "M", "datasource": "-- Mixed --"},
        ),
        panels(
            {
                "title": "U",
                "datasource": {"uid": "Graphite old"},
                "targets": [
                    {"refId": "A", "datasource": {"uid": "gone"}},
                    {"refId": "B", "datasource": {"uid": "-- Mixed --"}},
                ],
            },
            {"title": "M", "datasource": {"uid": "-- Mixed --"}},
        ),
        [
            (
                "U",
                '`datasource` `Graphite old` is not a known datasource: kept as {"uid": "Graphite old"}',
            ),
            (
                "U",
                'query `A`: `datasource` `gone` is not a known datasource: kept as {"uid": "gone"}',
            ),
            (
                "U",
                'query `B`: `datasource` `-- Mixed --` is not a known datasource: kept as {"uid": "-- Mixed --"}',
            ),
            (
                "M",
                '`datasource` `-- Mixed --` is not a known datasource: kept as {"uid": "-- Mixed --"}',
            ),
        ],
        id="unknown-names-kept-as-uid-only-references-mixed-too",
    ),
    pytest.param(
        panels(
            {
                "title": "O",
                "datasource": {"uid": "x", "type": "t"},
                "targets": [
                    {"refId": "A", "datasource": {"type": "loki"}},
                    {"refId": "B", "datasource": ""},
                    {"refId": "C", "datasource": 5},
                    {"refId": "D", "datasource": {"name": "not a ref"}},
                    "not a query",
                ],
            },
            {"title": "E", "datasource": ""},
            {"title": "F", "datasource": 5},
            {"title": "G", "datasource": {"name": "Loki"}},
        ),
        panels(
            {
                "title": "O",
                "datasource": {"uid": "x", "type": "t"},
                "targets": [
                    {"refId": "A", "datasource": {"type": "loki"}},
                    {"refId": "B", "datasource": {}},
                    {"refId": "C", "datasource": 5},
                    {"refId": "D", "datasource": {"name": "not a ref"}},
                    "not a query",
                ],
            },
            {"title": "E", "datasource": {}},
            {"title": "F", "datasource": None},
            {"title": "G", "datasource": None},
        ),
        [
            ("O", "query `B`: `datasource` `` → {}"),
            ("E", "`datasource` `` → {}"),
            ("F", "`datasource` 5 cannot be read as a datasource: → null"),
            ("G", '`datasource` {"name": "Loki"} cannot be read as a datasource: → null'),
        ],
        id="references-kept-empty-string-is-empty-object-unreadable-null-for-panels-only",
    ),
    pytest.param(
        panels(
            {
                "type": "row",
                "title": "R",
                "datasource": {"uid": "prom-uid"},
                "panels": [
                    {
                        "title": "C",
                        "datasource": "Prometheus",
                        "panels": [{"title": "Deeper", "datasource": "Loki"}],
                    }
                ],
            }
        ),
        panels(
            {
                "type": "row",
                "title": "R",
                "datasource": {"uid": "prom-uid"},
                "panels": [
                    {
                        "title": "C",
                        "datasource": PROM_REF,
                        "panels": [{"title": "Deeper", "datasource": "Loki"}],
                    }
                ],
            }
        ),
        [("C", f"`datasource` `Prometheus` → {P}")],
        id="collapsed-row-panels-one-level-down-only",
    ),
]


@pytest.mark.parametrize(("before", "after", "changes"), V33_CASES)
def test_v33_datasource_names_to_references(before: Any, after: Any, changes: Changes) -> None:
    check(33, before, after, changes)


def test_v33_without_datasources_every_name_is_unknown() -> None:
    before = panels(
        {
            "title": "P",
            "datasource": "Prometheus",
            "targets": [{"refId": "A", "datasource": "default"}],
        }
    )
    after = panels(
        {
            "title": "P",
            "datasource": {"uid": "Prometheus"},
            "targets": [{"refId": "A", "datasource": "default"}],
        }
    )
    check(
        33,
        before,
        after,
        [
            (
                "P",
                '`datasource` `Prometheus` is not a known datasource: kept as {"uid": "Prometheus"}',
            )
        ],
        (),
    )


# --- v34: CloudWatch statistics -------------------------------------------------------------

CW = {
    "dimensions": {"InstanceId": "i-1"},
    "namespace": "AWS/EC2",
    "region": "eu-west-1",
    "metricName": "CPU",
}
CW_DONE = {**CW, "metricQueryType": 0, "metricEditorMode": 0}

V34_CASES = [
    pytest.param(
        panels(
            {
                "title": "P",
                "targets": [
                    {"refId": "A", **CW, "statistics": ["Average", "Maximum", None]},
                    {"refId": "B", "expr": "not cloudwatch"},
                ],
            }
        ),
        panels(
            {
                "title": "P",
                "targets": [
                    {"refId": "A", **CW_DONE, "statistic": "Average"},
                    {"refId": "B", "expr": "not cloudwatch"},
                    {"refId": "C", **CW_DONE, "statistic": "Maximum"},
                    {"refId": "D", **CW_DONE},
                ],
            }
        ),
        [
            (
                "P",
                "CloudWatch query `A`: `metricQueryType` 0 (search) added; `metricEditorMode` 0 "
                "(builder) added; 3 `statistics` split into 3 queries (new: C, D)",
            )
        ],
        id="several-statistics-split-new-queries-appended-with-free-ref-ids",
    ),
    pytest.param(
        panels(
            {
                "title": "P",
                "targets": [
                    {"refId": "A", **CW, "expression": "SEARCH(x)", "statistics": ["Sum"]},
                    {"refId": "B", **CW, "metricQueryType": 1, "statistics": []},
                    {
                        "refId": "C",
                        **CW,
                        "metricQueryType": 0,
                        "metricEditorMode": 1,
                        "statistics": "Max",
                    },
                    {"refId": "D", **CW, "statistics": [None]},
                    {"refId": "E", **CW, "metricQueryType": 0, "metricEditorMode": 0},
                ],
            }
        ),
        panels(
            {
                "title": "P",
                "targets": [
                    {
                        "refId": "A",
                        **CW,
                        "expression": "SEARCH(x)",
                        "metricQueryType": 0,
                        "metricEditorMode": 1,
                        "statistic": "Sum",
                    },
                    {"refId": "B", **CW, "metricQueryType": 1, "metricEditorMode": 1},
                    {"refId": "C", **CW, "metricQueryType": 0, "metricEditorMode": 1},
                    {"refId": "D", **CW_DONE},
                    {"refId": "E", **CW, "metricQueryType": 0, "metricEditorMode": 0},
                ],
            }
        ),
        [
            (
                "P",
                'CloudWatch query `A`: `metricQueryType` 0 (search) added; `metricEditorMode` 1 (code) added; `statistics` → `statistic` "Sum"',
            ),
            (
                "P",
                "CloudWatch query `B`: `metricEditorMode` 1 (code) added; `statistics` [] removed",
            ),
            ("P", 'CloudWatch query `C`: `statistics` "Max" removed'),
            (
                "P",
                "CloudWatch query `D`: `metricQueryType` 0 (search) added; `metricEditorMode` 0 (builder) added; `statistics` [null] removed",
            ),
        ],
        id="one-statistic-empty-or-odd-statistics-and-editor-defaults",
    ),
    pytest.param(
        panels(
            {
                "type": "row",
                "title": "R",
                "panels": [
                    {"title": "C", "targets": [{"refId": "A", **CW, "statistics": ["Min", "Max"]}]}
                ],
            },
            {"title": "Odd", "targets": None},
        ),
        panels(
            {
                "type": "row",
                "title": "R",
                "panels": [
                    {
                        "title": "C",
                        "targets": [
                            {"refId": "A", **CW_DONE, "statistic": "Min"},
                            {"refId": "B", **CW_DONE, "statistic": "Max"},
                        ],
                    }
                ],
            },
            {"title": "Odd", "targets": None},
        ),
        [
            (
                "C",
                "CloudWatch query `A`: `metricQueryType` 0 (search) added; `metricEditorMode` 0 (builder) added; 2 `statistics` split into 2 queries (new: B)",
            )
        ],
        id="collapsed-row-panels-and-non-list-targets",
    ),
]

CW_ANNOTATION = {
    "dimensions": {},
    "namespace": "AWS/EC2",
    "region": "us-east-1",
    "prefixMatching": False,
}

V34_ANNOTATION_CASES = [
    pytest.param(
        {
            "annotations": {
                "list": [
                    {
                        "name": "Alerts",
                        **CW_ANNOTATION,
                        "statistics": ["Maximum", None, 1000000, {"a": 1}, ["x"], True],
                    },
                    {"name": "Other", "enable": True},
                ]
            }
        },
        {
            "annotations": {
                "list": [
                    {"name": "Alerts - Maximum", **CW_ANNOTATION, "statistic": "Maximum"},
                    {"name": "Other", "enable": True},
                    {"name": "Alerts - null", **CW_ANNOTATION},
                    {"name": "Alerts - 1e+06", **CW_ANNOTATION, "statistic": 1000000},
                    {"name": "Alerts - [object Object]", **CW_ANNOTATION, "statistic": {"a": 1}},
                    {"name": "Alerts - ", **CW_ANNOTATION, "statistic": ["x"]},
                    {"name": "Alerts - true", **CW_ANNOTATION, "statistic": True},
                ]
            }
        },
        [("", "CloudWatch annotation Alerts with 6 statistics split into 6 annotations")],
        id="annotation-split-named-as-go-prints-each-statistic-extra-ones-at-the-end",
    ),
    pytest.param(
        {
            "annotations": {
                "list": [
                    {**CW_ANNOTATION, "statistics": ["Sum", "Min"]},
                    {"name": "One", **CW_ANNOTATION, "statistics": ["Sum"]},
                    {"name": "None", **CW_ANNOTATION, "statistics": []},
                    {"name": "Odd", **CW_ANNOTATION, "statistics": "Sum"},
                    {
                        "name": "No stats key",
                        "dimensions": {},
                        "namespace": "n",
                        "region": "r",
                        "prefixMatching": True,
                    },
                ]
            }
        },
        {
            "annotations": {
                "list": [
                    {**CW_ANNOTATION, "statistic": "Sum"},
                    {"name": "One", **CW_ANNOTATION, "statistic": "Sum"},
                    {"name": "None", **CW_ANNOTATION},
                    {"name": "Odd", **CW_ANNOTATION},
                    {
                        "name": "No stats key",
                        "dimensions": {},
                        "namespace": "n",
                        "region": "r",
                        "prefixMatching": True,
                    },
                    {**CW_ANNOTATION, "statistic": "Min"},
                ]
            }
        },
        [
            ("", "CloudWatch annotation #0 with 2 statistics split into 2 annotations"),
            ("", 'CloudWatch annotation One: `statistics` → `statistic` "Sum"'),
            ("", "CloudWatch annotation None: `statistics` [] removed"),
            ("", 'CloudWatch annotation Odd: `statistics` "Sum" removed'),
        ],
        id="unnamed-split-keeps-no-name-single-empty-odd-and-non-legacy",
    ),
]


@pytest.mark.parametrize(("before", "after", "changes"), V34_CASES + V34_ANNOTATION_CASES)
def test_v34_cloudwatch_statistics(before: Any, after: Any, changes: Changes) -> None:
    check(34, before, after, changes)


def test_v34_new_ref_ids_skip_every_used_letter() -> None:
    used = [{"refId": letter} for letter in "BCDEFGHIJKLMNOPQRSTUVWXYZ"]
    before = panels(
        {"title": "P", "targets": [{"refId": "A", **CW, "statistics": ["a", "b", "c"]}, *used]}
    )
    result, _ = migrated(before, 34)
    assert [t["refId"] for t in result["panels"][0]["targets"][-2:]] == ["AA", "AB"]


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (5.0, "5"),
        (1.5, "1.5"),
        (123456.0, "123456"),
        (1e6, "1e+06"),
        (1234567.0, "1.234567e+06"),
        (0.0001, "0.0001"),
        (0.00001, "1e-05"),
        (-2.0, "-2"),
        (0.0, "0"),
    ],
)
def test_v34_numbers_named_as_go_prints_them(value: float, text: str) -> None:
    assert go_v(value) == text


# --- v35: time axis of a time series with hidden axes ---------------------------------------

HIDDEN = {"defaults": {"custom": {"axisPlacement": "hidden"}}}
TIME_OVERRIDE = {
    "matcher": {"id": "byType", "options": "time"},
    "properties": [{"id": "custom.axisPlacement", "value": "auto"}],
}
V35_LOG = "all axes hidden: override `byType: time` → `custom.axisPlacement: auto` added (the time axis stays visible)"

V35_CASES = [
    pytest.param(
        panels(
            {
                "type": "timeseries",
                "title": "T",
                "fieldConfig": {**HIDDEN, "overrides": [{"matcher": {"id": "byName"}}]},
            }
        ),
        panels(
            {
                "type": "timeseries",
                "title": "T",
                "fieldConfig": {
                    **HIDDEN,
                    "overrides": [{"matcher": {"id": "byName"}}, TIME_OVERRIDE],
                },
            }
        ),
        [("T", V35_LOG)],
        id="override-appended-to-existing-ones",
    ),
    pytest.param(
        panels(
            {"type": "timeseries", "title": "A", "fieldConfig": dict(HIDDEN)},
            {
                "type": "timeseries",
                "title": "B",
                "fieldConfig": {**HIDDEN, "overrides": {"odd": 1}},
            },
        ),
        panels(
            {
                "type": "timeseries",
                "title": "A",
                "fieldConfig": {**HIDDEN, "overrides": [TIME_OVERRIDE]},
            },
            {
                "type": "timeseries",
                "title": "B",
                "fieldConfig": {**HIDDEN, "overrides": [TIME_OVERRIDE]},
            },
        ),
        [("A", V35_LOG), ("B", V35_LOG)],
        id="missing-or-odd-overrides-replaced-by-a-list",
    ),
    pytest.param(
        panels(
            {
                "type": "timeseries",
                "title": "Left",
                "fieldConfig": {"defaults": {"custom": {"axisPlacement": "left"}}},
            },
            {"type": "graph", "title": "Graph", "fieldConfig": dict(HIDDEN)},
            {"type": "timeseries", "title": "No config"},
            {
                "type": "row",
                "title": "R",
                "panels": [{"type": "timeseries", "title": "In row", "fieldConfig": dict(HIDDEN)}],
            },
        ),
        panels(
            {
                "type": "timeseries",
                "title": "Left",
                "fieldConfig": {"defaults": {"custom": {"axisPlacement": "left"}}},
            },
            {"type": "graph", "title": "Graph", "fieldConfig": dict(HIDDEN)},
            {"type": "timeseries", "title": "No config"},
            {
                "type": "row",
                "title": "R",
                "panels": [{"type": "timeseries", "title": "In row", "fieldConfig": dict(HIDDEN)}],
            },
        ),
        [],
        id="visible-axes-other-types-no-field-config-and-row-panels-untouched",
    ),
]


@pytest.mark.parametrize(("before", "after", "changes"), V35_CASES)
def test_v35_time_axis_override(before: Any, after: Any, changes: Changes) -> None:
    check(35, before, after, changes)


# --- v36: datasource references everywhere, defaults and inheritance ------------------------

V36_CASES = [
    pytest.param(
        panels(
            {
                "title": "Inherits",
                "datasource": None,
                "targets": [{"refId": "A", "datasource": LOKI_REF}, {"refId": "B"}],
            }
        ),
        panels(
            {
                "title": "Inherits",
                "datasource": LOKI_REF,
                "targets": [
                    {"refId": "A", "datasource": LOKI_REF},
                    {"refId": "B", "datasource": LOKI_REF},
                ],
            }
        ),
        [
            ("Inherits", f"no datasource: the default {P}"),
            ("Inherits", f"`datasource` taken from query `A`: {L}"),
            ("Inherits", f"query `B`: `datasource` missing → the panel's {L}"),
        ],
        id="null-panel-datasource-takes-its-query-datasource-not-the-default",
    ),
    pytest.param(
        panels({"title": "Bare", "targets": [{"refId": "A", "expr": "up"}]}),
        panels(
            {
                "title": "Bare",
                "datasource": PROM_REF,
                "targets": [{"refId": "A", "expr": "up", "datasource": PROM_REF}],
            }
        ),
        [
            ("Bare", f"no datasource: the default {P}"),
            ("Bare", f"query `A`: `datasource` missing → the panel's {P}"),
        ],
        id="missing-everywhere-the-default-for-panel-and-query",
    ),
    pytest.param(
        panels({"type": "text", "title": "Text"}, {"type": "row", "title": "Row", "targets": []}),
        panels(
            {
                "type": "text",
                "title": "Text",
                "targets": [{"refId": "A", "datasource": PROM_REF}],
                "datasource": PROM_REF,
            },
            {
                "type": "row",
                "title": "Row",
                "targets": [{"refId": "A", "datasource": PROM_REF}],
                "datasource": PROM_REF,
            },
        ),
        [
            ("Text", "no queries: default query `A` added"),
            ("Text", f"no datasource: the default {P}"),
            ("Text", f"query `A`: `datasource` missing → the panel's {P}"),
            ("Row", "no queries: default query `A` added"),
            ("Row", f"no datasource: the default {P}"),
            ("Row", f"query `A`: `datasource` missing → the panel's {P}"),
        ],
        id="top-level-panels-without-queries-get-query-A-and-the-default-rows-too",
    ),
    pytest.param(
        panels(
            {
                "type": "row",
                "title": "R",
                "collapsed": True,
                "datasource": None,
                "targets": [{"refId": "A"}],
                "panels": [
                    {"title": "Empty", "datasource": "Loki"},
                    {
                        "title": "Child",
                        "datasource": "Loki",
                        "targets": [{"refId": "A", "datasource": None}],
                    },
                ],
            }
        ),
        panels(
            {
                "type": "row",
                "title": "R",
                "collapsed": True,
                "datasource": PROM_REF,
                "targets": [{"refId": "A", "datasource": PROM_REF}],
                "panels": [
                    {"title": "Empty", "datasource": "Loki"},
                    {
                        "title": "Child",
                        "datasource": LOKI_REF,
                        "targets": [{"refId": "A", "datasource": LOKI_REF}],
                    },
                ],
            }
        ),
        [
            ("R", f"no datasource: the default {P}"),
            ("R", f"query `A`: `datasource` missing → the panel's {P}"),
            ("Child", f"`datasource` `Loki` → {L}"),
            ("Child", f"query `A`: `datasource` null → the panel's {L}"),
        ],
        id="nested-panels-without-queries-left-alone-with-queries-migrated",
    ),
    pytest.param(
        panels(
            {
                "title": "Mixed",
                "datasource": {"uid": "-- Mixed --", "type": "datasource"},
                "targets": [
                    {"refId": "A"},
                    {"refId": "B", "datasource": {"type": "loki"}},
                    {"refId": "C", "datasource": "Loki"},
                    {"refId": "D", "datasource": {}},
                ],
            }
        ),
        panels(
            {
                "title": "Mixed",
                "datasource": {"uid": "-- Mixed --", "type": "datasource"},
                "targets": [
                    {"refId": "A", "datasource": PROM_REF},
                    {"refId": "B", "datasource": {"type": "loki"}},
                    {"refId": "C", "datasource": LOKI_REF},
                    {"refId": "D", "datasource": None},
                ],
            }
        ),
        [
            ("Mixed", f"query `A` of a mixed panel: `datasource` missing → {P}"),
            ("Mixed", f"query `C`: `datasource` `Loki` → {L}"),
            ("Mixed", "query `D` of a mixed panel: `datasource` {} → null"),
        ],
        id="mixed-panel-queries-resolved-on-their-own-mixed-uid-not-copied",
    ),
    pytest.param(
        panels(
            {
                "title": "Names",
                "datasource": "Prometheus",
                "targets": [
                    {"refId": "A", "datasource": "gone"},
                    {"refId": "B", "datasource": "default"},
                    {"refId": "C", "datasource": 5},
                    {"refId": "D", "datasource": {"uid": None, "type": "x"}},
                ],
            }
        ),
        panels(
            {
                "title": "Names",
                "datasource": PROM_REF,
                "targets": [
                    {"refId": "A", "datasource": {"uid": "gone"}},
                    {"refId": "B", "datasource": PROM_REF},
                    {"refId": "C", "datasource": None},
                    {"refId": "D", "datasource": PROM_REF},
                ],
            }
        ),
        [
            ("Names", f"`datasource` `Prometheus` → {P}"),
            (
                "Names",
                'query `A`: `datasource` `gone` is not a known datasource: kept as {"uid": "gone"}',
            ),
            ("Names", f"query `B`: `datasource` `default` → {P}"),
            ("Names", "query `C`: `datasource` 5 cannot be read as a datasource: → null"),
            ("Names", f'query `D`: `datasource` {{"type": "x", "uid": null}} → the panel\'s {P}'),
        ],
        id="names-resolved-unknown-kept-default-resolved-unreadable-null-uidless-takes-panel",
    ),
    pytest.param(
        panels(
            {
                "title": "Expr",
                "targets": [
                    {"refId": "A", "datasource": LOKI_REF},
                    {"refId": "B", "datasource": {"uid": "__expr__", "type": "__expr__"}},
                ],
            },
            {"title": "Only expr", "targets": [{"refId": "A", "datasource": {"uid": "__expr__"}}]},
            {
                "title": "Last wins",
                "targets": [
                    {"refId": "A", "datasource": LOKI_REF},
                    {"refId": "B", "datasource": "prom-uid"},
                    {"refId": "C"},
                ],
            },
        ),
        panels(
            {
                "title": "Expr",
                "datasource": LOKI_REF,
                "targets": [
                    {"refId": "A", "datasource": LOKI_REF},
                    {"refId": "B", "datasource": {"uid": "__expr__", "type": "__expr__"}},
                ],
            },
            {
                "title": "Only expr",
                "datasource": PROM_REF,
                "targets": [{"refId": "A", "datasource": {"uid": "__expr__"}}],
            },
            {
                "title": "Last wins",
                "datasource": PROM_REF,
                "targets": [
                    {"refId": "A", "datasource": LOKI_REF},
                    {"refId": "B", "datasource": PROM_REF},
                    {"refId": "C", "datasource": PROM_REF},
                ],
            },
        ),
        [
            ("Expr", f"no datasource: the default {P}"),
            ("Expr", f"`datasource` taken from query `A`: {L}"),
            ("Only expr", f"no datasource: the default {P}"),
            ("Last wins", f"no datasource: the default {P}"),
            ("Last wins", f"`datasource` taken from query `A`: {L}"),
            ("Last wins", f"query `B`: `datasource` `prom-uid` → {P}"),
            ("Last wins", f"`datasource` taken from query `B`: {P}"),
            ("Last wins", f"query `C`: `datasource` missing → the panel's {P}"),
        ],
        id="expressions-never-become-the-panel-datasource-the-last-query-wins",
    ),
    pytest.param(
        panels(
            {"title": "Empty ref", "datasource": {}, "targets": [{"refId": "A"}]},
            {"title": "Odd", "datasource": 7, "targets": [{"refId": "A"}]},
        ),
        panels(
            {"title": "Empty ref", "datasource": {}, "targets": [{"refId": "A", "datasource": {}}]},
            {"title": "Odd", "datasource": None, "targets": [{"refId": "A"}]},
        ),
        [
            ("Empty ref", "query `A`: `datasource` missing → the panel's {}"),
            ("Odd", "`datasource` 7 cannot be read as a datasource: → null"),
        ],
        id="empty-reference-kept-and-copied-unreadable-panel-null-queries-untouched",
    ),
]


@pytest.mark.parametrize(("before", "after", "changes"), V36_CASES)
def test_v36_panel_datasources(before: Any, after: Any, changes: Changes) -> None:
    check(36, before, after, changes)


def test_v36_annotations_and_query_variables() -> None:
    before = {
        "annotations": {
            "list": [
                {"name": "Deploys", "datasource": "Loki"},
                {"name": "Missing"},
                {"name": "Ref", "datasource": {"uid": "x", "type": "y"}},
                {"builtIn": 1, "datasource": "-- Grafana --"},
                "odd",
            ]
        },
        "templating": {
            "list": [
                {"type": "query", "name": "a", "datasource": None},
                {"type": "query", "name": "b", "datasource": "Loki"},
                {"type": "query", "name": "c"},
                {"type": "custom", "name": "d", "datasource": None},
            ]
        },
    }
    after = {
        "annotations": {
            "list": [
                {"name": "Deploys", "datasource": LOKI_REF},
                {"name": "Missing", "datasource": PROM_REF},
                {"name": "Ref", "datasource": {"uid": "x", "type": "y"}},
                {"builtIn": 1, "datasource": {"uid": "-- Grafana --"}},
                "odd",
            ]
        },
        "templating": {
            "list": [
                {"type": "query", "name": "a", "datasource": PROM_REF},
                {"type": "query", "name": "b", "datasource": "Loki"},
                {"type": "query", "name": "c"},
                {"type": "custom", "name": "d", "datasource": None},
            ]
        },
    }
    check(
        36,
        before,
        after,
        [
            ("", f"annotation 'Deploys': `datasource` `Loki` → {L}"),
            ("", f"annotation 'Missing': `datasource` missing → the default {P}"),
            (
                "",
                'annotation #3: `datasource` `-- Grafana --` is not a known datasource: kept as {"uid": "-- Grafana --"}',
            ),
            ("", f"variable 'a': `datasource` null → the default {P}"),
        ],
    )


def test_v36_without_a_default_datasource_null_stays_null() -> None:
    before = panels({"title": "P", "targets": [{"refId": "A"}]})
    after = panels({"title": "P", "datasource": None, "targets": [{"refId": "A"}]})
    check(36, before, after, [("P", "no datasource: null (no default datasource)")], (LOKI,))


# --- v37: legend ----------------------------------------------------------------------------

V37_CASES = [
    pytest.param(
        panels(
            {
                "title": "Hidden",
                "options": {"legend": {"displayMode": "hidden", "placement": "bottom"}},
            },
            {"title": "Off", "options": {"legend": {"displayMode": "table", "showLegend": False}}},
            {"title": "On", "options": {"legend": {"displayMode": "table"}}},
            {"title": "Odd", "options": {"legend": {"showLegend": "no"}}},
        ),
        panels(
            {
                "title": "Hidden",
                "options": {
                    "legend": {"displayMode": "list", "showLegend": False, "placement": "bottom"}
                },
            },
            {"title": "Off", "options": {"legend": {"displayMode": "list", "showLegend": False}}},
            {"title": "On", "options": {"legend": {"displayMode": "table", "showLegend": True}}},
            {"title": "Odd", "options": {"legend": {"showLegend": True}}},
        ),
        [
            (
                "Hidden",
                'hidden legend (`displayMode` "hidden") → `displayMode` list, `showLegend` false',
            ),
            (
                "Off",
                'hidden legend (`displayMode` "table") → `displayMode` list, `showLegend` false',
            ),
            ("On", "legend: `showLegend` missing → true"),
            ("Odd", 'legend: `showLegend` "no" → true'),
        ],
        id="two-ways-to-hide-normalised-visible-ones-get-show-legend-true",
    ),
    pytest.param(
        panels(
            {"title": "Bool", "options": {"legend": True}},
            {"title": "Done", "options": {"legend": {"displayMode": "list", "showLegend": False}}},
            {"title": "Visible", "options": {"legend": {"showLegend": True}}},
            {"title": "No options", "options": None},
            {
                "type": "row",
                "title": "R",
                "options": {"legend": {"displayMode": "hidden"}},
                "panels": [{"title": "In row", "options": {"legend": {"displayMode": "hidden"}}}],
            },
        ),
        panels(
            {"title": "Bool", "options": {"legend": True}},
            {"title": "Done", "options": {"legend": {"displayMode": "list", "showLegend": False}}},
            {"title": "Visible", "options": {"legend": {"showLegend": True}}},
            {"title": "No options", "options": None},
            {
                "type": "row",
                "title": "R",
                "options": {"legend": {"displayMode": "hidden"}},
                "panels": [
                    {
                        "title": "In row",
                        "options": {"legend": {"displayMode": "list", "showLegend": False}},
                    }
                ],
            },
        ),
        [
            (
                "In row",
                'hidden legend (`displayMode` "hidden") → `displayMode` list, `showLegend` false',
            )
        ],
        id="booleans-and-normalised-legends-kept-row-children-reached-rows-not",
    ),
]


@pytest.mark.parametrize(("before", "after", "changes"), V37_CASES)
def test_v37_legend(before: Any, after: Any, changes: Changes) -> None:
    check(37, before, after, changes)


# --- v38: table cell options ----------------------------------------------------------------


def table(
    custom: Any, overrides: Any = None, title: str = "T", kind: str = "table"
) -> dict[str, Any]:
    field_config: dict[str, Any] = {"defaults": {"custom": custom}}
    if overrides is not None:
        field_config["overrides"] = overrides
    return {"type": kind, "title": title, "fieldConfig": field_config}


@pytest.mark.parametrize(
    ("mode", "options"),
    [
        ("basic", {"type": "gauge", "mode": "basic"}),
        ("gradient-gauge", {"type": "gauge", "mode": "gradient"}),
        ("lcd-gauge", {"type": "gauge", "mode": "lcd"}),
        ("color-background", {"type": "color-background", "mode": "gradient"}),
        ("color-background-solid", {"type": "color-background", "mode": "basic"}),
        ("color-text", {"type": "color-text"}),
        ("json-view", {"type": "json-view"}),
    ],
)
def test_v38_display_modes(mode: str, options: dict[str, str]) -> None:
    shown = ", ".join(f"{k}: {v}" for k, v in options.items())
    check(
        38,
        panels(table({"displayMode": mode, "align": "auto"})),
        panels(table({"align": "auto", "cellOptions": options})),
        [("T", f"`displayMode` {mode} → `cellOptions` {shown}")],
    )


V38_CASES = [
    pytest.param(
        panels(
            table(
                {},
                [
                    {
                        "matcher": {"id": "byName", "options": "cpu"},
                        "properties": [
                            {"id": "custom.displayMode", "value": "lcd-gauge"},
                            {"id": "custom.displayMode", "value": 3},
                            {"id": "custom.width", "value": 90},
                        ],
                    },
                    "odd",
                ],
            )
        ),
        panels(
            table(
                {},
                [
                    {
                        "matcher": {"id": "byName", "options": "cpu"},
                        "properties": [
                            {"id": "custom.cellOptions", "value": {"type": "gauge", "mode": "lcd"}},
                            {"id": "custom.cellOptions", "value": 3},
                            {"id": "custom.width", "value": 90},
                        ],
                    },
                    "odd",
                ],
            )
        ),
        [
            ("T", "override 0: `custom.displayMode` → `custom.cellOptions`"),
            ("T", "override 0: `custom.displayMode` → `custom.cellOptions`"),
        ],
        id="override-ids-renamed-string-values-converted-others-kept",
    ),
    pytest.param(
        panels(table({"displayMode": None})),
        panels(table({})),
        [("T", "`displayMode` of no known form removed")],
        id="non-string-display-mode-removed-without-cell-options",
    ),
    pytest.param(
        panels(
            table(
                None,
                [{"properties": [{"id": "custom.displayMode", "value": "basic"}]}],
                title="No custom",
            ),
            table({"displayMode": "basic"}, kind="timeseries", title="Not a table"),
            {
                "type": "row",
                "title": "R",
                "panels": [table({"displayMode": "basic"}, title="In row")],
            },
        ),
        panels(
            table(
                None,
                [{"properties": [{"id": "custom.displayMode", "value": "basic"}]}],
                title="No custom",
            ),
            table({"displayMode": "basic"}, kind="timeseries", title="Not a table"),
            {
                "type": "row",
                "title": "R",
                "panels": [
                    table({"cellOptions": {"type": "gauge", "mode": "basic"}}, title="In row")
                ],
            },
        ),
        [("In row", "`displayMode` basic → `cellOptions` type: gauge, mode: basic")],
        id="no-custom-skips-overrides-too-other-types-untouched-rows-entered",
    ),
]


@pytest.mark.parametrize(("before", "after", "changes"), V38_CASES)
def test_v38_table_cell_options(before: Any, after: Any, changes: Changes) -> None:
    check(38, before, after, changes)


# --- v39: timeSeriesTable options -----------------------------------------------------------

V39_CASES = [
    pytest.param(
        panels(
            {
                "title": "T",
                "transformations": [
                    {
                        "id": "timeSeriesTable",
                        "options": {"refIdToStat": {"A": "mean", "B": "max"}, "other": 1},
                    },
                    {"id": "reduce", "options": {"refIdToStat": {"A": "mean"}}},
                    {"id": "timeSeriesTable", "options": {"refIdToStat": {}}},
                    {"id": "timeSeriesTable", "options": {"refIdToStat": "mean"}},
                    {"id": "timeSeriesTable"},
                    "odd",
                ],
            }
        ),
        panels(
            {
                "title": "T",
                "transformations": [
                    {
                        "id": "timeSeriesTable",
                        "options": {"A": {"stat": "mean"}, "B": {"stat": "max"}},
                    },
                    {"id": "reduce", "options": {"refIdToStat": {"A": "mean"}}},
                    {"id": "timeSeriesTable", "options": {}},
                    {"id": "timeSeriesTable", "options": {"refIdToStat": "mean"}},
                    {"id": "timeSeriesTable"},
                    "odd",
                ],
            }
        ),
        [
            ("T", "`timeSeriesTable`: `refIdToStat` → options per query (A, B)"),
            ("T", "`timeSeriesTable`: `refIdToStat` → options per query (none)"),
        ],
        id="per-query-options-replace-the-old-object-other-transformations-untouched",
    ),
    pytest.param(
        panels(
            {
                "type": "row",
                "title": "R",
                "panels": [
                    {
                        "title": "C",
                        "transformations": [
                            {"id": "timeSeriesTable", "options": {"refIdToStat": {"A": "last"}}}
                        ],
                    }
                ],
            }
        ),
        panels(
            {
                "type": "row",
                "title": "R",
                "panels": [
                    {
                        "title": "C",
                        "transformations": [
                            {"id": "timeSeriesTable", "options": {"A": {"stat": "last"}}}
                        ],
                    }
                ],
            }
        ),
        [("C", "`timeSeriesTable`: `refIdToStat` → options per query (A)")],
        id="row-children-reached",
    ),
]


@pytest.mark.parametrize(("before", "after", "changes"), V39_CASES)
def test_v39_time_series_table(before: Any, after: Any, changes: Changes) -> None:
    check(39, before, after, changes)


# --- v40: refresh ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("before", "after", "changes"),
    [
        pytest.param(
            {},
            {"refresh": ""},
            [("", '`refresh` missing → "" (no automatic refresh)')],
            id="missing",
        ),
        pytest.param(
            {"refresh": None},
            {"refresh": ""},
            [("", '`refresh` null → "" (no automatic refresh)')],
            id="null",
        ),
        pytest.param(
            {"refresh": True},
            {"refresh": ""},
            [("", '`refresh` true → "" (no automatic refresh)')],
            id="true",
        ),
        pytest.param(
            {"refresh": 30},
            {"refresh": ""},
            [("", '`refresh` 30 → "" (no automatic refresh)')],
            id="number",
        ),
        pytest.param({"refresh": "5m"}, {"refresh": "5m"}, [], id="string-kept"),
        pytest.param({"refresh": "weird"}, {"refresh": "weird"}, [], id="any-string-kept"),
    ],
)
def test_v40_refresh_is_a_string(before: Any, after: Any, changes: Changes) -> None:
    check(40, before, after, changes)


# --- v41: time_options ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("before", "after", "changes"),
    [
        pytest.param(
            {
                "timepicker": {
                    "refresh_intervals": ["5s"],
                    "time_options": ["5m", "1h"],
                    "hidden": False,
                }
            },
            {"timepicker": {"refresh_intervals": ["5s"], "hidden": False}},
            [("", "`timepicker.time_options` removed (unused since Grafana 5)")],
            id="removed-others-kept",
        ),
        pytest.param(
            {"timepicker": {"hidden": True}}, {"timepicker": {"hidden": True}}, [], id="absent"
        ),
        pytest.param(
            {"timepicker": ["time_options"]}, {"timepicker": ["time_options"]}, [], id="odd-shape"
        ),
        pytest.param({}, {}, [], id="no-timepicker"),
    ],
)
def test_v41_time_options_removed(before: Any, after: Any, changes: Changes) -> None:
    check(41, before, after, changes)


# --- v42: hideFrom.tooltip ------------------------------------------------------------------


def hide_from(value: Any, title: str = "P", **extra: Any) -> dict[str, Any]:
    return {
        "title": title,
        "fieldConfig": {
            "defaults": {"custom": {"hideFrom": {"viz": True}}},
            "overrides": [{"properties": [{"id": "custom.hideFrom", "value": value}]}],
        },
        **extra,
    }


V42_LOG = "override 0: hidden from the visualization → `hideFrom.tooltip` true"

V42_CASES = [
    pytest.param(
        panels(
            hide_from({"viz": True, "legend": False}),
            hide_from({"viz": True, "tooltip": False}, "Q"),
        ),
        panels(
            hide_from({"viz": True, "legend": False, "tooltip": True}),
            hide_from({"viz": True, "tooltip": True}, "Q"),
        ),
        [("P", V42_LOG), ("Q", V42_LOG)],
        id="viz-true-hides-the-tooltip-too-overwriting-false",
    ),
    pytest.param(
        panels(
            hide_from({"viz": "true"}),
            hide_from({"viz": False}, "Q"),
            hide_from({"viz": True, "tooltip": True}, "R"),
            hide_from(True, "S"),
        ),
        panels(
            hide_from({"viz": "true"}),
            hide_from({"viz": False}, "Q"),
            hide_from({"viz": True, "tooltip": True}, "R"),
            hide_from(True, "S"),
        ),
        [],
        id="only-the-boolean-true-defaults-untouched-already-set-not-reported",
    ),
    pytest.param(
        panels(
            {
                "type": "row",
                "title": "R",
                "panels": [{"title": "Mid", "panels": [hide_from({"viz": True}, "Deep")]}],
            }
        ),
        panels(
            {
                "type": "row",
                "title": "R",
                "panels": [
                    {"title": "Mid", "panels": [hide_from({"viz": True, "tooltip": True}, "Deep")]}
                ],
            }
        ),
        [("Deep", V42_LOG)],
        id="nested-panels-at-any-depth",
    ),
]


@pytest.mark.parametrize(("before", "after", "changes"), V42_CASES)
def test_v42_hide_from_tooltip(before: Any, after: Any, changes: Changes) -> None:
    check(42, before, after, changes)


# --- the chain 28 → 42 ----------------------------------------------------------------------


def test_chain_from_28_to_42_applies_each_step_once_in_order() -> None:
    dashboard = {
        "schemaVersion": 28,
        "refresh": False,
        "timepicker": {"time_options": ["5m"]},
        "templating": {"list": [{"type": "query", "name": "v", "refresh": 0, "datasource": None}]},
        "panels": [
            {
                "type": "timeseries",
                "title": "TS",
                "datasource": "Loki",
                "fieldConfig": {
                    "defaults": {"custom": {"axisPlacement": "hidden"}},
                    "overrides": [],
                },
                "options": {
                    "legend": {"displayMode": "hidden"},
                    "tooltipOptions": {"mode": "multi"},
                },
                "transformations": [{"id": "labelsToFields"}],
                "targets": [{"refId": "A", "expr": "up"}],
            }
        ],
    }
    ctx = StepContext(datasources=DATASOURCES)
    migrate_to(dashboard, ctx, target=42)
    assert dashboard["schemaVersion"] == 42
    assert dashboard["refresh"] == ""
    assert dashboard["timepicker"] == {}
    assert dashboard["templating"]["list"][0] == {
        "type": "query",
        "name": "v",
        "refresh": 1,
        "datasource": PROM_REF,
    }
    panel = dashboard["panels"][0]
    assert panel["datasource"] == LOKI_REF
    assert panel["targets"] == [{"refId": "A", "expr": "up", "datasource": LOKI_REF}]
    assert panel["options"] == {
        "legend": {"displayMode": "list", "showLegend": False},
        "tooltip": {"mode": "multi"},
    }
    assert panel["transformations"] == [{"id": "labelsToFields"}, MERGE]
    assert panel["fieldConfig"]["overrides"] == [TIME_OVERRIDE]
    assert [c.version for c in ctx.changes] == [29, 30, 31, 33, 35, 36, 36, 37, 40, 41]


# --- the datasource look-ups ----------------------------------------------------------------


def test_index_resolves_by_name_first_then_uid_last_duplicate_and_default() -> None:
    twin = DatasourceInfo(uid="twin-uid", name="Loki", type="loki", is_default=True)
    idx = DatasourceIndex.of((PROM, LOKI, SHADOW, twin))
    assert idx.lookup("Loki") is twin  # the last of a name wins
    assert idx.lookup("loki-uid") is LOKI
    assert idx.default is twin  # the last one marked default
    assert idx.resolve("default") is twin
    assert idx.resolve("") is None
    no_default = DatasourceIndex.of((LOKI,))
    assert no_default.default is None
    assert name_to_ref(None, no_default, default_as_null=False) is None
    assert name_to_ref("default", no_default, default_as_null=False) == {"uid": "default"}
    named_default = DatasourceIndex.of((DatasourceInfo(uid="d", name="default", type="x"),))
    assert name_to_ref("default", named_default, default_as_null=False) == {"uid": "d", "type": "x"}
    assert name_to_ref("default", named_default, default_as_null=True) is None


# --- Grafana's load defaults ----------------------------------------------------------------


def loaded(
    dashboard: dict[str, Any], datasources: tuple[DatasourceInfo, ...] = DATASOURCES
) -> tuple[dict[str, Any], Changes]:
    result = copy.deepcopy(dashboard)
    ctx = StepContext(datasources=datasources)
    apply_load_defaults(result, ctx)
    assert {c.version for c in ctx.changes} <= {LOAD_DEFAULTS}
    return result, [(c.panel, c.change) for c in ctx.changes]


def grid(x: int, y: int, w: int, h: int) -> dict[str, int]:
    return {"x": x, "y": y, "w": w, "h": h}


LOAD_CASES = [
    pytest.param(
        panels(
            {"id": 1, "type": "text", "title": "A", "targets": []},
            {"id": 2, "type": "text", "title": "B", "targets": []},
            {"id": 3, "type": "text", "title": "C", "targets": []},
        ),
        panels(
            {"id": 1, "type": "text", "title": "A", "targets": [], "gridPos": grid(0, 0, 6, 3)},
            {"id": 2, "type": "text", "title": "B", "targets": [], "gridPos": grid(0, 3, 6, 3)},
            {"id": 3, "type": "text", "title": "C", "targets": [], "gridPos": grid(0, 6, 6, 3)},
        ),
        [
            ("A", "no `gridPos`: the default x 0, y 0, w 6, h 3"),
            ("B", "no `gridPos`: the default x 0, y 0, w 6, h 3"),
            ("C", "no `gridPos`: the default x 0, y 0, w 6, h 3"),
            ("B", "placed at x 0, y 3 (w 6, h 3); was x 0, y 0 (w 6, h 3)"),
            ("C", "placed at x 0, y 6 (w 6, h 3); was x 0, y 0 (w 6, h 3)"),
        ],
        id="panels-without-grid-pos-stack-at-the-top-left-in-order",
    ),
    pytest.param(
        panels(
            {"id": 1, "title": "Wide", "targets": [], "gridPos": grid(0, 0, 12, 8)},
            {"id": 2, "title": "Right", "targets": [], "gridPos": grid(12, 0, 12, 8)},
            {"id": 3, "title": "Loose", "targets": []},
            {"id": 4, "title": "Far", "targets": [], "gridPos": grid(6, 30, 6, 4)},
            {"id": 5, "title": "Partial", "targets": [], "gridPos": {"x": 18, "y": 40}},
        ),
        panels(
            {"id": 1, "title": "Wide", "targets": [], "gridPos": grid(0, 0, 12, 8)},
            {"id": 3, "title": "Loose", "targets": [], "gridPos": grid(0, 8, 6, 3)},
            {"id": 2, "title": "Right", "targets": [], "gridPos": grid(12, 0, 12, 8)},
            {"id": 4, "title": "Far", "targets": [], "gridPos": grid(6, 8, 6, 4)},
            {"id": 5, "title": "Partial", "targets": [], "gridPos": grid(18, 8, 6, 3)},
        ),
        [
            ("Loose", "no `gridPos`: the default x 0, y 0, w 6, h 3"),
            ("Partial", "`gridPos` missing w, h: the defaults"),
            ("", "panels ordered by position (y, then x), as Grafana orders them"),
            ("Loose", "placed at x 0, y 8 (w 6, h 3); was x 0, y 0 (w 6, h 3)"),
            ("Far", "placed at x 6, y 8 (w 6, h 4); was x 6, y 30 (w 6, h 4)"),
            ("Partial", "placed at x 18, y 8 (w 6, h 3); was x 18, y 40 (w 6, h 3)"),
        ],
        id="sorted-by-position-then-compacted-upwards-partial-grid-pos-filled",
    ),
    pytest.param(
        panels(
            {"id": 1, "title": "Top", "targets": [], "gridPos": grid(0, 0, 24, 2)},
            {"id": 2, "title": "Same", "targets": [], "gridPos": grid(0, 0, 12, 2)},
            {"id": 3, "title": "Below", "targets": [], "gridPos": grid(0, 2, 12, 2)},
        ),
        panels(
            {"id": 1, "title": "Top", "targets": [], "gridPos": grid(0, 0, 24, 2)},
            {"id": 2, "title": "Same", "targets": [], "gridPos": grid(0, 2, 12, 2)},
            {"id": 3, "title": "Below", "targets": [], "gridPos": grid(0, 4, 12, 2)},
        ),
        [
            ("Same", "placed at x 0, y 2 (w 12, h 2); was x 0, y 0 (w 12, h 2)"),
            ("Below", "placed at x 0, y 4 (w 12, h 2); was x 0, y 2 (w 12, h 2)"),
        ],
        id="an-overlapping-panel-moves-down-and-pushes-the-one-below",
    ),
    pytest.param(
        panels(
            {"id": 1, "title": "Overflow", "targets": [], "gridPos": grid(20, 0, 8, 2)},
            {"id": 2, "title": "Odd", "targets": [], "gridPos": {"x": "0", "y": 0, "w": 6, "h": 3}},
        ),
        panels(
            {"id": 1, "title": "Overflow", "targets": [], "gridPos": grid(20, 0, 8, 2)},
            {"id": 2, "title": "Odd", "targets": [], "gridPos": {"x": "0", "y": 0, "w": 6, "h": 3}},
        ),
        [("", "panels not placed: a `gridPos` (or a panel) is not made of numbers")],
        id="a-position-not-made-of-numbers-leaves-placement-alone",
    ),
    pytest.param(
        panels(
            {
                "id": 1,
                "type": "row",
                "title": "Traffic",
                "gridPos": grid(0, 0, 24, 8),
                "collapsed": False,
                "panels": [],
            },
            {"id": 2, "title": "Requests", "targets": [], "gridPos": grid(0, 1, 16, 8)},
            {
                "id": 3,
                "type": "row",
                "title": "Later",
                "gridPos": grid(0, 20, 24, 7),
                "collapsed": True,
                "panels": [
                    {"id": 4, "title": "Inside", "targets": [], "gridPos": grid(0, 30, 12, 4)}
                ],
            },
        ),
        panels(
            {
                "id": 1,
                "type": "row",
                "title": "Traffic",
                "gridPos": grid(0, 0, 24, 1),
                "collapsed": False,
                "panels": [],
            },
            {"id": 2, "title": "Requests", "targets": [], "gridPos": grid(0, 1, 16, 8)},
            {
                "id": 3,
                "type": "row",
                "title": "Later",
                "gridPos": grid(0, 9, 24, 1),
                "collapsed": True,
                "panels": [
                    {"id": 4, "title": "Inside", "targets": [], "gridPos": grid(0, 30, 12, 4)}
                ],
            },
        ),
        [
            ("Traffic", "placed at x 0, y 0 (w 24, h 1); was x 0, y 0 (w 24, h 8)"),
            ("Later", "placed at x 0, y 9 (w 24, h 1); was x 0, y 20 (w 24, h 7)"),
        ],
        id="rows-drawn-full-width-one-high-collapsed-children-not-placed",
    ),
    pytest.param(
        panels({"id": 1, "title": "Overflow", "targets": [], "gridPos": grid(20, 0, 8, 2)}),
        panels({"id": 1, "title": "Overflow", "targets": [], "gridPos": grid(16, 0, 8, 2)}),
        [("Overflow", "placed at x 16, y 0 (w 8, h 2); was x 20, y 0 (w 8, h 2)")],
        id="kept-inside-the-24-columns",
    ),
]


@pytest.mark.parametrize(("before", "after", "changes"), LOAD_CASES)
def test_load_defaults_grid_placement(before: Any, after: Any, changes: Changes) -> None:
    result, logged = loaded(before)
    assert result == after
    assert logged == changes


def test_load_defaults_queries_ids_and_datasources() -> None:
    before = {
        "panels": [
            {
                "id": 5,
                "type": "row",
                "title": "R",
                "gridPos": grid(0, 0, 24, 1),
                "collapsed": False,
            },
            {
                "id": 5,
                "type": "timeseries",
                "title": "Dup",
                "gridPos": grid(0, 1, 12, 8),
                "targets": [{"expr": "a"}, {"refId": "A", "expr": "b"}, {"refId": "", "expr": "c"}],
            },
            {
                "type": "stat",
                "title": "No id",
                "gridPos": grid(12, 1, 12, 8),
                "datasource": None,
                "targets": [{"refId": "A", "datasource": LOKI_REF}],
            },
            {
                "id": 7,
                "type": "row",
                "title": "Closed",
                "gridPos": grid(0, 9, 24, 1),
                "collapsed": True,
                "panels": [{"id": 7, "type": "text", "title": "Inside"}],
            },
        ]
    }
    result, logged = loaded(before)
    assert result["panels"] == [
        {"id": 5, "type": "row", "title": "R", "gridPos": grid(0, 0, 24, 1), "collapsed": False},
        {
            "id": 8,
            "type": "timeseries",
            "title": "Dup",
            "gridPos": grid(0, 1, 12, 8),
            "datasource": PROM_REF,
            "targets": [
                {"expr": "a", "refId": "B", "datasource": PROM_REF},
                {"refId": "A", "expr": "b", "datasource": PROM_REF},
                {"refId": "C", "expr": "c", "datasource": PROM_REF},
            ],
        },
        {
            "id": 9,
            "type": "stat",
            "title": "No id",
            "gridPos": grid(12, 1, 12, 8),
            "datasource": LOKI_REF,
            "targets": [{"refId": "A", "datasource": LOKI_REF}],
        },
        {
            "id": 7,
            "type": "row",
            "title": "Closed",
            "gridPos": grid(0, 9, 24, 1),
            "collapsed": True,
            "panels": [
                {
                    "id": 10,
                    "type": "text",
                    "title": "Inside",
                    "gridPos": grid(0, 0, 6, 3),
                    "targets": [{"refId": "A", "datasource": PROM_REF}],
                    "datasource": PROM_REF,
                }
            ],
        },
    ]
    assert logged == [
        ("Dup", "query without `refId`: `B`"),
        ("Dup", "query without `refId`: `C`"),
        ("Inside", "no `gridPos`: the default x 0, y 0, w 6, h 3"),
        ("Inside", "no `targets`: the default query `A`"),
        ("Dup", "`id` 5 repeats an earlier panel's: → 8"),
        ("No id", "no `id`: → 9"),
        ("Inside", "`id` 7 repeats an earlier panel's: → 10"),
        ("Dup", f"no datasource: the default {P}"),
        ("Dup", f"query `B`: `datasource` missing → the panel's {P}"),
        ("Dup", f"query `A`: `datasource` missing → the panel's {P}"),
        ("Dup", f"query `C`: `datasource` missing → the panel's {P}"),
        ("No id", f"no datasource: the default {P}"),
        ("No id", f"`datasource` taken from query `A`: {L}"),
        ("Inside", f"no datasource: the default {P}"),
        ("Inside", f"query `A`: `datasource` missing → the panel's {P}"),
    ]


def test_load_defaults_leave_a_complete_dashboard_alone() -> None:
    dashboard = panels(
        {"id": 1, "type": "row", "title": "R", "gridPos": grid(0, 0, 24, 1)},
        {
            "id": 2,
            "type": "timeseries",
            "title": "Up",
            "gridPos": grid(0, 1, 24, 8),
            "datasource": LOKI_REF,
            "targets": [{"refId": "A", "datasource": LOKI_REF}],
        },
    )
    assert loaded(dashboard) == (dashboard, [])


def test_load_defaults_empty_targets_stay_empty_and_rows_get_no_query() -> None:
    dashboard = panels(
        {"id": 1, "type": "row", "title": "R", "gridPos": grid(0, 0, 24, 1)},
        {"id": 2, "type": "text", "title": "T", "gridPos": grid(0, 1, 6, 3), "targets": []},
    )
    assert loaded(dashboard) == (dashboard, [])


@pytest.mark.parametrize(
    ("number", "letters"),
    [
        (0, "A"),
        (25, "Z"),
        (26, "AA"),
        (27, "AB"),
        (51, "AZ"),
        (52, "BA"),
        (701, "ZZ"),
        (702, "AAA"),
    ],
)
def test_load_defaults_ref_ids_are_named_as_grafana_names_them(number: int, letters: str) -> None:
    assert ref_id(number) == letters

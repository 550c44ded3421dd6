"""The v1 → v2 conversion as Grafana's converts: table cases written from its code
(apps/dashboard/pkg/migration/conversion/v1beta1_to_v2alpha1.go and the steps after it), one
per mapping and per drop, each asserting the exact v2 output and the conversion report, and
that the v2 dashboard validates (schema, layout, grafana-foundation-sdk's model, the read-back
less exactly what the report says)."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from tsedash.dashv2 import V2_DIR, resource
from tsedash.dashv2.checks import sdk_differences, validate_resource
from tsedash.dashv2.convert import Converted, Unconvertible, convert
from tsedash.dashv2.report import DashboardNote, Note, expected_v1, summary_lines

from .conftest import ROOT, Result
from .dashboard_helpers import FIXTURE, waived
from .grafana_double import GrafanaDouble
from .test_grafana_push import env

V1_V2 = "conversion/v1beta1_to_v2alpha1.go"
PROM = {"type": "prometheus", "uid": "prom"}
EMPTY_FIELD_CONFIG = {"defaults": {"custom": {}}, "overrides": []}


def dashboard(
    panels: list[Any] | None = None,
    variables: list[Any] | None = None,
    annotations: list[Any] | None = None,
    **extra: Any,
) -> dict[str, Any]:
    return {
        "uid": "g",
        "title": "G",
        "schemaVersion": 42,
        "panels": panels or [],
        "templating": {"list": variables or []},
        "annotations": {"list": annotations or []},
        **extra,
    }


def panel(id_: int = 1, **fields: Any) -> dict[str, Any]:
    return {
        "id": id_,
        "type": "timeseries",
        "title": "P",
        "gridPos": {"h": 8, "w": 12, "x": 0, "y": 0},
        **fields,
    }


def converted(model: dict[str, Any], **options: Any) -> Converted:
    """The conversion, checked: the v1 model untouched, the v2 resource valid and read back
    as the v1 model less exactly what the report says."""
    before = copy.deepcopy(model)
    made = convert(model, **options)
    assert model == before
    made_resource = resource(str(model["uid"]), made.spec, "f")
    found = validate_resource("g.json", made_resource, model, made.notes)
    assert [f"{f.pointer}: {f.message}" for f in found] == []
    return made


def report(made: Converted) -> list[tuple[str, str, bool]]:
    return [(n.pointer, n.action, n.inert) for n in made.notes]


def note(made: Converted, pointer: str) -> Note:
    (found,) = [n for n in made.notes if n.pointer == pointer]
    return found


def viz(made: Converted, name: str = "panel-1") -> dict[str, Any]:
    config: dict[str, Any] = made.spec["elements"][name]["spec"]["vizConfig"]
    return config


def items(made: Converted, row: int | None = None) -> list[dict[str, Any]]:
    layout = made.spec["layout"]
    if row is not None:
        layout = layout["spec"]["rows"][row]["spec"]["layout"]
    return [i["spec"] for i in layout["spec"]["items"]]


# --- panel types and keys v2 has no field for (buildVizConfig, extractAngularOptions) ---------


def test_graph_becomes_timeseries_its_options_kept_for_grafanas_panel_migration() -> None:
    made = converted(dashboard([panel(type="graph", lines=True, xaxis={"mode": "time"})]))
    assert viz(made) == {
        "kind": "VizConfig",
        "group": "timeseries",
        "version": "",
        "spec": {
            "options": {
                "__angularMigration": {
                    "autoMigrateFrom": "graph",
                    "originalOptions": {"lines": True, "xaxis": {"mode": "time"}},
                }
            },
            "fieldConfig": EMPTY_FIELD_CONFIG,
        },
    }
    assert report(made) == [
        ("/panels/0/type", "changed", False),
        ("/panels/0/autoMigrateFrom", "changed", False),
        ("/panels/0", "moved", False),
    ]
    assert note(made, "/panels/0/type").value == "timeseries"
    assert note(made, "/panels/0/type").grafana.startswith("schemaversion/migration_utils.go")


@pytest.mark.parametrize(
    ("angular", "fields", "successor"),
    [
        ("graph", {"xaxis": {"mode": "series"}, "legend": {"values": True}}, "bargauge"),
        ("graph", {"xaxis": {"mode": "series"}, "legend": {"values": False}}, "barchart"),
        ("graph", {"xaxis": {"mode": "series"}}, "barchart"),
        ("graph", {"xaxis": {"mode": "histogram"}}, "histogram"),
        ("graphite", {}, "timeseries"),
        ("singlestat", {}, "stat"),
        ("grafana-singlestat-panel", {}, "stat"),
        ("table-old", {}, "table"),
        ("grafana-piechart-panel", {}, "piechart"),
        ("grafana-worldmap-panel", {}, "geomap"),
        ("natel-discrete-panel", {}, "state-timeline"),
    ],
)
def test_each_angular_panel_type_becomes_what_grafana_names(
    angular: str, fields: dict[str, Any], successor: str
) -> None:
    made = converted(dashboard([panel(type=angular, **fields)]))
    assert viz(made)["group"] == successor
    assert viz(made)["spec"]["options"]["__angularMigration"] == {
        "autoMigrateFrom": angular,
        "originalOptions": fields,
    }


def test_a_panel_migrated_already_keeps_its_type_and_carries_where_it_came_from() -> None:
    """A stat that was a singlestat (autoMigrateFrom set): no type change, the singlestat's
    own keys and autoMigrateFrom in options.__angularMigration."""
    made = converted(
        dashboard([panel(type="stat", autoMigrateFrom="singlestat", valueName="avg", format="s")])
    )
    assert viz(made)["group"] == "stat"
    assert viz(made)["spec"]["options"] == {
        "__angularMigration": {
            "autoMigrateFrom": "singlestat",
            "originalOptions": {"format": "s", "valueName": "avg"},
        }
    }
    assert report(made) == [("/panels/0", "moved", False)]


def test_a_text_panels_content_goes_where_grafana_puts_it() -> None:
    """An old text panel keeps `content` and `mode` outside its options: no Panel field, so
    options.__angularMigration.originalOptions, autoMigrateFrom its own type."""
    made = converted(dashboard([panel(type="text", content="# Notes", mode="markdown")]))
    assert viz(made)["group"] == "text"
    assert viz(made)["spec"]["options"] == {
        "__angularMigration": {
            "autoMigrateFrom": "text",
            "originalOptions": {"content": "# Notes", "mode": "markdown"},
        }
    }
    assert report(made) == [("/panels/0", "moved", False)]
    assert "content, mode" in made.notes[0].detail


def test_an_unknown_panel_key_is_kept_not_dropped_and_time_compare_is_dropped() -> None:
    made = converted(dashboard([panel(scopedVars={"a": {"value": "1"}}, timeCompare="1d")]))
    assert viz(made)["spec"]["options"]["__angularMigration"] == {
        "autoMigrateFrom": "timeseries",
        "originalOptions": {"scopedVars": {"a": {"value": "1"}}},
    }
    assert report(made) == [
        ("/panels/0/timeCompare", "dropped", False),
        ("/panels/0", "moved", False),
    ]
    assert "timeCompare" not in json.dumps(made.spec)


def test_a_panel_without_a_type_is_a_time_series() -> None:
    model = dashboard([{"id": 1, "title": "T", "gridPos": {"h": 8, "w": 12, "x": 0, "y": 0}}])
    made = converted(model)
    assert viz(made)["group"] == "timeseries"
    assert report(made) == [("/panels/0/type", "changed", False)]


# --- field config (extractFieldConfigDefaults, buildThresholdsConfig, …) --------------------


def test_a_threshold_step_without_value_is_grafanas_base_step() -> None:
    steps = [{"color": "green"}, {"color": "red", "value": 80}, {"color": "blue", "value": "90"}]
    config = {"defaults": {"thresholds": {"mode": "absolute", "steps": steps}}}
    made = converted(dashboard([panel(fieldConfig=config)]))
    assert viz(made)["spec"]["fieldConfig"] == {
        "defaults": {
            "thresholds": {
                "mode": "absolute",
                "steps": [
                    {"value": None, "color": "green"},
                    {"value": 80, "color": "red"},
                    {"value": None, "color": "blue"},  # "90" is no number: -Infinity
                ],
            }
        },
        "overrides": [],
    }
    prefix = "/panels/0/fieldConfig/defaults/thresholds/steps"
    assert report(made) == [
        (f"{prefix}/0/value", "changed", True),
        (f"{prefix}/2/value", "changed", False),
    ]


def test_field_config_defaults_are_mapped_field_by_field() -> None:
    defaults = {
        "unit": "bytes",
        "decimals": 2,
        "min": 0,
        "color": {"mode": "fixed", "fixedColor": "red", "gradientColorTo": "blue"},
        "custom": {"lineWidth": 2},
        "fancy": True,
        "displayName": 7,
    }
    overrides = [
        {
            "matcher": {"id": "byName", "options": "x"},
            "properties": [{"id": "unit", "value": "s"}],
            "note": "?",
        }
    ]
    made = converted(dashboard([panel(fieldConfig={"defaults": defaults, "overrides": overrides})]))
    assert viz(made)["spec"]["fieldConfig"] == {
        "defaults": {
            "unit": "bytes",
            "decimals": 2,
            "min": 0,
            "color": {"mode": "fixed", "fixedColor": "red"},
            "custom": {"lineWidth": 2},
        },
        "overrides": [
            {
                "matcher": {"id": "byName", "options": "x"},
                "properties": [{"id": "unit", "value": "s"}],
            }
        ],
    }
    prefix = "/panels/0/fieldConfig"
    assert report(made) == [
        (f"{prefix}/defaults/fancy", "dropped", False),
        (f"{prefix}/defaults/displayName", "dropped", False),
        (f"{prefix}/defaults/color/gradientColorTo", "dropped", False),
        (f"{prefix}/overrides/0/note", "dropped", False),
    ]


def test_no_field_config_is_grafanas_empty_one() -> None:
    made = converted(dashboard([panel()]))
    assert viz(made)["spec"]["fieldConfig"] == EMPTY_FIELD_CONFIG
    assert report(made) == []


def test_value_mappings_of_a_type_grafana_knows_are_kept_typed_the_rest_dropped() -> None:
    mappings = [
        {"type": "value", "options": {"1": {"text": "up", "color": "green", "index": 0}}},
        {"type": "range", "options": {"from": 0, "result": {"text": "low"}}},
        {"type": "range", "options": {"result": {"text": "nothing"}}},
        {"type": "special", "options": {"match": "null", "result": {"text": "n/a"}}},
        {"type": "regex", "options": {"pattern": "a.*", "result": {"text": "a"}}},
        {"id": 1, "type": 1, "value": "1", "text": "up"},  # Grafana 6: a number type
    ]
    made = converted(dashboard([panel(fieldConfig={"defaults": {"mappings": mappings}})]))
    assert viz(made)["spec"]["fieldConfig"]["defaults"]["mappings"] == [
        {"type": "value", "options": {"1": {"text": "up", "color": "green", "index": 0}}},
        {"type": "range", "options": {"from": 0, "to": None, "result": {"text": "low"}}},
        {"type": "special", "options": {"match": "null", "result": {"text": "n/a"}}},
        {"type": "regex", "options": {"pattern": "a.*", "result": {"text": "a"}}},
    ]
    prefix = "/panels/0/fieldConfig/defaults/mappings"
    assert report(made) == [
        (f"{prefix}/1/options/to", "changed", True),  # none: unbounded, written as null
        (f"{prefix}/2", "dropped", False),  # a range without from and to
        (f"{prefix}/5", "dropped", False),
    ]


# --- layout (convertToGridLayout, convertToRowsLayout, buildGridItemKind, buildRowKind) ---------


def test_panels_without_rows_make_one_grid_at_their_own_place() -> None:
    made = converted(dashboard([panel(1), panel(2, gridPos={"h": 4, "w": 6, "x": 12, "y": 3})]))
    assert made.spec["layout"]["kind"] == "GridLayout"
    assert [(i["x"], i["y"], i["width"], i["height"]) for i in items(made)] == [
        (0, 0, 12, 8),
        (12, 3, 6, 4),
    ]


def rows_model() -> dict[str, Any]:
    return dashboard(
        [
            panel(1, gridPos={"h": 3, "w": 24, "x": 0, "y": 0}),
            {
                "id": 2,
                "type": "row",
                "title": "A",
                "collapsed": False,
                "gridPos": {"h": 1, "w": 24, "x": 0, "y": 3},
                "panels": [],
            },
            panel(3, gridPos={"h": 8, "w": 12, "x": 0, "y": 4}),
            {
                "id": 4,
                "type": "row",
                "title": "B",
                "collapsed": True,
                "repeat": "env",
                "gridPos": {"h": 1, "w": 24, "x": 0, "y": 12},
                "panels": [panel(5, gridPos={"h": 6, "w": 24, "x": 0, "y": 13})],
            },
        ]
    )


def test_rows_hold_their_panels_below_their_header_the_first_panels_in_a_hidden_row() -> None:
    made = converted(rows_model())
    rows = made.spec["layout"]["spec"]["rows"]
    assert made.spec["layout"]["kind"] == "RowsLayout"
    assert [{k: v for k, v in r["spec"].items() if k != "layout"} for r in rows] == [
        {"title": "", "collapse": False, "hideHeader": True},
        {"title": "A", "collapse": False},
        {"title": "B", "collapse": True, "repeat": {"mode": "variable", "value": "env"}},
    ]
    assert [[(i["element"]["name"], i["y"]) for i in items(made, r)] for r in range(3)] == [
        [("panel-1", 0)],
        [("panel-3", 0)],  # y 4 under a row at 3
        [("panel-5", 0)],  # y 13 under a row at 12
    ]
    assert report(made) == []


def test_a_row_panel_without_gridpos_goes_to_the_top_of_its_row_at_grafanas_size() -> None:
    model = rows_model()
    model["panels"][3]["panels"][0].pop("gridPos")
    made = converted(model)
    assert items(made, 2) == [
        {
            "x": 0,
            "y": 0,
            "width": 6,
            "height": 3,
            "element": {"kind": "ElementReference", "name": "panel-5"},
        }
    ]
    assert report(made) == [("/panels/3/panels/0/gridPos", "changed", False)]
    assert note(made, "/panels/3/panels/0/gridPos").value == {"h": 3, "w": 6, "x": 0, "y": 13}


def test_a_panel_on_its_rows_line_is_placed_as_grafana_places_it() -> None:
    """yOffsetInRows: y - rowY - 1, which is -1 there: Grafana writes it, nothing refused."""
    model = rows_model()
    model["panels"][2]["gridPos"]["y"] = 3
    made = converted(model)
    assert items(made, 1)[0]["y"] == -1
    assert report(made) == []


def test_a_row_without_gridpos_places_its_panels_below_the_row_before() -> None:
    model = rows_model()
    del model["panels"][3]["gridPos"]
    model["panels"][3]["panels"][0]["gridPos"]["y"] = 5
    made = converted(model)
    assert items(made, 2)[0]["y"] == 1  # 5 - 3 - 1: legacyRowY is still row A's
    assert report(made) == [("/panels/3/gridPos", "changed", True)]


def test_the_first_panel_above_the_rows_starts_the_grid() -> None:
    model = rows_model()
    model["panels"][0]["gridPos"]["y"] = 1
    made = converted(model)
    assert items(made, 0)[0]["y"] == 0
    assert report(made) == [("/panels/0/gridPos/y", "changed", False)]


def test_what_a_row_has_besides_title_collapse_repeat_and_panels_is_dropped() -> None:
    model = rows_model()
    row = model["panels"][1]
    row.update(targets=[{"refId": "A"}], description="old", datasource=PROM, showTitle=True)
    made = converted(model)
    assert [(p, a) for p, a, _ in report(made)] == [
        ("/panels/1/datasource", "dropped"),
        ("/panels/1/description", "dropped"),
        ("/panels/1/showTitle", "dropped"),
        ("/panels/1/targets", "dropped"),
    ]
    assert all(n.grafana == f"{V1_V2} buildRowKind" for n in made.notes)


def test_panels_without_a_usable_id_get_the_next_free_one_depth_first() -> None:
    """ensurePanelsHaveUniqueIds: rows and their panels count; a later duplicate, 0, a
    string or no id get max + 1, + 2, … in the order of the panels."""
    model = rows_model()
    model["panels"][0]["id"] = 3  # the panel after the row (id 3) is now the duplicate
    model["panels"][3]["panels"][0]["id"] = "5"
    made = converted(model)
    assert sorted(made.spec["elements"]) == ["panel-3", "panel-5", "panel-6"]
    assert [(n.pointer, n.value) for n in made.notes] == [
        ("/panels/2/id", 5),
        ("/panels/3/panels/0/id", 6),
    ]
    assert items(made, 1)[0]["element"]["name"] == "panel-5"


def test_repeat_options_are_kept_as_grafana_reads_them() -> None:
    made = converted(dashboard([panel(repeat="job", repeatDirection="x", maxPerRow=0)]))
    assert items(made)[0]["repeat"] == {"mode": "variable", "value": "job"}
    assert report(made) == [
        ("/panels/0/repeatDirection", "dropped", False),
        ("/panels/0/maxPerRow", "dropped", True),  # 0: Grafana keeps it when above 0
    ]


# --- queries (transformPanelQueries, transformSingleQuery, buildQueryOptions) ------------------


def query_of(made: Converted, index: int = 0) -> dict[str, Any]:
    spec = made.spec["elements"]["panel-1"]["spec"]["data"]["spec"]
    query: dict[str, Any] = spec["queries"][index]["spec"]
    return query


def test_a_query_without_ref_id_gets_the_next_free_letter() -> None:
    targets = [{"refId": "A", "expr": "up"}, {"expr": "down"}]
    made = converted(dashboard([panel(datasource=PROM, targets=targets)]))
    assert query_of(made, 1)["refId"] == "B"
    assert report(made) == [("/panels/0/targets/1/refId", "changed", False)]


@pytest.mark.parametrize(
    ("panel_ds", "target_ds", "name", "changed"),
    [
        (PROM, {"type": "prometheus", "uid": "other"}, "prom", True),  # the panel's applies
        (PROM, {"type": "__expr__", "uid": "__expr__"}, "__expr__", False),  # expressions stay
        ({"type": "datasource", "uid": "-- Mixed --"}, PROM, "prom", False),  # mixed: its own
        (PROM, None, "prom", False),  # none: the panel's
        ({"type": "datasource"}, None, "grafana", True),  # the Grafana datasource's uid
        ("$ds", None, "$ds", True),  # a variable name: its uid, no type
    ],
)
def test_a_querys_datasource_is_the_panels_unless_mixed_or_an_expression(
    panel_ds: Any, target_ds: Any, name: str, changed: bool
) -> None:
    target = {"refId": "A", "expr": "up", **({"datasource": target_ds} if target_ds else {})}
    made = converted(dashboard([panel(datasource=panel_ds, targets=[target])]))
    assert query_of(made)["query"]["datasource"] == {"name": name}
    assert report(made) == (
        [("/panels/0/targets/0/datasource", "changed", False)] if changed else []
    )


def test_a_datasource_without_type_is_looked_up_by_uid_else_the_default() -> None:
    targets = [{"refId": "A", "datasource": {"uid": "loki-1"}}]
    made = converted(dashboard([panel(targets=targets)]), datasource_types={"loki-1": "loki"})
    assert query_of(made)["query"]["group"] == "loki"
    made = converted(dashboard([panel(targets=targets)]), default_type="elasticsearch")
    assert query_of(made)["query"]["group"] == "elasticsearch"


def test_query_options_are_kept_as_grafana_reads_them() -> None:
    fields: dict[str, Any] = {
        "maxDataPoints": "500",
        "interval": "",
        "hideTimeOverride": False,
        "queryCachingTTL": "60",
        "timeShift": "1h",
        "cacheTimeout": None,
    }
    made = converted(dashboard([panel(datasource=PROM, targets=[{"refId": "A"}], **fields)]))
    spec = made.spec["elements"]["panel-1"]["spec"]["data"]["spec"]
    assert spec["queryOptions"] == {"maxDataPoints": 500, "queryCachingTTL": 60, "timeShift": "1h"}
    assert report(made) == [
        ("/panels/0/cacheTimeout", "dropped", True),
        ("/panels/0/maxDataPoints", "changed", False),
        ("/panels/0/interval", "dropped", True),
        ("/panels/0/hideTimeOverride", "dropped", True),
        ("/panels/0/queryCachingTTL", "changed", False),
    ]


def test_a_transformation_keeps_id_options_disabled_and_filter_only() -> None:
    steps = [
        {
            "id": "organize",
            "options": {},
            "disabled": True,
            "topic": "annotations",
            "filter": {"id": "byRefId", "options": "A", "scope": "series"},
        }
    ]
    made = converted(dashboard([panel(transformations=steps)]))
    (step,) = made.spec["elements"]["panel-1"]["spec"]["data"]["spec"]["transformations"]
    assert step == {
        "kind": "Transformation",
        "group": "organize",
        "spec": {"disabled": True, "filter": {"id": "byRefId", "options": "A"}, "options": {}},
    }
    assert [(p, a) for p, a, _ in report(made)] == [
        ("/panels/0/transformations/0/topic", "dropped"),
        ("/panels/0/transformations/0/filter/scope", "dropped"),
    ]


def test_the_datasource_of_a_panel_without_queries_is_dropped() -> None:
    made = converted(dashboard([panel(type="text", datasource=PROM, options={"content": "x"})]))
    assert report(made) == [("/panels/0/datasource", "dropped", False)]


# --- variables (transformVariables, build*Variable) --------------------------------------------


def variables_of(made: Converted) -> list[dict[str, Any]]:
    return list(made.spec["variables"])


@pytest.mark.parametrize(
    ("hide", "name", "noted"),
    [
        (0, "dontHide", None),
        (1, "hideLabel", None),
        (2, "hideVariable", None),
        ("hideLabel", "hideLabel", True),
        (3, "dontHide", False),
        (True, "dontHide", False),
    ],
)
def test_hide_is_mapped_as_grafana_maps_it(hide: Any, name: str, noted: bool | None) -> None:
    """0, 1, 2 or their names (a name reads back as its number: an inert note); any other
    value is dontHide (hide 3 too: the conversion maps three numbers)."""
    var = {"type": "textbox", "name": "t", "query": "", "hide": hide}
    made = converted(dashboard(variables=[var]))
    assert variables_of(made)[0]["spec"]["hide"] == name
    expected = [] if noted is None else [("/templating/list/0/hide", "changed", noted)]
    assert report(made) == expected


def test_grafana_4s_hide_flags_are_dropped_hide_is_what_counts() -> None:
    var = {
        "type": "custom",
        "name": "c",
        "query": "a,b",
        "hide": 2,
        "hideVariable": True,
        "hideLabel": False,
    }
    made = converted(dashboard(variables=[var]))
    assert variables_of(made)[0]["spec"]["hide"] == "hideVariable"
    assert report(made) == [
        ("/templating/list/0/hideLabel", "dropped", True),
        ("/templating/list/0/hideVariable", "dropped", False),
    ]


def test_sort_and_refresh_numbers_grafana_does_not_map_become_the_first() -> None:
    var = {
        "type": "query",
        "name": "q",
        "datasource": PROM,
        "query": "up",
        "sort": 7,
        "refresh": True,
    }
    made = converted(dashboard(variables=[var]))
    spec = variables_of(made)[0]["spec"]
    assert (spec["sort"], spec["refresh"]) == ("disabled", "never")
    assert report(made) == [
        ("/templating/list/0/refresh", "changed", False),
        ("/templating/list/0/sort", "changed", False),
    ]
    var.update(sort="naturalAsc", refresh=2)
    spec = variables_of(converted(dashboard(variables=[var])))[0]["spec"]
    assert (spec["sort"], spec["refresh"]) == ("naturalAsc", "onTimeRangeChanged")


@pytest.mark.parametrize(
    ("query", "plugin", "noted"),
    [("prometheus", "prometheus", False), ("", "", False), (None, "loki", True)],
)
def test_a_datasource_variables_plugin_id_is_its_query(
    query: Any, plugin: str, noted: bool
) -> None:
    var = {"type": "datasource", "name": "ds", **({} if query is None else {"query": query})}
    made = converted(dashboard(variables=[var]), default_type="loki")
    assert variables_of(made)[0]["spec"]["pluginId"] == plugin
    assert report(made) == ([("/templating/list/0/query", "changed", False)] if noted else [])


def test_a_query_variables_query_and_datasource() -> None:
    variables = [
        {"type": "query", "name": "a", "datasource": PROM, "query": "label_values(job)"},
        {"type": "query", "name": "b", "datasource": PROM, "query": {"query": "up", "refId": "X"}},
        {"type": "query", "name": "c", "query": ""},  # no datasource: the default's type
    ]
    made = converted(dashboard(variables=variables))
    queries = [v["spec"]["query"] for v in variables_of(made)]
    assert queries == [
        {
            "kind": "DataQuery",
            "group": "prometheus",
            "version": "v0",
            "datasource": {"name": "prom"},
            "spec": {"__legacyStringValue": "label_values(job)"},
        },
        {
            "kind": "DataQuery",
            "group": "prometheus",
            "version": "v0",
            "datasource": {"name": "prom"},
            "spec": {"query": "up", "refId": "X"},
        },
        {"kind": "DataQuery", "group": "prometheus", "version": "v0", "spec": {}},
    ]
    assert report(made) == [("/templating/list/2/datasource", "changed", True)]


def test_constant_interval_custom_and_textbox_variables() -> None:
    variables = [
        {"type": "constant", "name": "k", "query": "lab", "hide": 2},
        {
            "type": "interval",
            "name": "i",
            "query": "",
            "options": [{"text": "1m", "value": "1m"}, {"text": "5m", "value": "5m"}],
            "refresh": 1,
        },
        {
            "type": "custom",
            "name": "c",
            "query": "a,b",
            "valuesFormat": "csv",
            "regex": "a",
            "sort": 1,
        },
        {"type": "textbox", "name": "t", "query": "x", "options": [{"text": "x", "value": "x"}]},
    ]
    made = converted(dashboard(variables=variables))
    constant, interval, custom, textbox = (v["spec"] for v in variables_of(made))
    assert constant["current"] == {"text": "lab", "value": "lab"}
    assert (
        interval["query"],
        interval["refresh"],
        interval["auto_min"],
        interval["auto_count"],
    ) == (
        "1m,5m",
        "onTimeRangeChanged",
        "",
        0,
    )
    assert custom["valuesFormat"] == "csv" and "regex" not in custom and "sort" not in custom
    assert "options" not in textbox
    assert [(p, a) for p, a, _ in report(made)] == [
        ("/templating/list/0/current", "changed"),
        ("/templating/list/1/query", "changed"),
        ("/templating/list/1/refresh", "changed"),
        ("/templating/list/1/auto", "changed"),
        ("/templating/list/1/auto_min", "changed"),
        ("/templating/list/1/auto_count", "changed"),
        ("/templating/list/2/regex", "dropped"),
        ("/templating/list/2/sort", "dropped"),
        ("/templating/list/3/options", "dropped"),
    ]


def test_a_variable_type_grafana_does_not_know_is_dropped() -> None:
    made = converted(dashboard(variables=[{"type": "system", "name": "s"}]))
    assert made.spec["variables"] == []
    assert report(made) == [("/templating/list/0", "dropped", False)]


def test_current_loses_selected_and_options_gain_it() -> None:
    var = {
        "type": "custom",
        "name": "c",
        "query": "a,b",
        "current": {"selected": True, "text": "a", "value": "a"},
        "options": [{"text": "a", "value": "a"}],
    }
    made = converted(dashboard(variables=[var]))
    spec = variables_of(made)[0]["spec"]
    assert spec["current"] == {"text": "a", "value": "a"}
    assert spec["options"] == [{"selected": False, "text": "a", "value": "a"}]
    assert report(made) == [("/templating/list/0/current/selected", "dropped", True)]


def test_ad_hoc_group_by_and_switch_variables() -> None:
    variables = [
        {
            "type": "adhoc",
            "name": "f",
            "datasource": PROM,
            "filters": [
                {"key": "job", "operator": "=", "value": "x"},
                {"key": "a", "value": "b", "origin": "scope"},
            ],
            "defaultKeys": ["job"],
        },
        {"type": "groupby", "name": "g", "datasource": PROM},
        {
            "type": "switch",
            "name": "s",
            "options": [{"text": "on", "value": "on"}, {"text": "off", "value": "off"}],
            "current": {"text": "on", "value": "on"},
        },
    ]
    made = converted(dashboard(variables=variables))
    adhoc, group_by, switch = variables_of(made)
    assert adhoc == {
        "kind": "AdhocVariable",
        "group": "prometheus",
        "datasource": {"name": "prom"},
        "spec": {
            "name": "f",
            "hide": "dontHide",
            "skipUrlSync": False,
            "baseFilters": [],
            "filters": [{"key": "job", "operator": "=", "value": "x"}],
            "defaultKeys": [{"text": "job", "value": "job"}],
            "allowCustomValue": True,
        },
    }
    assert group_by["spec"]["multi"] is True and group_by["group"] == "prometheus"
    assert switch["spec"] == {
        "name": "s",
        "hide": "dontHide",
        "skipUrlSync": False,
        "current": "on",
        "enabledValue": "on",
        "disabledValue": "off",
    }
    assert [(p, a) for p, a, _ in report(made)] == [
        ("/templating/list/0/filters/1", "dropped"),  # a scope's filter, not the dashboard's
        ("/templating/list/0/defaultKeys/0", "changed"),
        ("/templating/list/1/multi", "changed"),  # none: a group-by is multi
        ("/templating/list/2/options", "changed"),
    ]


@pytest.mark.parametrize("kind", ["adhoc", "groupby"])
def test_an_ad_hoc_or_group_by_variable_without_a_datasource_uid_is_refused(kind: str) -> None:
    """The one refusal: Grafana's v2alpha1 → v2beta1 step dereferences its datasource."""
    with pytest.raises(Unconvertible) as caught:
        convert(dashboard(variables=[{"type": kind, "name": "f", "datasource": {"type": "loki"}}]))
    assert caught.value.pointer == "/templating/list/0/datasource"
    assert "convertVariable_V2alpha1_to_V2beta1" in str(caught.value)


# --- annotations (buildAnnotationQuery) --------------------------------------------------------


def test_an_annotation_as_grafana_converts_it() -> None:
    annotations = [
        {
            "builtIn": 1,
            "datasource": {"type": "grafana", "uid": "-- Grafana --"},
            "enable": True,
            "hide": True,
            "iconColor": "red",
            "name": "Alerts",
            "type": "dashboard",
        },
        {
            "datasource": {"uid": "prom"},
            "name": "Deploys",
            "expr": "changes(x[5m])",
            "target": {"refId": "A", "expr": "x"},
            "filter": {"exclude": False, "ids": [1, 2]},
            "mappings": {"text": "msg"},
        },
    ]
    made = converted(dashboard(annotations=annotations))
    built_in, deploys = (a["spec"] for a in made.spec["annotations"])
    assert built_in["builtIn"] is True and built_in["legacyOptions"] == {"type": "dashboard"}
    assert built_in["query"] == {
        "kind": "DataQuery",
        "group": "grafana",
        "version": "v0",
        "datasource": {"name": "-- Grafana --"},
        "spec": {},
    }
    assert deploys["query"] == {
        "kind": "DataQuery",
        "group": "",
        "version": "v0",
        "spec": {"refId": "A", "expr": "x"},
    }
    assert (deploys["enable"], deploys["iconColor"], deploys["filter"]) == (
        False,
        "",
        {"ids": [1, 2]},
    )
    assert deploys["mappings"] == {"text": {"source": "field", "value": "msg"}}
    assert deploys["legacyOptions"] == {"expr": "changes(x[5m])"}
    assert [(p, a, i) for p, a, i in report(made)] == [
        ("/annotations/list/1/datasource", "dropped", False),  # a uid without a type
        ("/annotations/list/1/enable", "changed", False),
        ("/annotations/list/1/hide", "changed", True),
        ("/annotations/list/1/iconColor", "changed", True),
        ("/annotations/list/1/filter/exclude", "dropped", True),
        ("/annotations/list/1/mappings/text", "changed", False),
    ]


# --- the dashboard (convertDashboardSpec_V1beta1_to_V2alpha1, transformTimeSettings) -----------


def test_byte_order_marks_are_stripped_where_grafana_strips_them() -> None:
    bom = "\ufeff"
    fields = {
        "links": [{"title": "a", "url": f"{bom}https://a"}],
        "options": {"text": f"{bom}b"},
        "fieldConfig": {
            "defaults": {"links": [{"url": f"{bom}c"}]},
            "overrides": [
                {
                    "matcher": {"id": "byName", "options": "x"},
                    "properties": [{"id": "links", "value": [{"url": f"{bom}d"}]}],
                }
            ],
        },
    }
    made = converted(dashboard([panel(**fields)], links=[{"title": "e", "url": f"{bom}e"}]))
    assert bom not in json.dumps(made.spec, ensure_ascii=False)
    assert report(made) == [
        ("/links/0/url", "changed", False),
        ("/panels/0/links/0/url", "changed", False),
        ("/panels/0/options", "changed", False),
        ("/panels/0/fieldConfig/defaults/links", "changed", False),
        ("/panels/0/fieldConfig/overrides/0/properties/0/value", "changed", False),
    ]


def test_dashboard_keys_and_time_settings_grafana_does_not_read_are_dropped() -> None:
    model = dashboard(
        gnetId=None,
        style="dark",
        refresh=False,
        weekStart="",
        timepicker={
            "time_options": ["5m"],
            "quick_ranges": [{"display": "Last 5m", "from": "now-5m", "to": "now"}],
        },
    )
    made = converted(model)
    assert made.spec["timeSettings"]["quickRanges"] == [
        {"display": "Last 5m", "from": "now-5m", "to": "now"}
    ]
    assert (made.spec["timeSettings"]["from"], made.spec["timeSettings"]["to"]) == ("now-6h", "now")
    assert report(made) == [
        ("/gnetId", "dropped", True),
        ("/style", "dropped", False),
        ("/timepicker/time_options", "dropped", False),
        ("/refresh", "dropped", True),
        ("/weekStart", "dropped", True),
    ]


# --- the report --------------------------------------------------------------------------------


def test_expected_v1_removes_and_replaces_exactly_what_the_notes_say() -> None:
    model = {"a": [1, 2, {"b": 3}], "c": {"d": 4, "e/f": 5}}
    notes = [
        Note("/a/0", "dropped", "", ""),
        Note("/a/2/b", "changed", "", "", 9),
        Note("/c/e~1f", "dropped", "", ""),
        Note("/c", "moved", "", ""),
    ]
    assert expected_v1(model, notes) == {"a": [2, {"b": 9}], "c": {"d": 4}}
    assert model == {"a": [1, 2, {"b": 3}], "c": {"d": 4, "e/f": 5}}


def test_the_summary_prints_what_matters_and_counts_the_rest() -> None:
    notes = [
        DashboardNote("u", Note("/style", "dropped", "dashboard key 'style'", "x.go f")),
        DashboardNote("u", Note("/gnetId", "dropped", "gnetId", "x.go f", inert=True)),
        DashboardNote("u", Note("/a", "dropped", "a", "x.go f", inert=True)),
    ]
    assert summary_lines(notes) == [
        "v2 conversion u /style: dropped dashboard key 'style' (Grafana: x.go f)",
        "v2 conversion u: 2 value(s) without effect not carried as they were, as Grafana's "
        "converter does (--json lists them)",
    ]


def test_the_read_back_fails_without_the_report() -> None:
    """The report is what makes the read-back pass: without it, each note is a finding."""
    model = dashboard([panel(type="graph", lines=True)], style="dark")
    made = convert(model)
    found = validate_resource("g.json", resource("g", made.spec, "f"), model, [])
    assert sorted(f.message for f in found) == [
        "read back as v1, /panels/0/autoMigrateFrom appears in schema v2 ('graph')",
        "read back as v1, /panels/0/type is 'timeseries' in schema v2 but 'graph' in the v1 model",
        "read back as v1, /style is lost in schema v2",
    ]


# --- grafana-foundation-sdk's own v2 model ---------------------------------------------------


def test_the_sdks_v2_model_reads_every_converted_dashboard_and_finds_what_it_does_not_know() -> (
    None
):
    made = converted(rows_model())
    assert sdk_differences(made.spec) == []
    spec = copy.deepcopy(made.spec)
    spec["timeSettings"]["bogus"] = 1
    spec["elements"]["panel-3"]["spec"]["vizConfig"]["spec"]["fieldConfig"]["defaults"]["fancy"] = 2
    assert sdk_differences(spec) == [
        (
            [
                "spec",
                "elements",
                "panel-3",
                "spec",
                "vizConfig",
                "spec",
                "fieldConfig",
                "defaults",
                "fancy",
            ],
            "is lost when grafana-foundation-sdk reads the spec",
        ),
        (["spec", "timeSettings", "bogus"], "is lost when grafana-foundation-sdk reads the spec"),
    ]
    found = validate_resource("g.json", resource("g", spec, "f"))
    assert [f.pointer for f in found] == [
        "/spec/elements/panel-3/spec/vizConfig/spec/fieldConfig/defaults/fancy",
        "/spec/timeSettings/bogus",
    ]


# --- old dashboards, migrated to v42, converted ------------------------------------------------


def old_export() -> dict[str, Any]:
    """What a Grafana 6-10 export looks like once migrated to schema 42 (our own construction):
    a graph with its Angular options, a singlestat migrated to stat, an old text panel,
    table-old, a collapsed row with a panel without gridPos, a row with targets."""
    return {
        "uid": "old-export",
        "title": "Old export",
        "schemaVersion": 42,
        "editable": True,
        "time": {"from": "now-1h", "to": "now"},
        "refresh": "30s",
        "gnetId": None,
        "templating": {
            "list": [
                {
                    "type": "datasource",
                    "name": "ds",
                    "query": "prometheus",
                    "current": {"text": "Prometheus", "value": "prom"},
                    "hide": 0,
                },
                {
                    "type": "query",
                    "name": "job",
                    "datasource": {"type": "prometheus", "uid": "${ds}"},
                    "query": {"query": "label_values(up, job)", "refId": "A"},
                    "refresh": 1,
                    "sort": 1,
                    "multi": True,
                    "includeAll": True,
                    "current": {"text": ["All"], "value": ["$__all"]},
                    "options": [],
                    "tags": [],
                },
            ]
        },
        "annotations": {
            "list": [
                {
                    "builtIn": 1,
                    "datasource": {"type": "grafana", "uid": "-- Grafana --"},
                    "enable": True,
                    "hide": True,
                    "iconColor": "rgba(0, 211, 255, 1)",
                    "name": "Annotations & Alerts",
                    "type": "dashboard",
                }
            ]
        },
        "panels": [
            {
                "id": 1,
                "type": "graph",
                "title": "Requests",
                "datasource": {"type": "prometheus", "uid": "${ds}"},
                "gridPos": {"h": 8, "w": 12, "x": 0, "y": 0},
                "lines": True,
                "linewidth": 1,
                "fill": 1,
                "legend": {"show": True, "values": False},
                "xaxis": {"mode": "time", "show": True},
                "yaxes": [{"format": "reqps"}, {"format": "short"}],
                "targets": [
                    {
                        "refId": "A",
                        "expr": 'sum(rate(http_requests_total{job=~"$job"}[5m]))',
                        "datasource": {"type": "prometheus", "uid": "${ds}"},
                    }
                ],
            },
            {
                "id": 2,
                "type": "stat",
                "autoMigrateFrom": "singlestat",
                "title": "Up",
                "datasource": {"type": "prometheus", "uid": "${ds}"},
                "gridPos": {"h": 8, "w": 6, "x": 12, "y": 0},
                "valueName": "current",
                "format": "none",
                "options": {"reduceOptions": {"calcs": ["lastNotNull"]}},
                "fieldConfig": {
                    "defaults": {
                        "thresholds": {
                            "mode": "absolute",
                            "steps": [{"color": "red"}, {"color": "green", "value": 1}],
                        }
                    },
                    "overrides": [],
                },
                "targets": [
                    {
                        "refId": "A",
                        "expr": "up",
                        "datasource": {"type": "prometheus", "uid": "${ds}"},
                    }
                ],
            },
            {
                "id": 3,
                "type": "text",
                "title": "Notes",
                "gridPos": {"h": 8, "w": 6, "x": 18, "y": 0},
                "content": "Read **me**",
                "mode": "markdown",
            },
            {
                "id": 4,
                "type": "row",
                "title": "Tables",
                "collapsed": True,
                "gridPos": {"h": 1, "w": 24, "x": 0, "y": 8},
                "targets": [{"refId": "A"}],
                "datasource": None,
                "panels": [
                    {
                        "id": 5,
                        "type": "table-old",
                        "title": "Old table",
                        "datasource": {"type": "prometheus", "uid": "${ds}"},
                        "styles": [{"pattern": "/.*/", "type": "number"}],
                        "transform": "timeseries_to_rows",
                        "targets": [
                            {
                                "refId": "A",
                                "expr": "up",
                                "datasource": {"type": "prometheus", "uid": "${ds}"},
                            }
                        ],
                    },
                ],
            },
            {
                "id": 6,
                "type": "row",
                "title": "More",
                "collapsed": False,
                "gridPos": {"h": 1, "w": 24, "x": 0, "y": 9},
                "panels": [],
            },
            {
                "id": 7,
                "type": "timeseries",
                "title": "Latency",
                "datasource": {"type": "prometheus", "uid": "${ds}"},
                "gridPos": {"h": 8, "w": 24, "x": 0, "y": 10},
                "fieldConfig": {"defaults": {"unit": "s"}, "overrides": []},
                "options": {"legend": {"showLegend": True}},
                "targets": [
                    {
                        "refId": "A",
                        "expr": "histogram_quantile(0.99, sum by (le) (rate(x_bucket[5m])))",
                        "datasource": {"type": "prometheus", "uid": "${ds}"},
                    }
                ],
            },
        ],
    }


def test_an_old_export_migrated_to_v42_converts_and_validates() -> None:
    model = old_export()
    made = converted(model)
    assert sdk_differences(made.spec) == []
    assert {name: viz(made, name)["group"] for name in made.spec["elements"]} == {
        "panel-1": "timeseries",
        "panel-2": "stat",
        "panel-3": "text",
        "panel-5": "table",
        "panel-7": "timeseries",
    }
    rows = made.spec["layout"]["spec"]["rows"]
    assert [(r["spec"]["title"], r["spec"]["collapse"]) for r in rows] == [
        ("", False),
        ("Tables", True),
        ("More", False),
    ]
    assert items(made, 1) == [
        {
            "x": 0,
            "y": 0,
            "width": 6,
            "height": 3,
            "element": {"kind": "ElementReference", "name": "panel-5"},
        }
    ]
    assert viz(made, "panel-3")["spec"]["options"]["__angularMigration"]["originalOptions"] == {
        "content": "Read **me**",
        "mode": "markdown",
    }
    assert viz(made, "panel-2")["spec"]["fieldConfig"]["defaults"]["thresholds"]["steps"][0] == {
        "value": None,
        "color": "red",
    }
    assert report(made) == [
        ("/gnetId", "dropped", True),
        ("/panels/0/type", "changed", False),
        ("/panels/0/autoMigrateFrom", "changed", False),
        ("/panels/0", "moved", False),  # lines, legend, xaxis, … for the graph's migration
        ("/panels/1", "moved", False),  # valueName, format for singlestat's
        ("/panels/1/fieldConfig/defaults/thresholds/steps/0/value", "changed", True),
        ("/panels/2", "moved", False),  # content, mode for the text panel's
        ("/panels/3/datasource", "dropped", True),
        ("/panels/3/targets", "dropped", False),
        ("/panels/3/panels/0/type", "changed", False),
        ("/panels/3/panels/0/autoMigrateFrom", "changed", False),
        ("/panels/3/panels/0", "moved", False),
        ("/panels/3/panels/0/gridPos", "changed", False),
        ("/templating/list/1/tags", "dropped", True),
    ]


# --- build, validate, push ---------------------------------------------------------------------


def extra_for_v2() -> dict[str, Any]:
    """An extra dashboard valid as v1 whose v2 conversion has something to report."""
    ds = {"type": "prometheus", "uid": "${datasource}"}
    return dashboard(
        [
            panel(
                datasource=ds,
                targets=[
                    {"refId": "A", "expr": "sum(rate(http_requests_total[5m]))", "datasource": ds}
                ],
                transformations=[{"id": "organize", "options": {}, "topic": "series"}],
            )
        ],
        [
            {
                "type": "datasource",
                "name": "datasource",
                "query": "prometheus",
                "current": {"text": "Prometheus", "value": "prom-test"},
            },
            {
                "type": "query",
                "name": "job",
                "datasource": ds,
                "query": "label_values(up, job)",
                "definition": "label_values(up, job)",
                "refresh": 1,
                "sort": 7,
                "current": {"text": "a", "value": "a"},
            },
        ],
        uid="v2-notes",
    )


def test_build_schema_v2_prints_the_report_and_lists_it_in_json(
    run_cli: Any, tmp_path: Path
) -> None:
    extras = tmp_path / "extras"
    extras.mkdir()
    (extras / "notes.json").write_text(json.dumps(extra_for_v2()))
    out = tmp_path / "provisioning"
    args = ["build", "--registry", str(FIXTURE), "--out", str(out), "--extras", str(extras)]
    args += waived(tmp_path, "v2-notes")  # every build lints it: the house rules waived
    result: Result = run_cli(*args, "--schema", "v2")
    assert result.exit_code == 0, result.stderr
    lines = [line for line in result.stdout.splitlines() if line.startswith("v2 conversion")]
    assert lines == [
        "v2 conversion v2-notes /panels/0/transformations/0/topic: dropped transformation key "
        "'topic' ('series'): not read by the conversion (Grafana: "
        "conversion/v1beta1_to_v2alpha1.go transformPanelTransformations)",
        "v2 conversion v2-notes /templating/list/1/sort: changed sort 7 → disabled (Grafana: "
        "conversion/v1beta1_to_v2alpha1.go transformVariableSortToEnum)",
        "v2 conversion tse-devops-docker: 4 value(s) without effect not carried as they were, "
        "as Grafana's converter does (--json lists them)",
        "v2 conversion tse-simulation-entity: 4 value(s) without effect not carried as they "
        "were, as Grafana's converter does (--json lists them)",
    ]
    assert (out / V2_DIR / "extra-notes.json").is_file()
    assert run_cli("validate", "--out", str(out)).exit_code == 0  # the report, computed again
    as_json = run_cli(*args, "--schema", "v2", "--rebuild", "--json")
    assert as_json.exit_code == 0, as_json.stderr
    notes = json.loads(as_json.stdout)["v2_conversion"]
    assert [n for n in notes if n["uid"] == "v2-notes"] == [
        {
            "uid": "v2-notes",
            "pointer": "/panels/0/transformations/0/topic",
            "action": "dropped",
            "detail": "transformation key 'topic' ('series'): not read by the conversion",
            "grafana": "conversion/v1beta1_to_v2alpha1.go transformPanelTransformations",
            "inert": False,
        },
        {
            "uid": "v2-notes",
            "pointer": "/templating/list/1/sort",
            "action": "changed",
            "detail": "sort 7 → disabled",
            "grafana": "conversion/v1beta1_to_v2alpha1.go transformVariableSortToEnum",
            "inert": False,
            "value": 0,
        },
    ]
    assert len(notes) == 2 + 8  # and the inert ones of our two dashboards, listed
    plain = run_cli(*args, "--rebuild", "--json")
    assert json.loads(plain.stdout)["v2_conversion"] == []


def test_examples_extras_convert_and_validate(run_cli: Any, tmp_path: Path) -> None:
    out = tmp_path / "provisioning"
    extras = ROOT / "examples" / "extras"
    result = run_cli(
        "build",
        "--registry",
        str(FIXTURE),
        "--out",
        str(out),
        "--extras",
        str(extras),
        "--schema",
        "v2",
    )
    assert result.exit_code == 0, result.stderr
    assert len(list((out / V2_DIR).glob("*.json"))) == 6
    assert run_cli("validate", "--out", str(out)).exit_code == 0


def test_push_schema_v2_prints_the_report_and_lists_it_in_json(
    run_cli: Any, grafana: GrafanaDouble, out: Path
) -> None:
    text = run_cli("push", "--out", str(out), "--schema", "v2", "--dry-run", env=env(grafana))
    assert text.exit_code == 0, text.stderr
    assert "v2 conversion tse-devops-docker: 4 value(s) without effect" in text.stderr
    res = run_cli("push", "--out", str(out), "--schema", "v2", "--json", env=env(grafana))
    assert res.exit_code == 0, res.stderr
    notes = json.loads(res.stdout)["v2_conversion"]
    assert {(n["uid"], n["pointer"], n["action"], n["inert"]) for n in notes} == {
        (uid, f"/templating/list/{i}/current/selected", "dropped", True)
        for uid in ("tse-devops-docker", "tse-simulation-entity")
        for i in range(4)
    }
    plain = run_cli("push", "--out", str(out), "--json", env=env(grafana))
    assert "v2_conversion" not in json.loads(plain.stdout)

"""Field config, queries and annotations as Grafana's v1 → v2 conversion maps them
(conversion/v1beta1_to_v2alpha1.go: buildFieldColor, buildThresholdsConfig, buildValueMappings,
extractFieldConfigOverrides, convertActionsToV2, transformPanelQueries, buildQueryOptions,
buildAnnotationQuery): table cases, each asserting the exact value the branch decides and the
report entry (pointer, action, inert) where the conversion records a drop or a change."""

from __future__ import annotations

from typing import Any

import pytest

from tsedash.dashv2.context import Context
from tsedash.dashv2.convert import Converted, convert
from tsedash.dashv2.fieldconfig import field_config

PROM = {"type": "prometheus", "uid": "prom"}
Notes = list[tuple[str, str, bool]]


def fields(source: Any) -> tuple[dict[str, Any], Notes, Context]:
    """field_config on its own, at a panel's pointer, and its report."""
    ctx = Context("prometheus", {})
    out = field_config(ctx, source, "/p")
    return out, [(n.pointer, n.action, n.inert) for n in ctx.notes], ctx


def report(made: Converted) -> Notes:
    return [(n.pointer, n.action, n.inert) for n in made.notes]


def dashboard(panels: list[Any] | None = None, annotations: Any = None) -> dict[str, Any]:
    return {
        "uid": "f",
        "title": "F",
        "schemaVersion": 42,
        "panels": panels or [],
        "annotations": {"list": annotations or []},
    }


def panel(**keys: Any) -> dict[str, Any]:
    return {
        "id": 1,
        "type": "timeseries",
        "title": "P",
        "gridPos": {"h": 8, "w": 12, "x": 0, "y": 0},
        **keys,
    }


def data(made: Converted) -> dict[str, Any]:
    spec: dict[str, Any] = made.spec["elements"]["panel-1"]["spec"]["data"]["spec"]
    return spec


# --- extractFieldConfigSource / extractFieldConfigDefaults ------------------------------------


@pytest.mark.parametrize(
    ("source", "expected", "notes"),
    [
        # no object: Grafana's empty field config, the value noted as dropped
        ("x", {"defaults": {"custom": {}}, "overrides": []}, [("/p", "dropped", False)]),
        # defaults of no object: dropped, `custom: {}` as for none
        (
            {"defaults": [1]},
            {"defaults": {"custom": {}}, "overrides": []},
            [("/p/defaults", "dropped", False)],
        ),
        # a key extractFieldConfigSource does not read
        (
            {"defaults": {}, "overrides": [], "extra": 1},
            {"defaults": {"custom": {}}, "overrides": []},
            [("/p/extra", "dropped", False)],
        ),
    ],
)
def test_field_config_of_no_object(source: Any, expected: Any, notes: Notes) -> None:
    out, found, _ = fields(source)
    assert out == expected
    assert found == notes


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("decimals", "2"),
        ("min", True),  # a bool is no number
        ("unit", 5),
        ("filterable", "yes"),
        ("links", {}),
        ("custom", []),
    ],
)
def test_a_default_not_of_its_type_is_dropped_and_custom_stays_empty(key: str, value: Any) -> None:
    out, found, ctx = fields({"defaults": {key: value}})
    assert out["defaults"] == {"custom": {}}
    assert found == [(f"/p/defaults/{key}", "dropped", False)]
    assert ": not a " in ctx.notes[0].detail


def test_a_color_or_thresholds_of_no_object_is_dropped() -> None:
    out, found, _ = fields({"defaults": {"color": "red", "thresholds": 3}})
    assert out["defaults"] == {"custom": {}}
    assert found == [
        ("/p/defaults/color", "dropped", False),
        ("/p/defaults/thresholds", "dropped", False),
    ]


# --- buildFieldColor ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("color", "expected", "notes"),
    [
        ({"mode": "fixed", "fixedColor": "red"}, {"mode": "fixed", "fixedColor": "red"}, []),
        (
            {"mode": "palette-classic", "seriesBy": "max"},
            {"mode": "palette-classic", "seriesBy": "max"},
            [],
        ),
        (
            {"fixedColor": "red"},
            {"mode": "", "fixedColor": "red"},
            [("/p/defaults/color/mode", "changed", False)],
        ),
        ({"mode": 3}, {"mode": ""}, [("/p/defaults/color/mode", "changed", False)]),
        (
            {"mode": "fixed", "fixedColor": 1},
            {"mode": "fixed"},
            [("/p/defaults/color/fixedColor", "dropped", False)],
        ),
        (
            {"mode": "fixed", "seriesBy": None},
            {"mode": "fixed"},
            [("/p/defaults/color/seriesBy", "dropped", False)],
        ),
        (
            {"mode": "fixed", "shade": ""},
            {"mode": "fixed"},
            [("/p/defaults/color/shade", "dropped", True)],
        ),
    ],
)
def test_color_as_build_field_color_maps_it(
    color: dict[str, Any], expected: Any, notes: Notes
) -> None:
    out, found, _ = fields({"defaults": {"color": color}})
    # a color object counts as a default: no `custom: {}` added
    assert out["defaults"] == {"color": expected}
    assert found == notes


# --- buildThresholdsConfig -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("thresholds", "expected", "notes"),
    [
        (
            {
                "mode": "absolute",
                "steps": [{"color": "green", "value": None}, {"color": "red", "value": 80}],
            },
            {
                "mode": "absolute",
                "steps": [{"value": None, "color": "green"}, {"value": 80, "color": "red"}],
            },
            [],
        ),
        # no mode: "" ; no steps: [] (inert: there were none)
        (
            {},
            {"mode": "", "steps": []},
            [
                ("/p/defaults/thresholds/mode", "changed", False),
                ("/p/defaults/thresholds/steps", "changed", True),
            ],
        ),
        # steps of no list: [] and not inert
        (
            {"mode": "percentage", "steps": "x"},
            {"mode": "percentage", "steps": []},
            [("/p/defaults/thresholds/steps", "changed", False)],
        ),
        # a step of no object is dropped
        (
            {"mode": "absolute", "steps": [5, {"color": "red", "value": 1}]},
            {"mode": "absolute", "steps": [{"value": 1, "color": "red"}]},
            [("/p/defaults/thresholds/steps/0", "dropped", False)],
        ),
        # a value of no number: the base step (null), noted as a change
        (
            {"mode": "absolute", "steps": [{"color": "red", "value": "80"}]},
            {"mode": "absolute", "steps": [{"value": None, "color": "red"}]},
            [("/p/defaults/thresholds/steps/0/value", "changed", False)],
        ),
        # no color: "" ; an unread step key
        (
            {"mode": "absolute", "steps": [{"value": 1, "state": "x"}]},
            {"mode": "absolute", "steps": [{"value": 1, "color": ""}]},
            [
                ("/p/defaults/thresholds/steps/0/state", "dropped", False),
                ("/p/defaults/thresholds/steps/0/color", "changed", False),
            ],
        ),
    ],
)
def test_thresholds_as_build_thresholds_config_maps_them(
    thresholds: Any, expected: Any, notes: Notes
) -> None:
    out, found, _ = fields({"defaults": {"thresholds": thresholds}})
    assert out["defaults"] == {"thresholds": expected}
    assert found == notes


# --- buildValueMappings ------------------------------------------------------------------------


def result(text: str) -> dict[str, Any]:
    return {"text": text}


@pytest.mark.parametrize(
    ("mapping", "expected", "notes"),
    [
        # a value map's options of no object: options null
        ({"type": "value", "options": 3}, {"type": "value", "options": None}, []),
        # a value map result of no object is dropped
        (
            {"type": "value", "options": {"1": {"text": "one", "index": 0.0}, "2": "two"}},
            {"type": "value", "options": {"1": {"text": "one", "index": 0}}},
            [("/p/defaults/mappings/0/options/2", "dropped", False)],
        ),
        # a range: a bound of no number is unbounded (null), noted inert
        (
            {"type": "range", "options": {"from": "a", "to": 10, "result": result("low")}},
            {"type": "range", "options": {"from": None, "to": 10, "result": {"text": "low"}}},
            [("/p/defaults/mappings/0/options/from", "changed", True)],
        ),
        # a range without both bounds is skipped
        (
            {"type": "range", "options": {"result": result("x")}},
            None,
            [("/p/defaults/mappings/0", "dropped", False)],
        ),
        # a regex map, its options may be empty: pattern ""
        (
            {"type": "regex", "options": {}},
            {"type": "regex", "options": {"pattern": "", "result": {}}},
            [],
        ),
        (
            {
                "type": "special",
                "options": {"match": "null", "result": {"color": "red", "icon": "i"}},
            },
            {
                "type": "special",
                "options": {"match": "null", "result": {"color": "red", "icon": "i"}},
            },
            [],
        ),
        # empty options of a special map, an unknown type, no type: skipped
        ({"type": "special", "options": {}}, None, [("/p/defaults/mappings/0", "dropped", False)]),
        (
            {"type": "other", "options": {"a": 1}},
            None,
            [("/p/defaults/mappings/0", "dropped", False)],
        ),
        ({"options": {}}, None, [("/p/defaults/mappings/0", "dropped", False)]),
        # an unread mapping key and an unread result key
        (
            {
                "type": "special",
                "options": {"match": "nan", "result": {"text": "t", "x": 1}},
                "id": 2,
            },
            {"type": "special", "options": {"match": "nan", "result": {"text": "t"}}},
            [
                ("/p/defaults/mappings/0/options/result/x", "dropped", False),
                ("/p/defaults/mappings/0/id", "dropped", False),
            ],
        ),
    ],
)
def test_a_value_mapping_as_build_value_mappings_maps_it(
    mapping: Any, expected: Any, notes: Notes
) -> None:
    out, found, _ = fields({"defaults": {"mappings": [mapping]}})
    # any `mappings` key counts as a default: no `custom: {}`, even when none is kept
    assert out["defaults"] == ({"mappings": [expected]} if expected else {})
    assert found == notes


@pytest.mark.parametrize(("mappings", "inert"), [([], True), ({}, True), ("x", False)])
def test_mappings_empty_or_of_no_list_are_dropped(mappings: Any, inert: bool) -> None:
    out, found, _ = fields({"defaults": {"mappings": mappings}})
    assert out["defaults"] == {}
    assert found == [("/p/defaults/mappings", "dropped", inert)]


# --- extractFieldConfigOverrides ---------------------------------------------------------------


def test_overrides_keep_matcher_properties_and_system_ref() -> None:
    overrides = [
        {
            "matcher": {"id": "byName", "options": "cpu"},
            "properties": [{"id": "unit", "value": "percent"}, "junk"],
            "__systemRef": "hideSeriesFrom",
        },
        {"matcher": {"id": "byType", "options": None}, "properties": "x"},
        7,
        {"matcher": {"id": "byName", "extra": 1}, "properties": [], "note": ""},
    ]
    out, found, _ = fields({"defaults": {}, "overrides": overrides})
    assert out["overrides"] == [
        {
            "matcher": {"id": "byName", "options": "cpu"},
            "properties": [{"id": "unit", "value": "percent"}],
            "__systemRef": "hideSeriesFrom",
        },
        {"matcher": {"id": "byType"}, "properties": []},
        {"matcher": {"id": "byName"}, "properties": []},
    ]
    assert found == [
        ("/p/overrides/2", "dropped", False),
        ("/p/overrides/3/note", "dropped", True),
        ("/p/overrides/3/matcher/extra", "dropped", False),
    ]


def test_overrides_of_no_list_become_none() -> None:
    out, found, _ = fields({"overrides": {"a": 1}})
    assert out["overrides"] == []
    assert found == [("/p/overrides", "changed", False)]


# --- convertActionsToV2 ------------------------------------------------------------------------


def test_actions_keep_type_title_and_their_typed_options() -> None:
    actions = [
        {
            "type": "fetch",
            "title": "Halt",
            "confirmation": "Sure?",
            "oneClick": True,
            "fetch": {
                "method": "POST",
                "url": "http://x/halt",
                "body": "{}",
                "queryParams": [["a", "1"], "bad"],
                "headers": [["h", 2]],
            },
            "variables": [{"key": "k", "name": "n", "type": "string"}, 3],
            "style": {"backgroundColor": "red"},
        },
        {
            "type": "infinity",
            "title": "",
            "infinity": {"method": "GET", "url": "u", "datasourceUid": "inf"},
            "style": {"backgroundColor": 1},
        },
        "junk",
    ]
    out, found, _ = fields({"defaults": {"actions": actions}})
    assert out["defaults"]["actions"] == [
        {
            "type": "fetch",
            "title": "Halt",
            "confirmation": "Sure?",
            "oneClick": True,
            "fetch": {
                "method": "POST",
                "url": "http://x/halt",
                "body": "{}",
                "queryParams": [["a", "1"]],
                "headers": [["h"]],
            },
            "variables": [{"key": "k", "name": "n", "type": "string"}],
            "style": {"backgroundColor": "red"},
        },
        {
            "type": "infinity",
            "title": "",
            "infinity": {"method": "GET", "url": "u", "datasourceUid": "inf"},
            "style": {},
        },
    ]
    assert found == [("/p/defaults/actions/2", "dropped", False)]


def test_actions_none_of_them_objects_leave_no_actions_key() -> None:
    out, found, _ = fields({"defaults": {"actions": [1, "x"]}})
    # the list itself was a default of its type: no `custom: {}` either
    assert out["defaults"] == {}
    assert found == [
        ("/p/defaults/actions/0", "dropped", False),
        ("/p/defaults/actions/1", "dropped", False),
    ]


# --- transformPanelQueries, transformSingleQuery ------------------------------------------------


def query(made: Converted, index: int = 0) -> dict[str, Any]:
    spec: dict[str, Any] = data(made)["queries"][index]["spec"]
    return spec


@pytest.mark.parametrize(
    ("panel_ds", "target_ds", "group", "name"),
    [
        # a panel datasource with a uid and no type: its type by uid, else the default
        ({"uid": "loki1"}, None, "loki", "loki1"),
        ({"uid": "unknown"}, None, "prometheus", "unknown"),
        # an empty panel datasource applies nothing: the query's own
        ({}, {"uid": "loki1"}, "loki", "loki1"),
        # a query's datasource of type "datasource" without uid: Grafana's own
        (None, {"type": "datasource"}, "datasource", "grafana"),
        # a query's datasource given as a variable name: its uid, no type
        (None, "${ds}", "", "${ds}"),
        # a mixed panel of type "datasource", a query without its own: Grafana's datasource
        ({"type": "datasource", "uid": "-- Mixed --"}, None, "datasource", "grafana"),
    ],
)
def test_a_querys_datasource_as_transform_single_query_decides(
    panel_ds: Any, target_ds: Any, group: str, name: str
) -> None:
    target = {"refId": "A", **({"datasource": target_ds} if target_ds is not None else {})}
    keys = {"datasource": panel_ds} if panel_ds is not None else {}
    made = convert(dashboard([panel(targets=[target], **keys)]), datasource_types={"loki1": "loki"})
    assert query(made)["query"]["group"] == group
    assert query(made)["query"]["datasource"] == {"name": name}


@pytest.mark.parametrize(
    ("keys", "notes"),
    [
        # targets of no list: dropped (inert when empty), and the panel's datasource with them
        ({"targets": "x"}, [("/panels/0/targets", "dropped", False)]),
        (
            {"targets": None, "datasource": PROM},
            [("/panels/0/targets", "dropped", True), ("/panels/0/datasource", "dropped", False)],
        ),
        # no targets at all: the panel's datasource has no query to go to
        ({"targets": [], "datasource": PROM}, [("/panels/0/datasource", "dropped", False)]),
    ],
)
def test_a_panel_without_queries_drops_its_datasource(keys: dict[str, Any], notes: Notes) -> None:
    made = convert(dashboard([panel(**keys)]))
    assert data(made)["queries"] == []
    assert report(made) == notes


def test_a_target_of_no_object_is_dropped_and_hide_of_no_bool_is_not_hidden() -> None:
    targets = ["up", {"refId": "A", "expr": "up", "hide": "yes", "datasource": PROM}]
    made = convert(dashboard([panel(datasource=PROM, targets=targets)]))
    (only,) = data(made)["queries"]
    assert only["spec"]["refId"] == "A"
    assert only["spec"]["hidden"] is False
    assert only["spec"]["query"]["spec"] == {"expr": "up"}
    assert report(made) == [
        ("/panels/0/targets/0", "dropped", False),
        ("/panels/0/targets/1/hide", "dropped", False),
    ]


def test_transformations_of_no_object_disabled_false_and_filter_of_no_object() -> None:
    steps = [
        3,
        {"id": "reduce", "options": {}, "disabled": False, "filter": None},
        {"id": "merge", "disabled": "no", "filter": "x"},
    ]
    made = convert(
        dashboard([panel(datasource=PROM, targets=[{"refId": "A"}], transformations=steps)])
    )
    found = [t["spec"] for t in data(made)["transformations"]]
    assert [t["group"] for t in data(made)["transformations"]] == ["reduce", "merge"]
    assert all("disabled" not in t and "filter" not in t for t in found)
    assert report(made) == [
        ("/panels/0/transformations/0", "dropped", False),
        ("/panels/0/transformations/1/disabled", "dropped", True),
        ("/panels/0/transformations/1/filter", "dropped", True),
        ("/panels/0/transformations/2/disabled", "dropped", False),
        ("/panels/0/transformations/2/filter", "dropped", False),
    ]


@pytest.mark.parametrize(
    ("key", "value", "kept", "action"),
    [
        ("queryCachingTTL", 60.0, 60, None),  # a number: its whole part, equal
        ("queryCachingTTL", " 120", 120, "changed"),  # digits in a string: the number
        ("queryCachingTTL", "-5", -5, "changed"),
        ("queryCachingTTL", "soon", None, "dropped"),
        ("maxDataPoints", 0, None, "dropped"),  # numbers above 0 only
        ("maxDataPoints", 500, 500, None),
        ("hideTimeOverride", False, None, "dropped"),  # a true flag only
        ("timeFrom", "", None, "dropped"),  # strings that are not empty
        ("timeShift", "1h", "1h", None),
    ],
)
def test_query_options_as_build_query_options_keeps_them(
    key: str, value: Any, kept: Any, action: str | None
) -> None:
    made = convert(dashboard([panel(datasource=PROM, targets=[{"refId": "A"}], **{key: value})]))
    assert data(made)["queryOptions"].get(key) == kept
    assert [(n.pointer, n.action) for n in made.notes] == (
        [(f"/panels/0/{key}", action)] if action else []
    )


def test_ref_ids_after_z_continue_with_two_letters() -> None:
    """nextAvailableRefId: A … Z, then AA; 27 queries without refId end at AA."""
    made = convert(
        dashboard([panel(datasource=PROM, targets=[{"expr": str(i)} for i in range(27)])])
    )
    refs = [q["spec"]["refId"] for q in data(made)["queries"]]
    assert refs[:2] == ["A", "B"] and refs[25:] == ["Z", "AA"]


# --- buildAnnotationQuery ----------------------------------------------------------------------


def annotation(made: Converted, index: int = 0) -> dict[str, Any]:
    spec: dict[str, Any] = made.spec["annotations"][index]["spec"]
    return spec


def test_an_annotation_of_no_object_is_dropped() -> None:
    made = convert(
        dashboard(
            annotations=[
                "x",
                {
                    "name": "A",
                    "enable": True,
                    "hide": False,
                    "iconColor": "red",
                    "datasource": PROM,
                },
            ]
        )
    )
    assert [a["spec"]["name"] for a in made.spec["annotations"]] == ["A"]
    assert report(made) == [("/annotations/list/0", "dropped", False)]


@pytest.mark.parametrize(
    ("datasource", "query", "notes"),
    [
        # a uid without type: no reference, the datasource dropped
        (
            {"uid": "prom"},
            {"kind": "DataQuery", "group": "", "version": "v0", "spec": {}},
            [("/a/datasource", "dropped", False)],
        ),
        # a type without uid: the type kept, the reference without uid
        ({"type": "loki"}, {"kind": "DataQuery", "group": "loki", "version": "v0", "spec": {}}, []),
        (
            {"type": "loki", "uid": "l", "name": "x"},
            {
                "kind": "DataQuery",
                "group": "loki",
                "version": "v0",
                "datasource": {"name": "l"},
                "spec": {},
            },
            [("/a/datasource", "changed", False)],
        ),
    ],
)
def test_an_annotations_datasource_needs_a_uid_and_a_type(
    datasource: Any, query: Any, notes: Notes
) -> None:
    item = {
        "name": "A",
        "enable": True,
        "hide": False,
        "iconColor": "red",
        "datasource": datasource,
    }
    made = convert(dashboard(annotations=[item]))
    assert annotation(made)["query"] == query
    assert [
        (n.pointer.replace("/annotations/list/0", "/a"), n.action, n.inert) for n in made.notes
    ] == notes


def test_an_annotations_missing_flags_become_their_zero_values() -> None:
    made = convert(
        dashboard(annotations=[{"datasource": PROM, "enable": "yes", "target": {}, "type": ""}])
    )
    spec = annotation(made)
    assert (spec["enable"], spec["hide"], spec["iconColor"], spec["name"]) == (False, False, "", "")
    assert "legacyOptions" not in spec
    assert [(n.pointer, n.action, n.inert) for n in made.notes] == [
        ("/annotations/list/0/target", "dropped", True),
        ("/annotations/list/0/enable", "changed", False),  # a change that matters
        ("/annotations/list/0/hide", "changed", True),
        ("/annotations/list/0/iconColor", "changed", True),
        ("/annotations/list/0/name", "changed", True),
        ("/annotations/list/0/type", "dropped", True),
    ]


def test_an_annotation_filter_keeps_whole_panel_ids_and_a_true_exclude() -> None:
    item = {
        "name": "A", "enable": True, "hide": False, "iconColor": "red", "datasource": PROM,
        "filter": {"exclude": True, "ids": [1, 2.0, -1, "3", 2**32], "other": 1},
        "mappings": {"title": {"source": "text", "value": "t"}, "time": 5, "tags": {"regex": "x.*"}},
    }  # fmt: skip
    made = convert(dashboard(annotations=[item]))
    spec = annotation(made)
    assert spec["filter"] == {"exclude": True, "ids": [1, 2]}
    assert spec["mappings"] == {
        "title": {"source": "text", "value": "t"},
        "tags": {"source": "field", "regex": "x.*"},
    }
    assert [(n.pointer, n.action) for n in made.notes] == [
        ("/annotations/list/0/filter/other", "dropped"),
        ("/annotations/list/0/filter/ids", "changed"),
        ("/annotations/list/0/mappings/time", "dropped"),
    ]
    assert made.notes[1].value == [1, 2]

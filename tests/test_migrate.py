"""The import migrations on their own: old JSON (rows, names, nulls), and what stays untouched."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from tsedash.migrate import CURRENT_SCHEMA, migrate_dashboard, needs_migration
from tsedash.registry import Datasource
from tsedash.validate import validate_model
from tsedash_dashboards import build_all

from .dashboard_helpers import fixture_registry

DS = Datasource(uid="prometheus", name="Prometheus", url="http://prometheus:9090")

# What a Grafana 6 export (or a grafanalib Row-based dashboard) looks like.
ROWS = {
    "uid": "old-rows",
    "title": "Old Rows",
    "schemaVersion": 14,
    "sharedCrosshair": True,
    "rows": [
        {
            "title": "Traffic",
            "showTitle": True,
            "height": "300px",
            "panels": [
                {
                    "id": 1,
                    "type": "graph",
                    "title": "Requests",
                    "span": 8,
                    "datasource": None,
                    "targets": [{"expr": "sum(rate(http_requests_total[5m]))", "refId": "A"}],
                    "yaxes": [{"format": "reqps", "show": True}, {"format": "short"}],
                    "legend": {"show": False},
                    "lines": True,
                    "linewidth": 1,
                },
                {
                    "id": 2,
                    "type": "singlestat",
                    "title": "Up",
                    "span": 4,
                    "datasource": "Prometheus",
                    "targets": [{"expr": "sum(up)", "refId": "A"}],
                    "valueName": "avg",
                },
            ],
        },
        {
            "title": "Hidden title",
            "showTitle": False,
            "panels": [
                {
                    "type": "singlestat",
                    "title": "Total",
                    "span": 12,
                    "datasource": "$ds",
                    "targets": [{"expr": "sum(up)", "refId": "A"}],
                    "valueName": "total",
                }
            ],
        },
    ],
}


def test_rows_become_a_grid_and_the_rest_is_migrated() -> None:
    model, migrations = migrate_dashboard(ROWS, DS)
    assert model["schemaVersion"] == CURRENT_SCHEMA and "rows" not in model
    assert model["graphTooltip"] == 1
    panels = model["panels"]
    assert [(p["type"], p["title"], p["gridPos"]) for p in panels] == [
        ("row", "Traffic", {"x": 0, "y": 0, "w": 24, "h": 1}),
        ("timeseries", "Requests", {"x": 0, "y": 1, "w": 16, "h": 8}),  # 300 px → 8 rows
        ("stat", "Up", {"x": 16, "y": 1, "w": 8, "h": 8}),
        ("stat", "Total", {"x": 0, "y": 9, "w": 24, "h": 7}),  # default 250 px
    ]
    assert len({p["id"] for p in panels}) == 4  # the row and the id-less panel got ids
    requests, up, total = panels[1:]
    assert requests["datasource"] == {"type": "prometheus", "uid": "prometheus"}  # null: default
    assert up["datasource"] == {"type": "prometheus", "uid": "prometheus"}  # by name
    assert total["datasource"] == {"type": "prometheus", "uid": "$ds"}  # a variable stays
    assert requests["options"]["legend"]["showLegend"] is False
    assert requests["fieldConfig"]["defaults"]["unit"] == "reqps"
    assert total["options"]["reduceOptions"]["calcs"] == ["sum"]
    text = [str(m) for m in migrations]
    assert "old-rows: 2 pre-v16 row(s) → panels with gridPos (v16)" in text
    assert "old-rows: sharedCrosshair true → graphTooltip 1 (v14)" in text
    assert (
        "old-rows panel 'Requests': datasource none (the default) → "
        "{type: prometheus, uid: prometheus}" in text
    )
    assert ROWS["schemaVersion"] == 14 and "rows" in ROWS  # the input is not changed


def test_a_current_dashboard_is_left_alone() -> None:
    for _, model in build_all(fixture_registry()):
        before = copy.deepcopy(model)
        assert not needs_migration(model)
        migrated, migrations = migrate_dashboard(model, DS)
        assert migrations == [] and migrated is model and model == before


def test_a_migrated_grafana_8_export_validates() -> None:
    export = {
        "uid": "g8",
        "title": "Grafana 8 export",
        "schemaVersion": 30,
        "id": 17,
        "version": 4,
        "panels": [
            {
                "id": 1,
                "type": "timeseries",
                "title": "Memory",
                "description": "Resident memory.",
                "datasource": "Prometheus",
                "gridPos": {"x": 0, "y": 0, "w": 24, "h": 8},
                "fieldConfig": {"defaults": {"unit": "bytes"}},
                "targets": [{"expr": "process_resident_memory_bytes", "refId": "A"}],
            }
        ],
    }
    model, migrations = migrate_dashboard(export, DS)
    assert "id" not in model and "version" not in model
    assert model["panels"][0]["targets"][0]["datasource"] == {
        "type": "prometheus",
        "uid": "prometheus",
    }
    assert validate_model(model, "g8.json", "prometheus") == []
    assert [m.as_dict() for m in migrations][-1] == {
        "uid": "g8",
        "panel": "",
        "change": "schemaVersion 30 → 42",
    }
    assert json.dumps(model)  # plain JSON


def test_target_datasources_follow_grafana() -> None:
    model = {
        "uid": "t",
        "schemaVersion": 30,
        "panels": [
            {
                "type": "timeseries",
                "title": "Mixed",
                "datasource": "Prometheus",
                "targets": [
                    {"expr": "up", "refId": "A"},
                    {"expr": "up", "refId": "B", "datasource": "Prometheus"},
                    {"expr": "up", "refId": "C", "datasource": "Thanos"},
                ],
            }
        ],
    }
    migrated, migrations = migrate_dashboard(model, DS)
    refs = [t["datasource"] for t in migrated["panels"][0]["targets"]]
    ours = {"type": "prometheus", "uid": "prometheus"}
    assert refs == [ours, ours, {"uid": "Thanos"}]  # an unknown name becomes the uid
    text = [m.change for m in migrations if m.panel == "Mixed"]
    assert "1 target(s) got the panel's datasource" in text
    assert "2 target datasource name(s) → ref" in text


def _graph(**options: Any) -> dict[str, Any]:
    return {"type": "graph", "title": "G", "targets": [{"expr": "up", "refId": "A"}], **options}


def test_graph_thresholds_points_bars_and_overrides() -> None:
    from tsedash.migrate.panels import graph_to_timeseries

    panel = _graph(
        bars=True,
        points=True,
        pointradius=2,
        fillGradient=4,
        dashes=True,
        dashLength=4,
        steppedLine=True,
        percentage=True,
        legend={"show": False},
        yaxes=[{"format": "ms", "show": False, "logBase": 10, "min": "x"}],
        thresholds=[
            {"op": "gt", "value": 90, "colorMode": "critical", "fill": True, "line": True},
            {"op": "lt", "value": 10, "colorMode": "warning", "fill": True},
            {"op": "gt", "value": None},
        ],
        seriesOverrides=[
            {"alias": "b", "bars": False, "points": True, "stack": "B", "color": "#fff"},
            {"alias": "c", "lines": False, "transform": "negative-Y", "bars": True},
            {"alias": ""},
            {"alias": "d", "zindex": 3},
        ],
    )
    summary = graph_to_timeseries(panel)
    custom = panel["fieldConfig"]["defaults"]["custom"]
    assert custom["drawStyle"] == "bars" and custom["fillOpacity"] == 100  # bars are solid
    assert (custom["showPoints"], custom["pointSize"]) == ("always", 6)
    assert custom["gradientMode"] == "opacity"
    assert custom["lineStyle"] == {"fill": "dash", "dash": [4, 10]}
    assert custom["lineInterpolation"] == "stepAfter"
    assert custom["axisPlacement"] == "hidden"
    assert custom["scaleDistribution"] == {"type": "log", "log": 10}
    assert "min" not in panel["fieldConfig"]["defaults"]  # "x" is not a number
    assert custom["thresholdsStyle"] == {"mode": "line+area"}
    assert panel["fieldConfig"]["defaults"]["thresholds"]["steps"] == [
        {"color": "orange", "value": None},
        {"color": "transparent", "value": 10},
        {"color": "red", "value": 90},
    ]
    assert panel["options"]["legend"]["showLegend"] is False
    b, c = panel["fieldConfig"]["overrides"]
    assert [p["id"] for p in b["properties"]] == [
        "custom.drawStyle",
        "custom.showPoints",
        "custom.stacking",
        "color",
    ]
    assert {p["id"]: p["value"] for p in c["properties"]}["custom.transform"] == "negative-Y"
    assert "not carried over: percentage, seriesOverrides.zindex" in summary
    assert "legend hidden" in summary


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        (
            {"valueName": "name", "colorValue": True, "gauge": {"show": True, "maxValue": 5}},
            {"textMode": "name", "colorMode": "value", "min": 0, "max": 5},
        ),
        (
            {
                "valueName": "bogus",
                "mappingType": 2,
                "rangeMaps": [{"from": "0", "to": "10", "text": "low"}],
                "nullText": "n/a",
            },
            {"calcs": ["mean"], "noValue": "n/a"},
        ),
    ],
)
def test_singlestat_variants(options: dict[str, Any], expected: dict[str, Any]) -> None:
    from tsedash.migrate.panels import singlestat_to_stat

    panel = {"type": "singlestat", "title": "S", **options}
    singlestat_to_stat(panel)
    defaults, opts = panel["fieldConfig"]["defaults"], panel["options"]
    merged = {**opts, **defaults, "calcs": opts["reduceOptions"]["calcs"]}
    assert {k: merged[k] for k in expected} == expected
    if "rangeMaps" in options:
        assert defaults["mappings"] == [
            {
                "type": "range",
                "options": {"from": 0, "to": 10, "result": {"text": "low", "index": 0}},
            }
        ]


def test_a_shape_no_step_can_read_is_named_by_its_pointer_in_the_file_as_read() -> None:
    """Panels moved out of pre-v16 rows keep the pointer they had in the file."""
    from tsedash.migrate import ShapeError

    old = copy.deepcopy(ROWS)
    old["rows"][1]["panels"][0]["gauge"] = [1]
    before = copy.deepcopy(old)
    with pytest.raises(ShapeError) as caught:
        migrate_dashboard(old, DS)
    assert (caught.value.pointer, caught.value.reason) == (
        "/rows/1/panels/0/gauge",
        "expected a mapping, got a list",
    )
    assert old == before  # a copy was migrated, not the caller's


def test_in_place_migrates_the_model_itself_and_says_the_same() -> None:
    copied, said = migrate_dashboard(ROWS, DS)
    mine = copy.deepcopy(ROWS)
    migrated, said_in_place = migrate_dashboard(mine, DS, in_place=True)
    assert migrated is mine and migrated == copied and said_in_place == said

"""Schema v2: the conversion of the classic model, its validation, and `build --schema v2`."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from tsedash import pipeline
from tsedash.dashv2 import API_VERSION, V2_DIR, resource
from tsedash.dashv2.back import to_v1
from tsedash.dashv2.canonical import canonical
from tsedash.dashv2.checks import validate_resource
from tsedash.dashv2.convert import Unconvertible, convert, to_v2
from tsedash.dashv2.report import expected_v1
from tsedash.dashv2.resources import convert_all

from .conftest import ROOT, Result
from .dashboard_helpers import FIXTURE, waived

FEATURES = ROOT / "tests" / "data" / "v1-features.json"


def features() -> dict[str, Any]:
    model: dict[str, Any] = json.loads(FEATURES.read_text())
    return model


def as_resource(model: dict[str, Any]) -> dict[str, Any]:
    return resource(str(model["uid"]), to_v2(model), "folder-uid")


def messages(found: list[Any]) -> list[str]:
    return [f"{f.pointer}: {f.message}" for f in found]


# --- the conversion ----------------------------------------------------------------------------


def test_every_feature_converts_and_reads_back_the_same_but_what_the_report_says() -> None:
    model = features()
    before = copy.deepcopy(model)
    converted = convert(model)
    made = resource(model["uid"], converted.spec, "folder-uid")
    assert model == before  # the v1 model is not touched
    # Grafana's conversion: the panel's datasource on every query, transformations without
    # a topic, variable sorts by number 0-4 only, a constant's current value its query.
    assert [(n.pointer, n.action, n.inert) for n in converted.notes] == [
        ("/panels/2/targets/1/datasource", "changed", False),
        ("/panels/2/transformations/1/topic", "dropped", False),
        ("/templating/list/1/sort", "changed", False),
        ("/templating/list/3/current", "changed", True),
    ]
    assert validate_resource("x.json", made, model, converted.notes) == []
    read_back = canonical(to_v1(made["spec"], model["uid"]))
    assert read_back == canonical(expected_v1(model, converted.notes))
    # nothing else is excluded: without the report, exactly those places differ
    assert messages(validate_resource("x.json", made, model, [])) == [
        "/spec: read back as v1, /panels/2/targets/1/datasource/uid is '${ds}' in schema v2 "
        "but 'prometheus' in the v1 model",
        "/spec: read back as v1, /panels/2/transformations/1/topic is lost in schema v2",
        "/spec: read back as v1, /templating/list/1/sort is lost in schema v2",
        "/spec: read back as v1, /templating/list/3/current appears in schema v2 "
        "({'text': 'lab', 'value': 'lab'})",
    ]


def test_the_layout_follows_grafanas_mapping() -> None:
    spec = to_v2(features())
    rows = spec["layout"]["spec"]["rows"]
    assert spec["layout"]["kind"] == "RowsLayout"
    # panels above the first row: a row whose header is hidden
    assert rows[0]["spec"] == {
        "title": "",
        "collapse": False,
        "hideHeader": True,
        "layout": {
            "kind": "GridLayout",
            "spec": {
                "items": [
                    {
                        "kind": "GridLayoutItem",
                        "spec": {
                            "x": 0,
                            "y": 0,
                            "width": 24,
                            "height": 3,
                            "element": {"kind": "ElementReference", "name": "panel-1"},
                        },
                    }
                ]
            },
        },
    }
    per_job = rows[1]["spec"]["layout"]["spec"]["items"]
    assert per_job[0]["spec"]["y"] == 0  # y counts from the row's header
    assert per_job[0]["spec"]["repeat"] == {
        "mode": "variable",
        "value": "job",
        "direction": "h",
        "maxPerRow": 4,
    }
    details = rows[2]["spec"]
    assert details["collapse"] is True and details["repeat"] == {"mode": "variable", "value": "env"}
    assert [i["spec"]["element"]["name"] for i in details["layout"]["spec"]["items"]] == ["panel-6"]
    assert rows[3]["spec"]["layout"]["spec"]["items"] == []


def test_a_dashboard_without_rows_is_one_grid() -> None:
    model = features()
    model["panels"] = [p for p in model["panels"] if p["type"] != "row"]
    spec = to_v2(model)
    assert spec["layout"]["kind"] == "GridLayout"
    assert [i["spec"]["element"]["name"] for i in spec["layout"]["spec"]["items"]] == [
        "panel-1",
        "panel-3",
        "panel-4",
    ]
    assert validate_resource("x.json", resource(model["uid"], spec, ""), model) == []


def test_panels_queries_and_visualisation() -> None:
    elements = to_v2(features())["elements"]
    panel = elements["panel-3"]["spec"]
    queries = panel["data"]["spec"]["queries"]
    assert queries[0]["spec"]["query"] == {
        "kind": "DataQuery",
        "group": "prometheus",
        "version": "v0",
        "datasource": {"name": "${ds}"},  # the panel's datasource, for a target without one
        "spec": {
            "expr": 'sum(rate(http_requests_total{job=~"$job"}[$__rate_interval]))',
            "legendFormat": "all",
            "range": True,
        },
    }
    assert queries[1]["spec"]["hidden"] is True and queries[1]["spec"]["refId"] == "B"
    # its own datasource gives way to the panel's, as Grafana runs a panel that is not mixed
    assert queries[1]["spec"]["query"]["datasource"] == {"name": "${ds}"}
    assert panel["data"]["spec"]["queryOptions"] == {
        "timeFrom": "6h",
        "maxDataPoints": 500,
        "interval": "30s",
        "hideTimeOverride": True,
    }
    assert [t["group"] for t in panel["data"]["spec"]["transformations"]] == [
        "organize",
        "filterByValue",
    ]
    assert panel["data"]["spec"]["transformations"][1]["spec"] == {
        "disabled": True,
        "filter": {"id": "byRefId", "options": "A"},
        "options": {},
    }  # no topic: Grafana's conversion does not read it
    viz = panel["vizConfig"]
    assert (viz["kind"], viz["group"], viz["version"]) == ("VizConfig", "timeseries", "13.0.0")
    assert viz["spec"]["fieldConfig"]["overrides"][0]["matcher"]["id"] == "byName"
    assert panel["links"] == [
        {"title": "Runbook", "url": "https://example.invalid/runbook", "targetBlank": True}
    ]
    assert elements["panel-1"]["spec"]["transparent"] is True
    assert elements["panel-4"] == {
        "kind": "LibraryPanel",
        "spec": {
            "id": 4,
            "title": "Shared",
            "libraryPanel": {"name": "Shared stat", "uid": "lib-1"},
        },
    }


def test_variables_settings_and_annotations() -> None:
    spec = to_v2(features())
    kinds = [(v["kind"], v["spec"]["name"]) for v in spec["variables"]]
    assert kinds == [
        ("DatasourceVariable", "ds"),
        ("QueryVariable", "job"),
        ("CustomVariable", "env"),
        ("ConstantVariable", "cluster"),
        ("TextVariable", "filter"),
        ("IntervalVariable", "step"),
    ]
    ds, job = spec["variables"][0]["spec"], spec["variables"][1]["spec"]
    assert (ds["pluginId"], ds["hide"]) == ("prometheus", "hideVariable")
    assert job["query"]["datasource"] == {"name": "${ds}"}
    assert job["query"]["spec"]["query"] == "label_values(up, job)"  # an object query stays one
    assert (job["refresh"], job["sort"], job["regexApplyTo"]) == (
        "onDashboardLoad",
        "disabled",  # sort 7: Grafana's conversion maps the numbers 0-4 only
        "text",
    )
    assert spec["cursorSync"] == "Tooltip"
    assert spec["timeSettings"] == {
        "timezone": "utc",
        "from": "now-3h",
        "to": "now",
        "autoRefresh": "1m",
        "autoRefreshIntervals": ["1m", "5m"],
        "hideTimepicker": True,
        "weekStart": "monday",
        "fiscalYearStartMonth": 3,
        "nowDelay": "1m",
    }
    built_in, restarts = spec["annotations"]
    assert built_in["spec"]["builtIn"] is True
    assert built_in["spec"]["query"]["datasource"] == {"name": "-- Grafana --"}
    assert restarts["spec"]["legacyOptions"] == {
        "expr": "changes(process_start_time_seconds[5m]) > 0"
    }


def test_a_string_variable_query_is_kept_as_grafana_keeps_it() -> None:
    model = {
        "uid": "u",
        "title": "t",
        "panels": [],
        "templating": {"list": [{"type": "query", "name": "job", "query": "label_values(job)"}]},
    }
    spec = to_v2(model)
    assert spec["variables"][0]["spec"]["query"]["spec"] == {
        "__legacyStringValue": "label_values(job)"
    }
    assert to_v1(spec, "u")["templating"]["list"][0]["query"] == "label_values(job)"


def test_only_what_grafanas_conversion_fails_on_is_refused() -> None:
    """An ad hoc variable without a datasource uid: Grafana's v2alpha1 → v2beta1 step reads
    its datasource type through a nil pointer. A key v2 has no field for is reported."""
    model = features()
    model["templating"]["list"].append({"type": "adhoc", "name": "f"})
    with pytest.raises(Unconvertible) as caught:
        to_v2(model)
    assert caught.value.pointer == "/templating/list/6/datasource"
    assert "Grafana's conversion fails on it" in str(caught.value)
    _, found, notes = convert_all([("f.json", model)], "folder")
    assert [(f.file, f.pointer) for f in found] == [("f.json", "/templating/list/6/datasource")]
    assert notes == []
    model["templating"]["list"][6]["datasource"] = {"type": "prometheus", "uid": "prometheus"}
    model.update(gnetId=123)
    made, found, notes = convert_all([("f.json", model)], "folder")
    assert found == [] and len(made) == 1
    assert ("/gnetId", "dropped") in [(n.note.pointer, n.note.action) for n in notes]


def test_a_row_reads_back_as_grafana_draws_it_whatever_its_grid_position() -> None:
    """Grafana's conversion keeps a row's `y` only, and its grid draws every row across the
    24 columns: a 1-wide row beside a 1-wide panel is the same dashboard read back (it failed
    with `/panels/1/gridPos/w is 24 in schema v2 but 1 in the v1 model`)."""
    model = features()
    model["panels"][1]["gridPos"] = {"h": 1, "w": 1, "x": 1, "y": 3}
    model["panels"][0]["gridPos"] = {"h": 1, "w": 1, "x": 0, "y": 3}
    assert messages(validate_resource("x.json", as_resource(model), model)) == []
    assert canonical(model)["panels"][1]["gridPos"] == {"x": 0, "w": 24, "h": 1}


def test_grafanas_default_time_picker_is_no_difference() -> None:
    model = features()
    model["timepicker"] = {
        "hidden": False,
        "refresh_intervals": ["5s", "10s", "30s", "1m", "5m", "15m", "30m", "1h", "2h", "1d"],
    }
    assert messages(validate_resource("x.json", as_resource(model), model)) == []
    model["timepicker"]["refresh_intervals"] = ["1m", "5m"]
    assert messages(validate_resource("x.json", as_resource(model), model)) == []
    assert to_v1(to_v2(model), "u")["timepicker"] == {"refresh_intervals": ["1m", "5m"]}


# --- the validation ----------------------------------------------------------------------------


def tampered(change: Any) -> list[str]:
    model = features()
    made = as_resource(model)
    change(made)
    return messages(validate_resource("x.json", made, model))


def test_a_layout_item_naming_no_element_and_an_element_laid_out_nowhere() -> None:
    def rename(made: dict[str, Any]) -> None:
        items = made["spec"]["layout"]["spec"]["rows"][1]["spec"]["layout"]["spec"]["items"]
        items[1]["spec"]["element"]["name"] = "panel-99"

    found = tampered(rename)
    assert any("names element 'panel-99', which is not in spec.elements" in m for m in found)
    assert "/spec/elements/panel-4: element 'panel-4' is in no layout" in found


def test_an_element_laid_out_twice_overlapping_and_past_the_last_column() -> None:
    def twice(made: dict[str, Any]) -> None:
        items = made["spec"]["layout"]["spec"]["rows"][1]["spec"]["layout"]["spec"]["items"]
        items[1]["spec"]["element"]["name"] = "panel-3"
        items[1]["spec"]["x"] = 6
        items[1]["spec"]["width"] = 20

    found = tampered(twice)
    assert any("lays out 'panel-3' a second time" in m for m in found)
    assert any("'panel-3' ends at column 26 of 24" in m for m in found)
    assert any("'panel-3' overlaps 'panel-3'" in m for m in found)


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda r: r["spec"].pop("title"), "/spec: 'title' is a required property"),
        (lambda r: r.update(apiVersion="dashboard.grafana.app/v1"), "/apiVersion:"),
        (lambda r: r["spec"].update(cursorSync="Sometimes"), "/spec/cursorSync:"),
        (lambda r: r["spec"]["variables"][0]["spec"].update(hide=2), "/spec/variables/0/spec/hide"),
        (
            lambda r: r["spec"]["elements"]["panel-3"]["spec"]["data"]["spec"]["queries"][0][
                "spec"
            ].update(refId=""),
            "/spec/elements/panel-3/spec/data/spec/queries/0/spec/refId",
        ),
    ],
)
def test_the_v2_schema(change: Any, expected: str) -> None:
    found = tampered(change)
    assert any(m.startswith(expected) for m in found), found


def test_reading_back_finds_a_changed_value() -> None:
    def unit(made: dict[str, Any]) -> None:
        defaults = made["spec"]["elements"]["panel-3"]["spec"]["vizConfig"]["spec"]["fieldConfig"]
        defaults["defaults"]["unit"] = "bytes"

    assert tampered(unit) == [
        "/spec: read back as v1, /panels/2/fieldConfig/defaults/unit is 'bytes' in schema v2 "
        "but 'reqps' in the v1 model"
    ]


def test_a_file_that_is_not_an_object() -> None:
    assert messages(validate_resource("x.json", [1, 2])) == [
        ": a v2 dashboard file must hold a JSON object"
    ]


# --- build --schema v2 -------------------------------------------------------------------------


def test_build_schema_v2_writes_valid_resources_beside_the_provider(
    run_cli: Any, tmp_path: Path
) -> None:
    out = tmp_path / "provisioning"
    first = run_cli("build", "--registry", str(FIXTURE), "--out", str(out), "--schema", "v2")
    assert first.exit_code == 0, first.stderr
    files = sorted(p.name for p in (out / V2_DIR).glob("*.json"))
    assert files == ["devops-docker-view.json", "simulation-entity-view.json"]
    made = json.loads((out / V2_DIR / "devops-docker-view.json").read_text())
    assert (made["apiVersion"], made["kind"]) == (API_VERSION, "Dashboard")
    assert made["metadata"] == {
        "name": "tse-devops-docker",
        "annotations": {"grafana.app/folder": "trading-ecosystem"},
    }
    # the file provider's directory keeps the v1 models only
    provider = sorted(p.name for p in (out / "dashboards").rglob("*.json"))
    assert provider == files
    assert all("panels" in json.loads(p.read_text()) for p in (out / "dashboards").rglob("*.json"))
    bytes_before = {p: p.read_bytes() for p in (out / V2_DIR).glob("*.json")}
    again = run_cli(
        "build", "--registry", str(FIXTURE), "--out", str(out), "--schema", "v2", "--rebuild"
    )
    assert again.exit_code == 0 and {p: p.read_bytes() for p in bytes_before} == bytes_before
    assert run_cli("validate", "--out", str(out)).exit_code == 0
    plain = run_cli("build", "--registry", str(FIXTURE), "--out", str(out), "--rebuild")
    assert plain.exit_code == 0 and not (out / V2_DIR).exists()  # a v1 build removes them again


def test_validate_reports_a_tampered_v2_file(run_cli: Any, tmp_path: Path) -> None:
    out = tmp_path / "provisioning"
    pipeline.build(FIXTURE, __import__("tsedash_dashboards"), out)
    result = run_cli("build", "--registry", str(FIXTURE), "--out", str(out), "--schema", "v2")
    assert result.exit_code == 0
    path = out / V2_DIR / "devops-docker-view.json"
    made = json.loads(path.read_text())
    made["spec"]["title"] = "Renamed in the v2 file"
    path.write_text(json.dumps(made))
    (out / V2_DIR / "broken.json").write_text("{not json")
    checked: Result = run_cli("validate", "--out", str(out))
    assert checked.exit_code == 1
    assert (
        f"{path}: error: dashboard tse-devops-docker at /spec: read back as v1, /title is "
        "'Renamed in the v2 file' in schema v2 but 'DevOps Docker View' in the v1 model"
    ) in checked.stderr
    assert f"{out / V2_DIR / 'broken.json'}:1: error:" in checked.stderr


def test_a_dashboard_v2_cannot_hold_stops_the_build_and_writes_nothing(
    run_cli: Any, tmp_path: Path
) -> None:
    extras = tmp_path / "extras"
    extras.mkdir()
    model = {
        "uid": "extra-adhoc",
        "title": "Extra with an ad hoc filter",
        "schemaVersion": 42,
        "panels": [],
        "templating": {"list": [{"type": "adhoc", "name": "filters"}]},
    }
    (extras / "adhoc.json").write_text(json.dumps(model))
    out = tmp_path / "provisioning"
    args = ["build", "--registry", str(FIXTURE), "--out", str(out), "--extras", str(extras)]
    args += waived(tmp_path, "extra-adhoc")  # every build lints it: the house rules waived
    result = run_cli(*args, "--schema", "v2")
    assert result.exit_code == 1
    assert (
        f"{V2_DIR}/extra-adhoc.json: error: dashboard extra-adhoc at "
        "/templating/list/0/datasource: ad hoc variable 'filters' has no datasource uid: "
        "Grafana's conversion fails on it"
    ) in result.stderr
    assert not out.exists()
    assert run_cli(*args).exit_code == 0  # v1 is unaffected

"""Validation: break a valid dashboard in each way Grafana cares about; assert the finding."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tsedash.errors import InputError
from tsedash.validate import validate_dashboards, validate_dir, validate_model
from tsedash_dashboards import build_all

from .conftest import Result
from .dashboard_helpers import clone, fixture_registry

FILE = "dash.json"
DS = "prom-test"


@pytest.fixture(scope="module")
def valid() -> dict[str, dict[str, Any]]:
    return {spec.uid: model for spec, model in build_all(fixture_registry())}


def _panel(model: dict[str, Any], title: str) -> dict[str, Any]:
    return next(p for p in model["panels"] if p["title"] == title)


def _index(model: dict[str, Any], title: str) -> int:
    return next(i for i, p in enumerate(model["panels"]) if p["title"] == title)


def test_valid_dashboards_have_no_findings(valid: dict[str, dict[str, Any]]) -> None:
    assert validate_dashboards(((uid, m) for uid, m in valid.items()), DS) == []


Breaker = Callable[[dict[str, Any]], None]


def _set(path: list[Any], value: Any) -> Breaker:
    def breaker(model: dict[str, Any]) -> None:
        node = model
        for step in path[:-1]:
            node = node[step]
        node[path[-1]] = value

    return breaker


def _dup_id(m: dict[str, Any]) -> None:
    m["panels"][_index(m, "exchange-simulator Trades Total")]["id"] = _panel(
        m, "exchange-simulator Trades/s"
    )["id"]


def _dup_ref(m: dict[str, Any]) -> None:
    _panel(m, "audit-correlator Latency p50/p95/p99")["targets"][1]["refId"] = "A"


def _no_target_ds(m: dict[str, Any]) -> None:
    del _panel(m, "exchange-simulator Trades Total")["targets"][0]["datasource"]


def _too_wide(m: dict[str, Any]) -> None:
    _panel(m, "exchange-simulator Trades Total")["gridPos"]["x"] = 20


def _overlap(m: dict[str, Any]) -> None:
    _panel(m, "exchange-simulator Trades Total")["gridPos"]["x"] = 8


def _row_children(m: dict[str, Any]) -> None:
    row = _panel(m, "Venues")
    row["panels"] = [clone(_panel(m, "exchange-simulator Trades Total"))]
    row["panels"][0]["id"] = 999


def _collapsed_row(m: dict[str, Any]) -> None:
    _panel(m, "Venues")["collapsed"] = True


def _undefined_var(m: dict[str, Any]) -> None:
    _panel(m, "exchange-simulator Trades Total")["targets"][0]["expr"] = (
        'sum(trades_total{instance=~"$instnce"})'
    )


def _wrong_ds(m: dict[str, Any]) -> None:
    _panel(m, "exchange-simulator Trades Total")["targets"][0]["datasource"]["uid"] = (
        "${DS_PROMETHEUS}"
    )


def _graph(m: dict[str, Any]) -> None:
    _panel(m, "exchange-simulator Trades/s")["type"] = "graph"


CASES: list[tuple[str, Breaker, str, str, str]] = [
    # (case, breaker, panel title in the finding, JSON pointer suffix, message fragment)
    (
        "duplicate panel id",
        _dup_id,
        "exchange-simulator Trades Total",
        "/id",
        "is already used by panel 'exchange-simulator Trades/s",
    ),
    (
        "duplicate refId",
        _dup_ref,
        "audit-correlator Latency p50/p95/p99",
        "/targets/1/refId",
        "refId 'A' is used twice",
    ),
    (
        "target without datasource",
        _no_target_ds,
        "exchange-simulator Trades Total",
        "/targets/0",
        "no datasource",
    ),
    (
        "outside 24 columns",
        _too_wide,
        "exchange-simulator Trades Total",
        "/gridPos",
        "x + w = 28 exceeds",
    ),
    (
        "overlapping panels",
        _overlap,
        "exchange-simulator Trades Total",
        "/gridPos",
        "overlaps panel 'exchange-simulator Trades/s",
    ),
    ("expanded row with children", _row_children, "Venues", "/panels", "must have `panels: []`"),
    ("collapsed row, children outside", _collapsed_row, "", "", "follows the collapsed row"),
    ("undefined variable", _undefined_var, "exchange-simulator Trades Total", "/expr", "$instnce"),
    (
        "foreign datasource uid",
        _wrong_ds,
        "exchange-simulator Trades Total",
        "/uid",
        "'${DS_PROMETHEUS}' is not",
    ),
    ("angular panel", _graph, "exchange-simulator Trades/s", "/type", "Angular-era"),
]


@pytest.mark.parametrize(
    ("breaker", "panel", "suffix", "fragment"),
    [c[1:] for c in CASES],
    ids=[c[0] for c in CASES],
)
def test_each_break_is_found(
    valid: dict[str, dict[str, Any]], breaker: Breaker, panel: str, suffix: str, fragment: str
) -> None:
    model = clone(valid["tse-simulation-entity"])
    breaker(model)
    findings = validate_model(model, FILE, DS)
    matching = [f for f in findings if fragment in f.message]
    assert matching, findings
    finding = matching[0]
    assert finding.file == FILE and finding.uid == "tse-simulation-entity"
    assert finding.pointer.startswith("/panels/") and finding.pointer.endswith(suffix)
    if panel:
        assert finding.panel == panel
        assert f"panel '{panel}'" in str(finding)


@pytest.mark.parametrize(
    ("breaker", "fragment", "pointer"),
    [
        (_set(["uid"], "x" * 41), "does not match", "/uid"),
        (_set(["uid"], "tse devops"), "does not match", "/uid"),
        (_set(["tags"], ["trading-ecosystem", "t" * 51]), "is too long", "/tags/1"),
        (_set(["title"], ""), "should be non-empty", "/title"),
        (_set(["schemaVersion"], 16), "less than the minimum of 41", "/schemaVersion"),
        (_set(["panels", 1, "gridPos", "w"], 25), "greater than the maximum of 24", "/panels/1"),
        (_set(["templating", "lst"], []), "Additional properties", "/templating"),
    ],
)
def test_schema_findings(
    valid: dict[str, dict[str, Any]], breaker: Breaker, fragment: str, pointer: str
) -> None:
    model = clone(valid["tse-devops-docker"])
    breaker(model)
    findings = validate_model(model, FILE, DS)
    assert any(fragment in f.message and f.pointer.startswith(pointer) for f in findings), findings


def test_wrapped_dashboard_is_rejected(valid: dict[str, dict[str, Any]]) -> None:
    wrapped = {"dashboard": clone(valid["tse-devops-docker"]), "overwrite": True}
    [finding] = validate_model(wrapped, FILE, DS)
    assert "Dashboard title cannot be empty" in finding.message
    assert finding.pointer == "/dashboard"


def test_inputs_are_rejected(valid: dict[str, dict[str, Any]]) -> None:
    model = clone(valid["tse-devops-docker"])
    model["__inputs"] = [{"name": "DS_PROMETHEUS", "type": "datasource"}]
    findings = validate_model(model, FILE, DS)
    assert any(f.pointer == "/__inputs" and "never substituted" in f.message for f in findings)


def test_duplicate_uid_and_title_in_folder(valid: dict[str, dict[str, Any]]) -> None:
    a = valid["tse-devops-docker"]
    b = clone(valid["tse-simulation-entity"])
    b["uid"] = a["uid"]
    b["title"] = a["title"]
    findings = validate_dashboards([("a.json", a), ("b.json", b)], DS)
    messages = [f.message for f in findings if f.file == "b.json"]
    assert any("uid 'tse-devops-docker' is also used by a.json" in m for m in messages)
    assert any("title 'DevOps Docker View' is also used by a.json" in m for m in messages)


def test_sdk_roundtrip_catches_a_field_grafana_does_not_know(
    valid: dict[str, dict[str, Any]],
) -> None:
    model = clone(valid["tse-devops-docker"])
    model["panels"][1]["fieldConfig"]["defaults"]["thresholdz"] = {"mode": "absolute"}
    findings = validate_dashboards([(FILE, model)], DS)
    assert [(f.pointer, f.message) for f in findings] == [
        (
            "/panels/1/fieldConfig/defaults/thresholdz",
            "is lost when grafana-foundation-sdk reads the model",
        )
    ]


def test_validate_cli_on_a_directory(
    run_cli: Callable[..., Result], tmp_path: Path, valid: dict[str, dict[str, Any]]
) -> None:
    out = tmp_path / "prov"
    dash_dir = out / "dashboards" / "trading-ecosystem"
    dash_dir.mkdir(parents=True)
    (dash_dir / "ok.json").write_text(json.dumps(valid["tse-devops-docker"]))
    res = run_cli("validate", "--out", str(out))
    assert res.exit_code == 0, res.stderr
    broken = clone(valid["tse-simulation-entity"])
    _graph(broken)
    (dash_dir / "broken.json").write_text(json.dumps(broken))
    (dash_dir / "garbage.json").write_text("{not json")
    hidden = dash_dir / ".hidden"
    hidden.mkdir()
    (hidden / "ignored.json").write_text("{also not json")
    res = run_cli("validate", "--out", str(out))
    assert res.exit_code == 1
    assert (
        f"{dash_dir / 'broken.json'}: error: dashboard tse-simulation-entity panel 'exchange-simulator Trades/s"
        in res.stderr
    )
    assert f"{dash_dir / 'garbage.json'}:1: error: not valid JSON" in res.stderr
    assert "ignored.json" not in res.stderr
    res = run_cli("validate", "--out", str(out), "--json")
    assert res.exit_code == 1
    assert {f["uid"] for f in json.loads(res.stdout)} == {"tse-simulation-entity", ""}


def test_validate_cli_without_output(run_cli: Callable[..., Result], tmp_path: Path) -> None:
    res = run_cli("validate", "--out", str(tmp_path / "none"))
    assert res.exit_code == 2
    assert "run `tsedash build` first" in res.stderr
    with pytest.raises(InputError, match="no dashboards directory"):
        validate_dir(tmp_path / "none")


def test_roundtrip_reports_changes_and_unreadable_models(
    valid: dict[str, dict[str, Any]],
) -> None:
    from tsedash.validate.roundtrip import roundtrip_differences

    model = clone(valid["tse-devops-docker"])
    model["graphTooltip"] = "1"  # a string where the SDK's model keeps what it is given
    model["panels"] = "not a list"
    differences = roundtrip_differences(model)
    assert differences and differences[0][0] == ""
    assert "cannot read the model" in differences[0][1]


def test_validate_dir_reads_the_provisioned_datasource(
    tmp_path: Path, valid: dict[str, dict[str, Any]]
) -> None:
    out = tmp_path / "prov"
    (out / "dashboards").mkdir(parents=True)
    (out / "datasources").mkdir()
    (out / "dashboards" / "d.json").write_text(json.dumps(valid["tse-devops-docker"]))
    model = clone(valid["tse-simulation-entity"])
    model["panels"][1]["targets"][0]["datasource"]["uid"] = "prom-test"
    (out / "dashboards" / "s.json").write_text(json.dumps(model))
    # Without the datasource file the fixed uid is foreign; with it, it is the provisioned one.
    assert any("'prom-test' is not" in f.message for f in validate_dir(out))
    (out / "datasources" / "prometheus.yml").write_text(
        "apiVersion: 1\ndatasources: [{name: P, type: prometheus, uid: prom-test}]\n"
    )
    assert validate_dir(out) == []
    (out / "datasources" / "prometheus.yml").write_text("datasources: [unclosed\n")
    with pytest.raises(InputError, match="not valid YAML"):
        validate_dir(out)


def test_validate_dir_without_dashboard_files(tmp_path: Path) -> None:
    (tmp_path / "dashboards").mkdir()
    with pytest.raises(InputError, match="no dashboard files"):
        validate_dir(tmp_path)


def test_non_object_file_is_a_finding() -> None:
    [finding] = validate_model([1, 2], FILE, DS)
    assert "must hold a JSON object" in finding.message


def _first_title(model: dict[str, Any], kind: str) -> str:
    return next(p["title"] for p in model["panels"] if p["type"] == kind)


def test_a_default_query_on_a_panel_that_runs_none_needs_no_expr(
    valid: dict[str, dict[str, Any]],
) -> None:
    """Grafana's schema step 36 gives a row (and a text panel) `{refId: A, datasource}` and
    stores it; a query of a panel that runs queries still needs its `expr`."""
    model = clone(valid["tse-simulation-entity"])
    default = {"refId": "A", "datasource": {"type": "prometheus", "uid": DS}}
    row = _panel(model, _first_title(model, "row"))
    row["targets"] = [default]
    row["datasource"] = default["datasource"]
    text = {
        "id": 9999,
        "type": "text",
        "title": "Notes",
        "gridPos": {"x": 0, "y": 10_000, "w": 24, "h": 2},
        "options": {"mode": "markdown", "content": "x"},
        "datasource": default["datasource"],
        "targets": [default],
    }
    model["panels"].append(text)
    assert validate_model(model, FILE, DS) == []
    stat = _panel(model, _first_title(model, "stat"))
    stat["targets"][0].pop("expr")
    [finding] = validate_model(model, FILE, DS)
    assert finding.message == "'expr' is a required property"
    assert finding.pointer.startswith(f"/panels/{model['panels'].index(stat)}/targets/0")


def test_an_old_tables_cell_variable_is_named_with_grafanas_reason(
    valid: dict[str, dict[str, Any]],
) -> None:
    model = clone(valid["tse-devops-docker"])
    panel = model["panels"][1]
    panel["links"] = [{"title": "metrics", "url": "http://${__cell}/metrics?$__all_variables"}]
    [finding] = validate_model(model, FILE, DS)
    assert finding.pointer == "/panels/1/links/0/url"
    assert "the old table panel's cell value: Grafana's table migration keeps the link" in (
        finding.message
    )

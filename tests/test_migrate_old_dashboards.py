"""Old exports (tests/data/old-dashboards/, Grafana 4 to 10 shapes written for these tests)
migrated end to end, built as extras, validated, and checked with `tsedash migrate`. Each value
asserted is worked out from Grafana's rules for that export, not read back from a run."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable, Iterator
from importlib import resources
from pathlib import Path
from typing import Any

import pytest

from tsedash.migrate import migrate_dashboard
from tsedash.registry import load_registry
from tsedash.validate.roundtrip import roundtrip_differences

from .conftest import ROOT, Result
from .dashboard_helpers import FIXTURE

RunCli = Callable[..., Result]
OLD = ROOT / "tests/data/old-dashboards"
FILES = sorted(p.name for p in OLD.glob("*.json"))
PROM = {"type": "prometheus", "uid": "prom-test"}
# The fixture registry, with the datasources of the Grafana the exports came from: there the
# Prometheus (the registry's, uid prom-test) is named "Prometheus" and is the default.
KNOWN = """\
datasource:
  uid: prom-test
  name: Prometheus Test
  url: "http://prometheus.test:9090"
  grafana:
    - {name: Prometheus, uid: prom-test, type: prometheus, default: true}
    - {name: Loki, uid: loki, type: loki}
"""


@pytest.fixture(scope="module")
def registry_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    text = FIXTURE.read_text()
    line = next(x for x in text.splitlines(keepends=True) if x.startswith("datasource:"))
    path = tmp_path_factory.mktemp("registry") / "registry.yaml"
    path.write_text(text.replace(line, KNOWN))
    return path


@pytest.fixture(scope="module")
def migrated(registry_file: Path) -> dict[str, tuple[dict[str, Any], list[Any]]]:
    ds = load_registry(registry_file).datasource
    return {name: migrate_dashboard(json.loads((OLD / name).read_text()), ds) for name in FILES}


def _panels(model: dict[str, Any]) -> Iterator[dict[str, Any]]:
    for panel in model["panels"]:
        yield panel
        yield from panel.get("panels", [])


def _by_title(model: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {p["title"]: p for p in _panels(model)}


def _cell(panel: dict[str, Any]) -> tuple[int, ...]:
    return tuple(panel["gridPos"][k] for k in ("x", "y", "w", "h"))


def _nulls(node: Any, path: str = "") -> list[str]:
    """Null members, but a threshold step's `value` (the -Infinity base)."""
    if isinstance(node, dict):
        return [
            f"{path}/{k}"
            for k, v in node.items()
            if v is None and not (k == "value" and "/steps/" in path)
        ] + [hit for k, v in node.items() for hit in _nulls(v, f"{path}/{k}")]
    if isinstance(node, list):
        return [hit for i, v in enumerate(node) for hit in _nulls(v, f"{path}/{i}")]
    return []


# Which steps each export needs, from its schemaVersion and what it holds.
STEPS = {
    "grafana4-rows.json": {"v14", "v16", "v22", "v23", "v28", "v29", "v33", "v36", "v40", "v41"},
    "grafana6-panels.json": {"v18", "v19", "v22", "v23", "v24", "v27", "v28", "v29", "v33"},
    "grafana7-table-old.json": {"v27", "v28", "v33", "v36", "v40"},
    "grafana8-rows.json": {"v33", "v35", "v36", "v37", "v38"},
    "grafana10-graph.json": {"v42", "load", "plugin"},
}


@pytest.mark.parametrize("name", FILES)
def test_each_export_is_migrated_end_to_end(
    migrated: dict[str, tuple[dict[str, Any], list[Any]]], name: str
) -> None:
    model, migrations = migrated[name]
    assert model["schemaVersion"] == 42
    panels = list(_panels(model))
    assert {p["type"] for p in panels}.isdisjoint({"graph", "singlestat", "table-old"})
    assert not any("autoMigrateFrom" in p for p in panels)
    ids = [p["id"] for p in panels]
    assert len(ids) == len(set(ids)) and all(isinstance(i, int) and i > 0 for i in ids)
    for panel in panels:
        assert set(panel["gridPos"]) == {"x", "y", "w", "h"}
        assert panel["datasource"] == PROM, panel["title"]
        assert all(t["datasource"] == PROM for t in panel.get("targets", []))
    assert _nulls(model) == []
    ran = {m.step for m in migrations}
    assert STEPS[name] <= ran, sorted(STEPS[name] - ran)
    assert migrations[-1].change.startswith("schemaVersion ") and migrations[-1].change.endswith(
        "→ 42"
    )


def test_grafana_4_rows_graph_singlestat_table_text_and_variables(
    migrated: dict[str, tuple[dict[str, Any], list[Any]]],
) -> None:
    model, _ = migrated["grafana4-rows.json"]
    assert model["graphTooltip"] == 1 and "rows" not in model and model["refresh"] == ""
    assert model["timepicker"] == {"refresh_intervals": ["10s", "1m"]}  # v41
    assert not {"style", "hideControls", "__inputs"} & set(model)  # as Grafana saves it
    layout = [(p["type"], p["title"], _cell(p)) for p in model["panels"]]
    # Every row gets a row panel (some are titled); 300px → 8 cells, 250px (default) → 7; a
    # collapsed row keeps its panels inside and takes one cell.
    assert layout == [
        ("row", "Traffic", (0, 0, 24, 1)),
        ("timeseries", "Requests", (0, 1, 16, 8)),
        ("stat", "Up", (16, 1, 8, 8)),
        ("row", "Hidden details", (0, 9, 24, 1)),
        ("row", "", (0, 10, 24, 1)),
        ("text", "Notes", (0, 11, 12, 7)),
    ]
    panels = _by_title(model)
    assert [p["title"] for p in panels["Hidden details"]["panels"]] == ["Jobs"]
    assert panels["Hidden details"]["collapsed"] is True
    requests = panels["Requests"]
    defaults = requests["fieldConfig"]["defaults"]
    assert (defaults["unit"], defaults["min"], defaults["custom"]["axisLabel"]) == (
        "reqps",
        0,
        "req/s",
    )
    custom = defaults["custom"]
    assert custom["stacking"] == {"mode": "normal", "group": "A"} and custom["fillOpacity"] == 10
    assert custom["spanNulls"] is True  # nullPointMode connected
    assert requests["options"] == {
        "legend": {
            "displayMode": "table",
            "showLegend": True,
            "placement": "right",
            "calcs": ["mean", "lastNotNull"],  # avg, current: the legend's order
        },
        "tooltip": {"mode": "multi", "sort": "desc"},
    }
    errors = requests["fieldConfig"]["overrides"][1]
    assert errors["matcher"] == {"id": "byRegexp", "options": "/errors.*/"}
    # yaxis 2: what the right axis has that the left one has not (unit short, hidden).
    assert errors["properties"][:2] == [
        {"id": "unit", "value": "short"},
        {"id": "custom.axisPlacement", "value": "hidden"},
    ]
    up = panels["Up"]
    assert up["options"]["colorMode"] == "background" and up["options"]["graphMode"] == "area"
    assert [s["value"] for s in up["fieldConfig"]["defaults"]["thresholds"]["steps"]] == [
        None,
        1,
        3,
    ]
    # mappingType 1 with value maps only: Grafana's step 28 keeps no mapping (its quirk).
    assert up["fieldConfig"]["defaults"]["mappings"] == []
    assert panels["Notes"]["options"] == {
        "content": "# Runbook\nSee the on-call page.",
        "mode": "markdown",
    }
    assert "content" not in panels["Notes"] and "styles" not in panels["Jobs"]
    job, interval = model["templating"]["list"]
    assert interval == {  # hideVariable goes: step 12 (before this export) made it `hide`
        "name": "interval",
        "type": "interval",
        "query": "1m,5m,10m",
        "refresh": 2,
        "current": {"text": "5m", "value": "5m"},
    }
    assert (job["refresh"], job["options"], job["datasource"]) == (1, [], "Prometheus")
    assert job["current"] == {"text": ["All"], "value": ["$__all"]}  # v23 made it a list
    assert not {"tags", "useTags", "hideLabel"} & set(job)
    assert model["annotations"]["list"][0]["datasource"] == PROM


def test_grafana_6_gauge_links_and_the_angular_table(
    migrated: dict[str, tuple[dict[str, Any], list[Any]]],
) -> None:
    model, _ = migrated["grafana6-panels.json"]
    panels = _by_title(model)
    memory = panels["Memory"]
    assert "options-gauge" not in memory
    assert memory["options"]["valueOptions"] == {
        "unit": "bytes",
        "stat": "avg",
        "decimals": 1,
        "prefix": "",
        "suffix": "",
    }
    assert [t["color"] for t in memory["options"]["thresholds"]] == ["green", "red"]  # reversed
    assert panels["CPU"]["links"] == [
        {"title": "Details", "url": "dashboard/db/my-details?$__url_time_range&$__all_variables"}
    ]
    cpu = panels["CPU"]["fieldConfig"]["defaults"]
    assert cpu["custom"]["lineStyle"] == {"fill": "dash", "dash": [5, 5]}
    assert (cpu["custom"]["pointSize"], cpu["custom"]["fillOpacity"]) == (6, 20)
    assert (cpu["max"], cpu["decimals"]) == (1, 1)
    targets = panels["Targets"]
    assert targets["type"] == "table" and targets["transformations"] == [
        {"id": "merge", "options": {"reducers": []}}
    ]
    value, hidden, link = targets["fieldConfig"]["overrides"]
    assert value["properties"][0] == {"id": "displayName", "value": "Up"}
    # parseInt("0.5") is 0: Grafana's table migration keeps the whole part.
    assert value["properties"][-1]["value"]["steps"] == [
        {"color": "red", "value": None},
        {"color": "orange", "value": 0},
        {"color": "green", "value": 1},
    ]
    assert hidden["matcher"] == {"id": "byRegexp", "options": "/__name__|job/"}
    assert hidden["properties"][0] == {"id": "custom.hidden", "value": True}
    assert link["properties"][0]["value"] == [
        {
            "title": "Open metrics",
            "url": "http://prometheus.test:9090/targets",
            "targetBlank": False,
        }
    ]
    uptime = panels["Uptime"]["fieldConfig"]["defaults"]
    assert (uptime["min"], uptime["max"], uptime["unit"]) == (0, 86400, "s")
    env = model["templating"]["list"][1]
    assert (env["type"], env["query"]) == ("constant", "prod")  # hide 2: stays a constant


def test_grafana_7_table_old_constant_and_range_maps(
    migrated: dict[str, tuple[dict[str, Any], list[Any]]],
) -> None:
    model, _ = migrated["grafana7-table-old.json"]
    cluster = model["templating"]["list"][0]
    assert (cluster["type"], cluster["query"]) == ("textbox", "eu-1")  # a shown constant
    assert cluster["current"] == {"selected": True, "text": "eu-1", "value": "eu-1"}
    panels = _by_title(model)
    table = panels["Error ratio by job"]
    assert table["fieldConfig"]["defaults"] == {"unit": "short", "custom": {}}  # align auto
    assert [p["id"] for p in table["fieldConfig"]["overrides"][0]["properties"]] == [
        "displayName",
        "unit",
        "decimals",
        "custom.cellOptions",
        "custom.align",
        "thresholds",
    ]
    assert "sort" not in table and "pageSize" not in table
    total = panels["Total errors"]
    assert total["options"]["reduceOptions"]["calcs"] == ["sum"]
    assert total["fieldConfig"]["defaults"]["noValue"] == "none"
    assert panels[""]["options"] == {"mode": "markdown", "content": "Errors per **job**."}


def test_grafana_8_and_10_later_steps_and_load_defaults(
    migrated: dict[str, tuple[dict[str, Any], list[Any]]],
) -> None:
    g8, _ = migrated["grafana8-rows.json"]
    latency = _by_title(g8)["Latency"]
    assert latency["options"]["legend"]["showLegend"] is False  # v37
    assert latency["fieldConfig"]["overrides"][-1]["matcher"] == {"id": "byType", "options": "time"}
    row = _by_title(g8)["Details"]
    assert row["targets"] == [{"refId": "A", "datasource": PROM}]  # v36, as Grafana stores it
    cells = _by_title(g8)["By instance"]["fieldConfig"]["defaults"]["custom"]
    assert cells["cellOptions"] == {"type": "color-background", "mode": "gradient"}
    g10, migrations = migrated["grafana10-graph.json"]
    layout = {p["title"]: _cell(p) for p in g10["panels"]}
    # No gridPos: the default 6 x 3 at the top left, stacked as Grafana's grid compacts them;
    # the stat moves up from y 20 to just below them.
    assert layout == {"Memory": (0, 0, 6, 3), "Help": (0, 3, 6, 3), "Instances": (0, 6, 6, 4)}
    memory = _by_title(g10)["Memory"]["fieldConfig"]["defaults"]
    assert memory["custom"]["scaleDistribution"] == {"type": "log", "log": 2}
    hide = _by_title(g10)["Instances"]["fieldConfig"]["overrides"][0]["properties"][0]["value"]
    assert hide == {"viz": True, "legend": False, "tooltip": True}  # v42
    help_panel = _by_title(g10)["Help"]
    assert help_panel["targets"] == [{"refId": "A", "datasource": PROM}]  # the default query
    assert any(m.step == "load" and m.panel == "Help" for m in migrations)


def test_build_writes_every_one_and_tsedash_validate_accepts_them(
    tmp_path: Path, run_cli: RunCli, registry_file: Path
) -> None:
    out = tmp_path / "p"
    args = ["build", "--registry", str(registry_file), "--out", str(out), "--extras", str(OLD)]
    # Every build lints its extras: old exports break the house rules (fixed datasources, no
    # `datasource` variable, a text panel's empty default query), named at their own files.
    refused = run_cli(*args)
    assert refused.exit_code == 1 and not out.exists()
    assert f"{OLD / 'grafana4-rows.json'}: error template-datasource: " in refused.stderr
    uids = ("old-g10-graph", "old-g4-rows", "old-g6-panels", "old-g7-tables", "old-g8-rows")
    rules = ("panel-datasource", "target-promql", "target-rate-interval", "template-datasource")
    exclusions = tmp_path / "lint.yaml"
    exclusions.write_text(
        "exclusions:\n"
        + "".join(
            f"  - {{rule: {rule}, dashboard: {uid}, reason: an export kept as it was saved}}\n"
            for uid in uids
            for rule in rules
        )
    )
    res = run_cli(*args, "--exclusions", str(exclusions))
    assert res.exit_code == 0, res.stderr
    written = sorted(p.name for p in (out / "dashboards/trading-ecosystem").glob("extra-*"))
    assert written == [f"extra-{name}" for name in FILES]
    assert "migrated old-g4-rows: `rows` removed: 3 rows laid out" in res.stdout
    res = run_cli("validate", "--out", str(out))
    assert res.exit_code == 0, res.stdout + res.stderr
    assert "ok: dashboards valid" in res.stdout


def test_the_sdk_reads_every_result(migrated: dict[str, tuple[dict[str, Any], list[Any]]]) -> None:
    """grafana-foundation-sdk ships no JSON Schema to check against (its models are Python
    classes), so the check is its own reading: decoded and encoded again, nothing lost."""
    package = resources.files("grafana_foundation_sdk")
    schemas = [p for p in _walk(package) if p.name.endswith((".json", ".schema.json"))]
    assert schemas == []
    for name, (model, _) in migrated.items():
        assert roundtrip_differences(model) == [], name


def _walk(node: Any) -> Iterator[Any]:
    for child in node.iterdir():
        if child.is_dir():
            yield from _walk(child)
        else:
            yield child


def test_migrate_check_is_a_ci_step(tmp_path: Path, run_cli: RunCli, registry_file: Path) -> None:
    repo = tmp_path / "exports"
    shutil.copytree(OLD, repo)
    inputs = sorted(str(p) for p in repo.glob("*.json"))
    before = {p: Path(p).read_bytes() for p in inputs}
    reg = ["--registry", str(registry_file)]
    res = run_cli("migrate", *reg, "--check", *inputs)
    assert res.exit_code == 1, res.stderr
    assert f"{len(FILES)} of {len(FILES)} file(s) would change" in res.stdout
    assert all(f"{p}: " in res.stdout for p in inputs)
    assert {p: Path(p).read_bytes() for p in inputs} == before  # --check writes nothing
    out = tmp_path / "migrated"
    res = run_cli("migrate", *reg, *inputs, "--out", str(out))
    assert res.exit_code == 0, res.stderr
    assert {p: Path(p).read_bytes() for p in inputs} == before  # the inputs are not touched
    again = sorted(str(p) for p in out.glob("*.json"))
    assert [Path(p).name for p in again] == FILES
    res = run_cli("migrate", *reg, "--check", *again)
    assert res.exit_code == 0, res.stdout + res.stderr
    assert f"0 of {len(FILES)} file(s) would change" in res.stdout
    res = run_cli("migrate", *reg, *inputs[:1], "--out", str(repo))  # their own directory
    assert res.exit_code == 0 and Path(inputs[0]).read_bytes() != before[inputs[0]]


def test_the_report_lists_each_step_and_panel(
    tmp_path: Path, run_cli: RunCli, registry_file: Path
) -> None:
    res = run_cli(
        "migrate", "--registry", str(registry_file), "--json", str(OLD / "grafana4-rows.json")
    )
    assert res.exit_code == 0, res.stderr
    [report] = json.loads(res.stdout)["files"]
    assert (report["uid"], report["schemaVersion"], report["changed"], report["written"]) == (
        "old-g4-rows",
        "13",
        True,
        None,
    )
    changes = report["changes"]
    assert {c["step"] for c in changes} >= {"v14", "v16", "v28", "v36", "load", "plugin", "save"}
    by_panel = {(c["step"], c["panel"]) for c in changes}
    assert ("plugin", "Requests") in by_panel and ("v28", "Up") in by_panel
    # One file without --out: the dashboard on stdout, the report on stderr.
    res = run_cli("migrate", "--registry", str(registry_file), str(OLD / "grafana10-graph.json"))
    assert json.loads(res.stdout)["schemaVersion"] == 42
    assert "  plugin panel 'Memory': graph → timeseries (unit bytes; legend list)" in res.stderr


def test_migrate_usage_errors(tmp_path: Path, run_cli: RunCli) -> None:
    two = [str(OLD / FILES[0]), str(OLD / FILES[1])]
    res = run_cli("migrate", *two)
    assert res.exit_code == 2 and "give --out DIR" in res.stderr
    res = run_cli("migrate", "--check", "--schema", "v2", *two)
    assert res.exit_code == 2 and "--check writes nothing" in res.stderr
    same = tmp_path / "a"
    same.mkdir()
    shutil.copy(OLD / FILES[0], same / FILES[1])
    res = run_cli("migrate", two[1], str(same / FILES[1]), "--out", str(tmp_path / "o"))
    assert res.exit_code == 2 and "have the same name" in res.stderr
    newer = tmp_path / "newer.json"  # from a Grafana one step ahead: no step goes down
    newer.write_text(
        json.dumps({"uid": "n", "title": "N", "schemaVersion": 43, "panels": [], "templating": {}})
    )
    res = run_cli("migrate", "--check", str(newer))
    assert res.exit_code == 1  # Grafana's load gives the templating its list
    assert f"{newer}: n: schemaVersion 43 (newer than 42, kept), 1 change(s)" in res.stdout
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"uid": "b", "schemaVersion": 12, "rows": [{"panels": "x"}]}))
    res = run_cli("migrate", str(bad))
    assert res.exit_code == 2
    assert f"{bad}: cannot migrate (schemaVersion 12 → 42) at /rows/0/panels: expected a list" in (
        res.stderr
    )


def test_schema_v2_converts_what_was_migrated(
    tmp_path: Path, run_cli: RunCli, registry_file: Path
) -> None:
    names = sorted(p.name for p in OLD.glob("*.json"))
    out = tmp_path / "v2"
    res = run_cli(
        "migrate",
        "--registry",
        str(registry_file),
        "--schema",
        "v2",
        *(str(OLD / n) for n in names),
        "--out",
        str(out),
    )
    assert res.exit_code == 0, res.stderr
    for name in names:
        made = json.loads((out / name).read_text())
        assert made["apiVersion"].startswith("dashboard.grafana.app/v2")
        assert made["kind"] == "Dashboard" and made["metadata"]["name"].startswith("old-g")

"""Extra dashboards (`./extras`, `--extras`): loaded, validated, linted and pushed like ours."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

import tsedash_dashboards
from tsedash import pipeline
from tsedash.extra import ExtraDashboardError, load_extras
from tsedash.registry import load_registry

from .conftest import ROOT, Result
from .dashboard_helpers import FIXTURE

RunCli = Callable[..., Result]
EXAMPLES = ROOT / "examples/extras"
REGISTRY = load_registry(FIXTURE)

GRAFANALIB_GRAPH = """\
from grafanalib.core import Dashboard, Graph, GridPos, Target

dashboard = Dashboard(
    title="Legacy Graphs",
    uid="legacy-graphs",
    panels=[Graph(title="Old", dataSource="${datasource}", targets=[Target(expr="up", refId="A")],
                  gridPos=GridPos(h=8, w=12, x=0, y=0))],
).auto_panel_ids()
"""


def test_repo_examples_load() -> None:
    loaded = {spec.filename: (spec, model) for spec, model in load_extras(EXAMPLES, REGISTRY)}
    assert set(loaded) == {
        "extra-instance-uptime.json",  # a bare model, as pulled
        "extra-request-rates.json",  # a grafana-foundation-sdk builder
        "extra-scrape-health.json",  # a dict
        "extra-team-red.json",  # grafanalib, migrated
    }
    assert [spec.filename for spec, _ in load_extras(EXAMPLES, REGISTRY) if spec.migrations] == [
        "extra-team-red.json"
    ]
    spec, model = loaded["extra-request-rates.json"]
    assert spec.source.endswith("request-rates.dashboard.py")
    assert model["uid"] == "tse-extra-requests" and model["panels"][1]["type"] == "timeseries"


def test_build_validates_and_writes_the_extras(tmp_path: Path) -> None:
    result = pipeline.build(FIXTURE, tsedash_dashboards, tmp_path / "p", extras=EXAMPLES)
    written = sorted(p.name for p in (tmp_path / "p/dashboards/trading-ecosystem").glob("extra-*"))
    assert written == [
        "extra-instance-uptime.json",
        "extra-request-rates.json",
        "extra-scrape-health.json",
        "extra-team-red.json",
    ]
    assert [spec.uid for spec, _ in result.dashboards][2:] == [
        "tse-extra-uptime",
        "tse-extra-requests",
        "tse-extra-scrape",
        "tse-extra-team-red",
    ]


# The dashboard of the issue, written the way grafanalib's docs write one.
TEAM_RED = """\
from grafanalib.core import Dashboard, GridPos, Stat, Target, TimeSeries

dashboard = Dashboard(title="Team RED", uid="team-red", panels=[
    TimeSeries(title="Requests", dataSource="prometheus",
               targets=[Target(expr="sum(rate(http_requests_total[5m]))", refId="A")],
               gridPos=GridPos(h=8, w=12, x=0, y=0)),
    Stat(title="Up", dataSource="prometheus", targets=[Target(expr="sum(up)", refId="A")],
         gridPos=GridPos(h=8, w=12, x=12, y=0)),
]).auto_panel_ids()
"""

TEAM_RED_EXCLUSIONS = "exclusions:\n" + "".join(
    f"  - {{rule: {rule}, dashboard: team-red, reason: written the way grafanalib's docs do}}\n"
    for rule in ("template-datasource", "panel-datasource", "target-rate-interval")
)

LEGACY = """\
from grafanalib.core import (
    Dashboard, Graph, GridPos, SingleStat, SparkLine, Target, YAxes, YAxis, Legend, Tooltip,
)

dashboard = Dashboard(title="Legacy", uid="legacy", sharedCrosshair=True, panels=[
    Graph(title="Latency", dataSource="Prometheus Test",
          targets=[Target(expr="up", refId="A"), Target(expr="up", refId="B")],
          yAxes=YAxes(left=YAxis(format="s", min=0, max="10", label="seconds")),
          legend=Legend(alignAsTable=True, rightSide=True, avg=True, max=True, values=True),
          stack=True, fill=3, lineWidth=2, aliasColors={"p99": "red"},
          seriesOverrides=[{"alias": "/p9.*/", "fill": 0, "linewidth": 3, "zindex": 2}],
          tooltip=Tooltip(shared=True),
          gridPos=GridPos(h=8, w=12, x=0, y=0)),
    SingleStat(title="Health", dataSource="prom-test", targets=[Target(expr="up", refId="A")],
               format="percent", valueName="current", decimals=1, prefix="~",
               thresholds="50,80", colors=["red", "orange", "green"],
               colorBackground=True, sparkline=SparkLine(show=True),
               valueMaps=[{"value": "0", "op": "=", "text": "DOWN"}],
               gridPos=GridPos(h=8, w=12, x=12, y=0)),
]).auto_panel_ids()
"""


def _extras(tmp_path: Path, **files: str) -> Path:
    extras = tmp_path / "extra"
    extras.mkdir()
    for name, text in files.items():
        (extras / name).write_text(text)
    return extras


def test_the_grafanalib_dashboard_builds_with_a_migration_report(
    tmp_path: Path, run_cli: RunCli
) -> None:
    extras = _extras(tmp_path, **{"team.dashboard.py": TEAM_RED})
    out = tmp_path / "p"
    registry = str(ROOT / "instances.yaml")  # its datasource is named (uid) prometheus
    args = ["build", "--registry", registry, "--out", str(out), "--extras", str(extras)]
    # Every build lints an extra: grafanalib's style breaks three rules that are errors.
    refused = run_cli(*args)
    assert refused.exit_code == 1 and "lint failed; nothing written" in refused.stderr
    assert f"{extras / 'team.dashboard.py'}:4: error panel-datasource: " in refused.stderr
    assert not out.exists()
    (tmp_path / "lint.yaml").write_text(TEAM_RED_EXCLUSIONS)
    args += ["--exclusions", str(tmp_path / "lint.yaml")]
    res = run_cli(*args)
    assert res.exit_code == 0, res.stderr
    report = [line for line in res.stdout.splitlines() if line.startswith("migrated ")]
    assert "migrated team-red: schemaVersion 12 → 42" in report
    assert (
        "migrated team-red panel 'Requests': `datasource` `prometheus` → "
        '{"type": "prometheus", "uid": "prometheus"} (v33)' in report
    )
    assert (
        "migrated team-red panel 'Up': query `A`: `datasource` null → the panel's "
        '{"type": "prometheus", "uid": "prometheus"} (v36)' in report
    )
    nulls = next(r for r in report if r.startswith("migrated team-red panel 'Requests': null"))
    assert "description" in nulls and "repeatDirection" in nulls  # grafanalib's nulls, named
    assert nulls.endswith("(save)")
    model = json.loads((out / "dashboards/trading-ecosystem/extra-team.json").read_text())
    assert model["schemaVersion"] == 42
    assert all(
        p["datasource"] == {"type": "prometheus", "uid": "prometheus"} for p in model["panels"]
    )
    assert "null" not in json.dumps(model["panels"][0])  # grafanalib's nulls are gone
    listed = json.loads(run_cli(*args, "--json").stdout)["migrations"]
    assert {
        "uid": "team-red",
        "panel": "",
        "change": "schemaVersion 12 → 42",
        "step": "",
        "version": None,
    } in listed
    # Built again from the migrated file, nothing needs migrating.
    (tmp_path / "again").mkdir()
    again = _extras(tmp_path / "again", **{"team.json": json.dumps(model)})
    assert load_extras(again, REGISTRY)[0][0].migrations == ()


def test_graph_and_singlestat_are_migrated_as_grafana_does(tmp_path: Path) -> None:
    extras = _extras(tmp_path, **{"legacy.dashboard.py": LEGACY})
    # Validates: no finding. The fixture's datasource is named "Prometheus Test" (uid prom-test).
    result = pipeline.build(FIXTURE, tsedash_dashboards, tmp_path / "p", extras=extras)
    [(spec, model)] = [(s, m) for s, m in result.dashboards if s.uid == "legacy"]
    assert model["graphTooltip"] == 1 and "sharedCrosshair" not in model
    graph, stat = model["panels"]
    assert graph["type"] == "timeseries"
    defaults = graph["fieldConfig"]["defaults"]
    assert (defaults["unit"], defaults["min"], defaults["max"]) == ("s", 0, 10)
    custom = defaults["custom"]
    assert custom["axisLabel"] == "seconds" and custom["lineWidth"] == 2
    assert custom["fillOpacity"] == 30 and custom["stacking"] == {"mode": "normal", "group": "A"}
    assert graph["options"]["legend"] == {
        "displayMode": "table",
        "showLegend": True,
        "placement": "right",
        "calcs": ["mean", "max"],  # avg, max: in the order the legend holds them
    }
    assert graph["options"]["tooltip"]["mode"] == "multi"
    overrides = graph["fieldConfig"]["overrides"]
    assert overrides[0] == {
        "matcher": {"id": "byName", "options": "p99"},
        "properties": [{"id": "color", "value": {"mode": "fixed", "fixedColor": "red"}}],
    }
    assert overrides[1]["matcher"] == {"id": "byRegexp", "options": "/p9.*/"}
    assert overrides[1]["properties"] == [
        {"id": "custom.fillOpacity", "value": 0},
        {"id": "custom.lineWidth", "value": 3},
    ]
    assert stat["type"] == "stat"
    assert stat["options"]["reduceOptions"]["calcs"] == ["lastNotNull"]
    assert (stat["options"]["graphMode"], stat["options"]["colorMode"]) == ("area", "background")
    sdef = stat["fieldConfig"]["defaults"]
    assert (sdef["unit"], sdef["decimals"], sdef["min"], sdef["max"]) == ("percent", 1, 0, 100)
    assert sdef["thresholds"]["steps"] == [
        {"color": "red", "value": None},
        {"color": "orange", "value": 50},
        {"color": "green", "value": 80},
    ]
    # grafanalib writes `mappingType: 1` beside its value maps; Grafana's step 28 compares the
    # JSON number with the Go integer 1 for range maps and 2 for value maps, so it keeps no
    # mapping at all (knowingly as Grafana).
    assert sdef["mappings"] == []
    changes = [str(m) for m in spec.migrations]
    assert (
        "legacy panel 'Latency': graph → timeseries (unit s; 2 override(s); stacked; legend "
        "table; not carried over: seriesOverrides.zindex) (plugin)" in changes
    ), changes
    removed = next(c for c in changes if c.startswith("legacy panel 'Health': removed with"))
    assert "prefix" in removed and removed.endswith("(v28)")


def test_strict_extras_refuses_what_needed_a_migration(tmp_path: Path, run_cli: RunCli) -> None:
    extras = _extras(tmp_path, **{"team.dashboard.py": TEAM_RED})
    out = tmp_path / "p"
    args = ["build", "--registry", str(FIXTURE), "--out", str(out), "--extras", str(extras)]
    res = run_cli(*args, "--strict-extras")
    assert res.exit_code == 1
    assert "--strict-extras: 1 extra dashboard(s) need a migration (team-red)" in res.stderr
    assert "needs migration: team-red: schemaVersion 12 → 42" in res.stderr
    assert not out.exists()  # nothing written
    # The shipped examples are current except the grafanalib one, which is migrated.
    res = run_cli("build", "--out", str(out), "--extras", str(EXAMPLES), "--strict-extras")
    assert res.exit_code == 1 and "(tse-extra-team-red)" in res.stderr


def test_an_unknown_datasource_name_is_kept_and_reported(tmp_path: Path, run_cli: RunCli) -> None:
    extras = _extras(tmp_path, **{"other.dashboard.py": TEAM_RED.replace('"prometheus"', '"Loki"')})
    out = tmp_path / "p"
    res = run_cli("build", "--registry", str(FIXTURE), "--out", str(out), "--extras", str(extras))
    assert (
        "panel 'Requests': `datasource` `Loki` is not a known datasource: kept as "
        '{"uid": "Loki"} (v33)' in res.stdout + res.stderr
    )
    assert res.exit_code == 1  # validation refuses a foreign datasource uid
    assert "datasource uid 'Loki' is not" in res.stderr


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("bad.dashboard.py", "dashboard = {\n", "bad.dashboard.py:1: syntax error"),
        (
            "boom.dashboard.py",
            "x = 1\ndashboard = undefined_name\n",
            "boom.dashboard.py:2: NameError",
        ),
        ("none.dashboard.py", "x = 1\n", "defines no `dashboard`"),
        (
            "raises.dashboard.py",
            "def dashboard(registry):\n    return 1 / 0\n",
            "raises.dashboard.py:2: ZeroDivisionError",
        ),
        (
            "tojson.dashboard.py",
            "class D:\n    def to_json_data(self):\n        raise KeyError('x')\ndashboard = D()\n",
            "tojson.dashboard.py:3: KeyError",
        ),
        ("int.dashboard.py", "dashboard = 3\n", "`dashboard` is a int"),
        ("bad.json", '{"uid": "x",\n  "title": }\n', "bad.json:2: not valid JSON"),
        (
            "wrapped.json",
            '{"dashboard": {"uid": "x", "title": "X"}}',
            'wrapped in {"dashboard": …}',
        ),
        ("nouid.json", '{"title": "X"}', "has no `uid`"),
        ("list.json", "[1]", "must be a JSON object"),
    ],
)
def test_a_broken_extra_stops_the_build(
    tmp_path: Path, run_cli: RunCli, name: str, content: str, message: str
) -> None:
    extras = tmp_path / "extra"
    extras.mkdir()
    (extras / name).write_text(content)
    with pytest.raises(ExtraDashboardError, match=None) as info:
        load_extras(extras, REGISTRY)
    assert message in str(info.value)
    out = tmp_path / "p"
    res = run_cli("build", "--registry", str(FIXTURE), "--out", str(out), "--extras", str(extras))
    assert res.exit_code == 2
    assert message in res.stderr
    assert not out.exists()  # all or nothing


def test_push_handles_extras(run_cli: RunCli, tmp_path: Path) -> None:
    from .grafana_double import ADMIN_TOKEN, GrafanaDouble

    out = tmp_path / "p"
    pipeline.build(ROOT / "instances.yaml", tsedash_dashboards, out, extras=EXAMPLES)
    with GrafanaDouble() as grafana:
        res = run_cli(
            "push",
            "--out",
            str(out),
            env={"GRAFANA_URL": grafana.url, "GRAFANA_TOKEN": ADMIN_TOKEN},
        )
        assert res.exit_code == 0, res.stderr
        assert "6 created" in res.stdout
        assert (
            json.loads(json.dumps(grafana.state.dashboards["tse-extra-uptime"].model))["title"]
            == "Instance Uptime"
        )
        res = run_cli(
            "diff",
            "--out",
            str(out),
            env={"GRAFANA_URL": grafana.url, "GRAFANA_TOKEN": ADMIN_TOKEN},
        )
        assert res.exit_code == 0 and "tse-extra-requests: equal" in res.stdout
        # The migrated grafanalib dashboard, pushed and pulled back, equals the migrated file
        # as Grafana stores it (its save-time defaults and clean-up applied).
        pulled = tmp_path / "pulled.json"
        res = run_cli(
            "pull",
            "--uid",
            "tse-extra-team-red",
            "--out",
            str(pulled),
            env={"GRAFANA_URL": grafana.url, "GRAFANA_TOKEN": ADMIN_TOKEN},
        )
        assert res.exit_code == 0, res.stderr
        built = json.loads((out / "dashboards/trading-ecosystem/extra-team-red.json").read_text())
        assert json.loads(pulled.read_text()) == grafana.state.as_saved(built)


def test_an_optional_library_missing_in_the_extra_s_process_names_the_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tsedash.extra import evaluate_python

    extras = _extras(
        tmp_path, **{"team.dashboard.py": TEAM_RED, "own.dashboard.py": "import nope\n"}
    )
    monkeypatch.setitem(sys.modules, "grafanalib", None)  # as if not installed
    monkeypatch.delitem(sys.modules, "grafanalib.core", raising=False)
    with pytest.raises(ExtraDashboardError) as info:
        evaluate_python(extras / "team.dashboard.py", REGISTRY)
    assert str(info.value) == (
        f"{extras / 'team.dashboard.py'}: needs grafanalib: pip install 'tsedash[grafanalib]'"
    )
    with pytest.raises(ExtraDashboardError) as info:
        evaluate_python(extras / "own.dashboard.py", REGISTRY)
    assert str(info.value) == (
        f"{extras / 'own.dashboard.py'}:1: ModuleNotFoundError: No module named 'nope'"
    )

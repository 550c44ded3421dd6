"""Extra dashboards (dashboards/extra): loaded, validated, linted and pushed like ours."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from tsedash import pipeline
from tsedash.extra import DEFAULT_DIR, ExtraDashboardError, load_extras
from tsedash.validate import ValidationFailed

from .conftest import ROOT, Result
from .dashboard_helpers import FIXTURE

RunCli = Callable[..., Result]

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
    loaded = {spec.filename: (spec, model) for spec, model in load_extras(DEFAULT_DIR)}
    assert set(loaded) == {
        "extra-instance-uptime.json",  # a bare model, as pulled
        "extra-request-rates.json",  # a grafana-foundation-sdk builder
        "extra-scrape-health.json",  # a dict
    }
    spec, model = loaded["extra-request-rates.json"]
    assert spec.source.endswith("request-rates.dashboard.py")
    assert model["uid"] == "tse-extra-requests" and model["panels"][1]["type"] == "timeseries"


def test_build_validates_and_writes_the_extras(tmp_path: Path) -> None:
    result = pipeline.build(FIXTURE, tmp_path / "p")
    written = sorted(p.name for p in (tmp_path / "p/dashboards/trading-ecosystem").glob("extra-*"))
    assert written == [
        "extra-instance-uptime.json",
        "extra-request-rates.json",
        "extra-scrape-health.json",
    ]
    assert [spec.uid for spec, _ in result.dashboards][2:] == [
        "tse-extra-uptime",
        "tse-extra-requests",
        "tse-extra-scrape",
    ]


def test_grafanalib_graph_panels_are_reported_not_changed(tmp_path: Path, run_cli: RunCli) -> None:
    extras = tmp_path / "extra"
    extras.mkdir()
    (extras / "legacy.dashboard.py").write_text(GRAFANALIB_GRAPH)
    [(_, model)] = load_extras(extras)
    assert model["panels"][0]["type"] == "graph"  # kept as written
    out = tmp_path / "p"
    pipeline.build(FIXTURE, out, extras=None)
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    with pytest.raises(ValidationFailed) as info:
        pipeline.build(FIXTURE, out, extras=extras)
    messages = [str(f) for f in info.value.findings]
    assert any(
        "legacy-graphs panel 'Old'" in m and "'graph' is an Angular-era panel type" in m
        for m in messages
    )
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before
    res = run_cli("build", "--registry", str(FIXTURE), "--out", str(out), "--extras", str(extras))
    assert res.exit_code == 1 and "Angular-era" in res.stderr


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("bad.dashboard.py", "dashboard = {\n", "bad.dashboard.py:1: syntax error"),
        (
            "boom.dashboard.py",
            "x = 1\ndashboard = undefined_name\n",
            "boom.dashboard.py:2: NameError",
        ),
        ("none.dashboard.py", "x = 1\n", "defines no module-level `dashboard`"),
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
        load_extras(extras)
    assert message in str(info.value)
    out = tmp_path / "p"
    res = run_cli("build", "--registry", str(FIXTURE), "--out", str(out), "--extras", str(extras))
    assert res.exit_code == 2
    assert message in res.stderr
    assert not out.exists()  # all or nothing


def test_push_handles_extras(run_cli: RunCli, tmp_path: Path) -> None:
    from .grafana_double import ADMIN_TOKEN, GrafanaDouble

    out = tmp_path / "p"
    pipeline.build(ROOT / "instances.yaml", out)
    with GrafanaDouble() as grafana:
        res = run_cli(
            "push",
            "--out",
            str(out),
            env={"GRAFANA_URL": grafana.url, "GRAFANA_TOKEN": ADMIN_TOKEN},
        )
        assert res.exit_code == 0, res.stderr
        assert "5 created" in res.stdout
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

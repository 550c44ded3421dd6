"""Datasources known by name: the registry's `datasource.grafana` list, what old dashboards'
names resolve to, and `tsedash pull --datasources` filling it from a Grafana (the double's
`GET /api/datasources`, as Grafana's data source API answers)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from tsedash.registry import GrafanaDatasource, load_registry

from .conftest import Result
from .dashboard_helpers import FIXTURE
from .grafana_double import ADMIN_TOKEN, VIEWER_TOKEN, GrafanaDouble, datasource

RunCli = Callable[..., Result]
DATASOURCE_LINE = (
    'datasource: {uid: prom-test, name: Prometheus Test, url: "http://prometheus.test:9090"}\n'
)
BLOCK = """\
# The Prometheus every dashboard reads (provisioned by tsedash).
datasource:
  uid: prom-test   # the uid the dashboards name
  name: Prometheus Test
  url: "http://prometheus.test:9090"
"""


def _registry(tmp_path: Path, block: str = BLOCK) -> Path:
    text = FIXTURE.read_text()
    assert DATASOURCE_LINE in text
    path = tmp_path / "instances.yaml"
    path.write_text(text.replace(DATASOURCE_LINE, block))
    return path


def test_the_registry_lists_grafanas_datasources(tmp_path: Path) -> None:
    path = _registry(
        tmp_path,
        BLOCK + "  grafana:\n    - {name: Loki, uid: loki-1, type: loki, default: true}\n",
    )
    ds = load_registry(path).datasource
    assert ds.grafana == (GrafanaDatasource("Loki", "loki-1", "loki", True),)
    assert (ds.uid, ds.name) == ("prom-test", "Prometheus Test")


def test_a_listed_datasource_without_a_type_is_a_located_error(
    tmp_path: Path, run_cli: RunCli
) -> None:
    path = _registry(tmp_path, BLOCK + "  grafana:\n    - {name: Loki, uid: loki-1}\n")
    res = run_cli("registry", "check", "--registry", str(path))
    assert res.exit_code == 2
    line = path.read_text().splitlines().index("    - {name: Loki, uid: loki-1}") + 1
    assert f"{path}:{line}:" in res.stderr and "type" in res.stderr


def test_an_unknown_name_is_reported_and_kept_as_grafana_keeps_it(
    tmp_path: Path, run_cli: RunCli
) -> None:
    old = {
        "uid": "names",
        "title": "Names",
        "schemaVersion": 30,
        "panels": [
            {
                "id": 1,
                "type": "timeseries",
                "title": "Logs",
                "datasource": "Elastic",
                "gridPos": {"x": 0, "y": 0, "w": 12, "h": 8},
                "targets": [{"expr": "up", "refId": "A"}],
            }
        ],
    }
    file = tmp_path / "names.json"
    file.write_text(json.dumps(old))
    res = run_cli("migrate", "--registry", str(_registry(tmp_path)), str(file))
    assert res.exit_code == 0, res.stderr
    panel = json.loads(res.stdout)["panels"][0]
    assert panel["datasource"] == {"uid": "Elastic"}
    assert panel["targets"][0]["datasource"] == {"uid": "Elastic"}
    assert "v33 panel 'Logs': `datasource` `Elastic` is not a known datasource" in res.stderr


def test_pull_datasources_fills_the_registry_and_keeps_the_rest(
    tmp_path: Path, run_cli: RunCli
) -> None:
    path = _registry(tmp_path)
    before = path.read_text()
    with GrafanaDouble() as grafana:
        grafana.state.datasources[1] = [
            datasource("Prometheus", uid="prom-test", number=1),
            datasource("Loki", kind="loki", uid="loki-1", default=True, number=2),
        ]
        env = {"GRAFANA_URL": grafana.url, "GRAFANA_TOKEN": ADMIN_TOKEN}
        res = run_cli("pull", "--datasources", "--registry", str(path), env=env)
        assert res.exit_code == 0, res.stderr
        assert "wrote 2 datasource(s)" in res.stdout and "default: Loki" in res.stdout
        asked = [r.path for r in grafana.state.requests]
        assert "/api/datasources" in asked
        assert not grafana.state.writes()
        # Again, with one datasource less: the list is replaced, not added to.
        grafana.state.datasources[1] = grafana.state.datasources[1][:1]
        assert run_cli("pull", "--datasources", "--registry", str(path), env=env).exit_code == 0
    after = path.read_text()
    assert "  grafana:\n    - {name: Prometheus, uid: prom-test, type: prometheus}\n" in after
    assert (
        after.replace(  # everything else, comments included, byte for byte
            "  grafana:\n    - {name: Prometheus, uid: prom-test, type: prometheus}\n", ""
        )
        == before
    )
    ds = load_registry(path).datasource
    assert ds.grafana == (GrafanaDatasource("Prometheus", "prom-test", "prometheus", False),)


def test_pull_datasources_needs_the_right_to_read_them(tmp_path: Path, run_cli: RunCli) -> None:
    path = _registry(tmp_path)
    before = path.read_text()
    with GrafanaDouble() as grafana:
        env = {"GRAFANA_URL": grafana.url, "GRAFANA_TOKEN": VIEWER_TOKEN}
        res = run_cli("pull", "--datasources", "--registry", str(path), env=env)
    assert res.exit_code == 3
    assert "403" in res.stderr and "datasources:read" in res.stderr
    assert path.read_text() == before
    res = run_cli("pull", "--registry", str(path))
    assert res.exit_code == 2 and "--uid UID" in res.stderr
    res = run_cli("pull", "--datasources", "--uid", "x")
    assert res.exit_code == 2 and "cannot go with --uid" in res.stderr


def test_a_datasource_written_as_a_flow_mapping_becomes_a_block(
    tmp_path: Path, run_cli: RunCli
) -> None:
    """The shipped registry writes `datasource: {uid: …, name: …, url: …}` on one line."""
    path = tmp_path / "instances.yaml"
    path.write_text(FIXTURE.read_text())
    with GrafanaDouble() as grafana:  # its Grafana has one datasource, the default
        env = {"GRAFANA_URL": grafana.url, "GRAFANA_TOKEN": ADMIN_TOKEN}
        res = run_cli("pull", "--datasources", "--registry", str(path), env=env)
    assert res.exit_code == 0, res.stderr
    assert (
        "datasource:\n  uid: prom-test\n  name: Prometheus Test\n"
        '  url: "http://prometheus.test:9090"\n  grafana:\n'
        "    - {name: Prometheus, uid: prometheus, type: prometheus, default: true}\n"
    ) in path.read_text()
    ds = load_registry(path).datasource
    assert (ds.uid, ds.url) == ("prom-test", "http://prometheus.test:9090")
    assert ds.grafana == (GrafanaDatasource("Prometheus", "prometheus", "prometheus", True),)

"""An unchanged `tsedash build` is recognised from its stamp, without building again."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from tsedash.buildcache import stamp_path

from .conftest import ROOT, Result
from .dashboard_helpers import FIXTURE

RunCli = Callable[..., Result]
DEVOPS = "dashboards/trading-ecosystem/devops-docker-view.json"


def _build(run_cli: RunCli, registry: Path, out: Path, *args: str) -> Result:
    res = run_cli("build", "--registry", str(registry), "--out", str(out), *args)
    assert res.exit_code == 0, res.stderr
    return res


def test_an_unchanged_build_is_reused_and_says_the_same(run_cli: RunCli, tmp_path: Path) -> None:
    out = tmp_path / "p"
    first = _build(run_cli, FIXTURE, out)
    assert first.stdout.endswith("4 written, 0 unchanged, 0 removed\n")
    assert stamp_path(out).is_file()
    assert sorted(p.name for p in out.iterdir()) == [
        ".tsedash-build-files",
        "dashboards",
        "datasources",
    ]
    second = _build(run_cli, FIXTURE, out)
    assert (
        second.stdout
        == f"{out}: 2 dashboards from 4 instances; 0 written, 4 unchanged, 0 removed\n"
    )
    full = _build(run_cli, FIXTURE, out, "--rebuild")
    assert full.stdout == second.stdout  # the full build finds the same files
    reused = json.loads(_build(run_cli, FIXTURE, out, "--json").stdout)
    rebuilt = json.loads(_build(run_cli, FIXTURE, out, "--json", "--rebuild").stdout)
    assert reused == rebuilt
    assert reused["unchanged"] and not reused["written"]


def test_any_change_to_an_input_or_an_output_builds_again(run_cli: RunCli, tmp_path: Path) -> None:
    registry = tmp_path / "instances.yaml"
    shutil.copy(FIXTURE, registry)
    out = tmp_path / "p"
    _build(run_cli, registry, out)
    # An output edited by hand: rewritten.
    (out / DEVOPS).write_text("{}\n")
    res = _build(run_cli, registry, out)
    assert f"wrote    {out / DEVOPS}" in res.stdout
    # An output deleted: written again.
    (out / DEVOPS).unlink()
    assert f"wrote    {out / DEVOPS}" in _build(run_cli, registry, out).stdout
    # The registry changed: a new build (the datasource file changes).
    registry.write_text(registry.read_text().replace("Prometheus Test", "Prometheus Other"))
    res = _build(run_cli, registry, out)
    assert "datasources/prometheus.yml" in res.stdout
    # Another output directory has its own stamp.
    assert "4 written" in _build(run_cli, registry, tmp_path / "q").stdout


def test_extras_written_in_python_are_never_reused(run_cli: RunCli, tmp_path: Path) -> None:
    extras = tmp_path / "extras"
    extras.mkdir()
    (extras / "x.dashboard.py").write_text(
        "def dashboard(registry):\n    return {'uid': 'x', 'title': 'X', 'panels': [],"
        " 'templating': {'list': [DATASOURCE]}}\n"
        "DATASOURCE = {'name': 'datasource', 'type': 'datasource', 'query': 'prometheus'}\n"
    )
    out = tmp_path / "p"
    _build(run_cli, FIXTURE, out, "--extras", str(extras))
    assert not stamp_path(out).exists()
    # JSON extras are inputs like the registry: a changed one builds again.
    shutil.copy(ROOT / "examples/extras/instance-uptime.json", tmp_path / "uptime.json")
    (extras / "x.dashboard.py").unlink()
    (extras / "uptime.json").write_text((tmp_path / "uptime.json").read_text())
    _build(run_cli, FIXTURE, out, "--extras", str(extras))
    assert stamp_path(out).is_file()
    text = (extras / "uptime.json").read_text().replace("Instance Uptime", "Uptime")
    (extras / "uptime.json").write_text(text)
    assert "extra-uptime.json" in _build(run_cli, FIXTURE, out, "--extras", str(extras)).stdout


def test_registry_warnings_are_printed_again_when_reused(
    run_cli: RunCli, tmp_path: Path, write_registry: Callable[[str], Path]
) -> None:
    text = FIXTURE.read_text().replace("    acknowledge: {name-case: the seed's spelling}\n", "")
    registry = write_registry(text)
    out = tmp_path / "p"
    first = _build(run_cli, registry, out)
    assert "warning" in first.stderr
    assert _build(run_cli, registry, out).stderr == first.stderr


def test_a_reused_build_loads_neither_the_registry_schema_nor_the_sdk(tmp_path: Path) -> None:
    out = tmp_path / "p"
    code = (
        "import sys\n"
        "from tsedash.cli import main\n"
        f"try:\n    main(['build', '--registry', {str(FIXTURE)!r}, '--out', {str(out)!r}])\n"
        "except SystemExit as exc:\n    assert not exc.code\n"
        "print(' '.join(sorted({m.split('.')[0] for m in sys.modules})))\n"
    )

    def loaded() -> set[str]:
        res = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=True
        )
        return set(res.stdout.splitlines()[-1].split())

    assert {"grafana_foundation_sdk", "jsonschema"} <= loaded()  # the first build
    assert not {"grafana_foundation_sdk", "jsonschema", "yaml", "tsedash_dashboards"} & loaded()


def test_make_dashboards_is_one_process_and_lint_stops_it_before_writing(
    run_cli: RunCli, tmp_path: Path
) -> None:
    out, deploy = tmp_path / "p", tmp_path / "d"
    args = ["--lint", "--strict", "--deploy", str(deploy)]
    first = _build(run_cli, FIXTURE, out, *args)
    assert "lint: 0 errors" in first.stdout and f"{deploy}: 4 instances; " in first.stdout
    assert (deploy / "prometheus/prometheus.yml").is_file()
    written = re.search(rf"{deploy}: 4 instances; (\d+) written", first.stdout)
    assert written is not None
    again = _build(run_cli, FIXTURE, out, *args)
    assert again.stdout.splitlines()[-1] == (
        f"{deploy}: 4 instances; 0 written, {written[1]} unchanged, 0 removed"
    )
    assert "lint: 0 errors" in again.stdout  # the lint result is reported again
    # A deploy file deleted: the next run writes it again.
    (deploy / "prometheus/prometheus.yml").unlink()
    assert (
        f"wrote    {deploy / 'prometheus/prometheus.yml'}"
        in _build(run_cli, FIXTURE, out, *args).stdout
    )
    # A dashboard that breaks a lint rule (no unit: a warning, fatal with --strict): nothing written.
    extras = tmp_path / "extras"
    extras.mkdir()
    model = json.loads((ROOT / "examples/extras/instance-uptime.json").read_text())
    for panel in model["panels"]:
        panel.get("fieldConfig", {}).get("defaults", {}).pop("unit", None)
    (extras / "uptime.json").write_text(json.dumps(model))
    fresh = tmp_path / "fresh"
    res = run_cli(
        "build", "--registry", str(FIXTURE), "--out", str(fresh), "--extras", str(extras), *args
    )
    assert res.exit_code == 1
    assert "panel-units" in res.stderr and "lint failed; nothing written" in res.stderr
    assert not fresh.exists()
    as_json = run_cli(
        "build",
        "--registry",
        str(FIXTURE),
        "--out",
        str(fresh),
        "--extras",
        str(extras),
        "--json",
        *args,
    )
    assert as_json.exit_code == 1 and as_json.stdout == "" and "panel-units" in as_json.stderr

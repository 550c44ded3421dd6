"""`tsedash build`: deterministic, atomic, all-or-nothing, and the committed output is fresh."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

import tsedash_dashboards
from tsedash import pipeline
from tsedash.provisioning import MANIFEST
from tsedash.registry import Registry
from tsedash.validate import ValidationFailed
from tsedash_dashboards import build_all
from tsedash_dashboards.common import DashboardSpec

from .conftest import ROOT, Result
from .dashboard_helpers import FIXTURE

RunCli = Callable[..., Result]
DASH_DIR = Path("dashboards/trading-ecosystem")


def snapshot(out: Path) -> dict[str, bytes]:
    return {str(p.relative_to(out)): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}


def test_build_writes_the_provisioning_layout(run_cli: RunCli, tmp_path: Path) -> None:
    out = tmp_path / "prov"
    res = run_cli("build", "--registry", str(FIXTURE), "--out", str(out))
    assert res.exit_code == 0, res.stderr
    assert sorted(snapshot(out)) == [
        MANIFEST,
        "dashboards/trading-ecosystem.yml",
        "dashboards/trading-ecosystem/devops-docker-view.json",
        "dashboards/trading-ecosystem/simulation-entity-view.json",
        "datasources/prometheus.yml",
    ]
    provider = yaml.safe_load((out / "dashboards/trading-ecosystem.yml").read_text())
    assert provider["apiVersion"] == 1
    [p] = provider["providers"]
    assert (p["folder"], p["folderUid"], p["type"]) == (
        "Trading Ecosystem",
        "trading-ecosystem",
        "file",
    )
    assert p["options"]["path"] == "/etc/grafana/provisioning/dashboards/trading-ecosystem"
    ds = yaml.safe_load((out / "datasources/prometheus.yml").read_text())
    [d] = ds["datasources"]
    assert (d["uid"], d["isDefault"], d["access"], d["url"]) == (
        "prom-test",
        True,
        "proxy",
        "http://prometheus.test:9090",
    )
    for name in ("devops-docker-view.json", "simulation-entity-view.json"):
        raw = (out / DASH_DIR / name).read_text()
        model = json.loads(raw)
        assert "dashboard" not in model and model["title"]  # bare model, not the API wrapper
        assert (
            raw.endswith("}\n")
            and raw == json.dumps(model, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
        )
    # The manifest is not a *.json: Grafana would read it as a dashboard.
    assert not MANIFEST.endswith(".json")
    assert "4 written, 0 unchanged, 0 removed" in res.stdout


def test_build_is_byte_identical_twice(tmp_path: Path) -> None:
    pipeline.build(FIXTURE, tsedash_dashboards, tmp_path / "a")
    first = snapshot(tmp_path / "a")
    result = pipeline.build(FIXTURE, tsedash_dashboards, tmp_path / "a")
    assert result.report is not None and result.report.written == []
    assert snapshot(tmp_path / "a") == first


def test_build_is_identical_across_registry_key_order(tmp_path: Path) -> None:
    data = yaml.safe_load(FIXTURE.read_text())

    def reorder(value: object) -> object:
        if isinstance(value, dict):
            # Reverse key order everywhere except where order is meaning (categories, services).
            keys = list(value)
            if not {"central", "audit-correlator"} & set(keys):
                keys.reverse()
            return {k: reorder(value[k]) for k in keys}
        if isinstance(value, list):
            return [reorder(v) for v in value]
        return value

    shuffled = tmp_path / "shuffled.yaml"
    shuffled.write_text(yaml.safe_dump(reorder(data), sort_keys=False))
    assert shuffled.read_text() != FIXTURE.read_text()
    pipeline.build(FIXTURE, tsedash_dashboards, tmp_path / "a")
    pipeline.build(shuffled, tsedash_dashboards, tmp_path / "b")
    assert snapshot(tmp_path / "a") == snapshot(tmp_path / "b")


def test_committed_provisioning_is_fresh(tmp_path: Path) -> None:
    """The generated provisioning/ is committed; it must be what the code builds now."""
    pipeline.build(ROOT / "instances.yaml", tsedash_dashboards, tmp_path / "prov")
    committed = snapshot(ROOT / "provisioning")
    built = snapshot(tmp_path / "prov")
    stale = sorted(k for k in committed.keys() | built.keys() if committed.get(k) != built.get(k))
    assert stale == [], f"provisioning/ is stale ({stale}): run `make dashboards` and commit"


def _write_registry(path: Path, text: str) -> Path:
    path.write_text(text)
    return path


def test_failed_build_leaves_output_untouched(run_cli: RunCli, tmp_path: Path) -> None:
    out = tmp_path / "prov"
    pipeline.build(FIXTURE, tsedash_dashboards, out)
    before = snapshot(out)
    bad = _write_registry(
        tmp_path / "bad.yaml", FIXTURE.read_text().replace("exchange-OKX", "exchange OKX")
    )
    res = run_cli("build", "--registry", str(bad), "--out", str(out))
    assert res.exit_code == 2
    assert "instance name 'exchange OKX' contains a space" in res.stderr
    assert snapshot(out) == before


def test_validation_failure_leaves_output_untouched(
    run_cli: RunCli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "prov"
    pipeline.build(FIXTURE, tsedash_dashboards, out)
    before = snapshot(out)

    def broken_build_all(registry: Registry) -> list[tuple[DashboardSpec, dict[str, Any]]]:
        built = build_all(registry)
        # Both dashboards titled alike: Grafana would stop provisioning the folder's files.
        built[1][1]["title"] = built[0][1]["title"]
        return built

    monkeypatch.setattr(tsedash_dashboards, "build_all", broken_build_all)
    with pytest.raises(ValidationFailed) as info:
        pipeline.build(FIXTURE, tsedash_dashboards, out)
    assert any("title 'DevOps Docker View' is also used" in f.message for f in info.value.findings)
    res = run_cli("build", "--registry", str(FIXTURE), "--out", str(out))
    assert res.exit_code == 1
    assert "title 'DevOps Docker View' is also used" in res.stderr
    assert snapshot(out) == before


def test_stale_generated_files_are_removed_and_foreign_files_kept(tmp_path: Path) -> None:
    out = tmp_path / "prov"
    pipeline.build(FIXTURE, tsedash_dashboards, out)
    # An earlier build had produced a dashboard that this build no longer produces.
    old = out / DASH_DIR / "retired.json"
    old.write_text("{}\n")
    manifest = out / MANIFEST
    manifest.write_text(manifest.read_text() + f"{DASH_DIR}/retired.json\n../outside.txt\n")
    outside = tmp_path / "outside.txt"
    outside.write_text("not ours")
    # A file someone else put there is not ours to delete.
    theirs = out / DASH_DIR / "hand-made.json"
    theirs.write_text("{}\n")
    result = pipeline.build(FIXTURE, tsedash_dashboards, out)
    assert result.report is not None
    assert result.report.removed == [f"{DASH_DIR}/retired.json"]
    assert not old.exists()
    assert theirs.exists() and outside.exists()


def test_no_temp_files_left_behind(tmp_path: Path) -> None:
    out = tmp_path / "prov"
    pipeline.build(FIXTURE, tsedash_dashboards, out)
    pipeline.build(ROOT / "instances.yaml", tsedash_dashboards, out)
    leftovers = [p for p in out.rglob("*") if p.name.endswith(".tmp")]
    assert leftovers == []


def test_reader_never_sees_a_partial_or_missing_dashboard(tmp_path: Path) -> None:
    """Grafana polls the directory; every read during rebuilds must be a whole dashboard."""
    out = tmp_path / "prov"
    other = tmp_path / "other.yaml"
    other.write_text(FIXTURE.read_text().replace("title: Trades,", "title: Fills,"))
    pipeline.build(FIXTURE, tsedash_dashboards, out)
    files = [
        out / DASH_DIR / "devops-docker-view.json",
        out / DASH_DIR / "simulation-entity-view.json",
    ]
    stop = threading.Event()
    problems: list[str] = []
    reads = [0]

    def poll() -> None:
        while not stop.is_set():
            for path in files:
                try:
                    model = json.loads(path.read_bytes())
                    if not model.get("uid"):
                        problems.append(f"{path.name}: no uid")
                except FileNotFoundError:
                    problems.append(f"{path.name}: missing")
                except json.JSONDecodeError as exc:
                    problems.append(f"{path.name}: partial ({exc})")
                reads[0] += 1

    reader = threading.Thread(target=poll)
    reader.start()
    try:
        for i in range(30):  # alternate content so every build really rewrites the files
            pipeline.build(other if i % 2 else FIXTURE, tsedash_dashboards, out)
    finally:
        stop.set()
        reader.join()
    assert problems == []
    assert reads[0] > 30


def test_build_json_summary(run_cli: RunCli, tmp_path: Path) -> None:
    examples = str(ROOT / "examples/extras")
    res = run_cli(
        "build",
        "--registry",
        str(FIXTURE),
        "--out",
        str(tmp_path / "p"),
        "--extras",
        examples,
        "--json",
    )
    assert res.exit_code == 0
    summary = json.loads(res.stdout)
    assert [d["uid"] for d in summary["dashboards"]] == [
        "tse-devops-docker",
        "tse-simulation-entity",
        "tse-extra-uptime",
        "tse-extra-requests",
        "tse-extra-scrape",
        "tse-extra-team-red",
    ]
    assert len(summary["written"]) == 8
    # The grafanalib example's migration, listed per dashboard and panel.
    changes = {(m["uid"], m["panel"], m["change"]) for m in summary["migrations"]}
    assert ("tse-extra-team-red", "", "schemaVersion 12 → 42") in changes
    assert any(c.startswith("graph → timeseries") for _, panel, c in changes if panel == "Errors")


def test_output_path_that_is_a_file(run_cli: RunCli, tmp_path: Path) -> None:
    target = tmp_path / "file"
    target.write_text("x")
    res = run_cli("build", "--registry", str(FIXTURE), "--out", str(target))
    assert res.exit_code == 2
    assert f"Invalid value for '--out': Directory '{target}' is a file." in res.stderr
    assert res.stdout == "" and target.read_text() == "x"


def test_build_py_runs_tsedash_build(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "TSEDASH_REGISTRY"}
    res = subprocess.run(
        [
            sys.executable,
            str(ROOT / "build.py"),
            "--registry",
            str(FIXTURE),
            "--out",
            str(tmp_path / "p"),
        ],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert res.returncode == 0, res.stderr
    assert (tmp_path / "p" / DASH_DIR / "devops-docker-view.json").is_file()

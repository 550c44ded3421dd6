"""`pip install .` into a fresh venv works from any directory, for every command."""

from __future__ import annotations

import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from .conftest import ROOT


def test_the_package_list_covers_every_folder() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    found = {
        ".".join(p.parent.relative_to(ROOT).parts)
        for p in ROOT.joinpath("tsedash").rglob("*.py")
        if "__pycache__" not in p.parts
    }
    assert set(config["packages"]) == found | {"tsedash_dashboards", "tsedash_panels"}
    assert config["package-dir"] == {
        "tsedash": "tsedash",
        "tsedash_dashboards": "dashboards",
        "tsedash_panels": "panels",
    }


def _run(*args: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    res = subprocess.run(
        [str(a) for a in args], cwd=cwd, capture_output=True, text=True, check=False, timeout=600
    )
    assert res.returncode == 0, f"{args}\n{res.stdout}\n{res.stderr}"
    return res


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A venv with `pip install .` of a copy of the repository (no editable finder)."""
    base = tmp_path_factory.mktemp("pkg")
    source = base / "src"
    shutil.copytree(
        ROOT,
        source,
        ignore=shutil.ignore_patterns(".venv", ".git", "build", "*.egg-info", "__pycache__"),
    )
    venv = base / "venv"
    _run(sys.executable, "-m", "venv", venv, cwd=base)
    pip = [venv / "bin/python", "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    _run(*pip, "-c", source / "constraints.txt", source, cwd=base)
    shutil.rmtree(source)  # nothing may come from the checkout any more
    return venv


def test_installed_commands_work_from_any_directory(installed: Path, tmp_path: Path) -> None:
    work = tmp_path / "elsewhere"
    work.mkdir()
    shutil.copy(ROOT / "instances.yaml", work / "instances.yaml")
    tsedash = installed / "bin/tsedash"
    shown = _run(tsedash, "registry", "show", "--json", cwd=work).stdout
    assert '"exchange-okx"' in shown
    _run(tsedash, "build", "--out", "prov", cwd=work)
    _run(tsedash, "prometheus", "--out", "prom", cwd=work)
    _run(tsedash, "deploy", "--out", "deploy", cwd=work)
    # The installed build writes what the repository's `make dashboards` committed.
    for rel in (
        "dashboards/trading-ecosystem/devops-docker-view.json",
        "datasources/prometheus.yml",
    ):
        assert (work / "prov" / rel).read_bytes() == (ROOT / "provisioning" / rel).read_bytes()
    rules = "prometheus/rules/tsedash-alerts.yml"
    assert (work / "deploy" / rules).read_bytes() == (ROOT / "deploy" / rules).read_bytes()
    version = _run(installed / "bin/python", "-m", "tsedash", "--version", cwd=work).stdout
    assert version.startswith("tsedash, version ")


def test_only_our_own_top_level_names_are_installed(installed: Path) -> None:
    [site] = installed.glob("lib/python3*/site-packages")
    [record] = site.glob("tsedash-*.dist-info/RECORD")
    tops = {line.split("/")[0] for line in record.read_text().splitlines()}
    assert {t for t in tops if not t.endswith(".dist-info") and t != ".."} == {
        "tsedash",
        "tsedash_dashboards",
        "tsedash_panels",
    }

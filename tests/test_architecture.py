"""The dependency direction: the engine (tsedash/) never imports the content (dashboards/,
panels/), stages import only stages upstream of them, and each command loads what it uses."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import ROOT

CONTENT = ("tsedash_dashboards", "tsedash_panels")
# The only engine modules allowed to import the content: the composition root.
# The command layer (tsedash/commands/) and its entry point.
COMPOSITION_ROOT = {"tsedash.cli", "tsedash.commands"}
# Neutral modules: anyone may import them, they import nothing of the project but each other.
NEUTRAL = {
    "tsedash",
    "tsedash.errors",
    "tsedash.spec",
    "tsedash.files",
    "tsedash.encode",
    "tsedash.findings",
    "tsedash.inputs",
    "tsedash.deadline",
    "tsedash.remote",
}
NEUTRAL_LEAVES = {"tsedash.redact"}
# Stage → the project packages it may import (besides the neutral modules and itself).
ALLOWED: dict[str, set[str]] = {
    "tsedash.registry": {"tsedash.identity", "tsedash.redact"},
    "tsedash.identity": {"tsedash.registry", "tsedash.redact"},
    "tsedash.queries": {"tsedash.registry"},
    "tsedash.sdk": set(),
    "tsedash_panels": {"tsedash.registry", "tsedash.queries", "tsedash.sdk"},
    "tsedash_dashboards": {"tsedash.registry", "tsedash.queries", "tsedash.sdk", "tsedash_panels"},
    "tsedash.migrate": {"tsedash.registry", "tsedash.dashv2"},
    "tsedash.extra": {"tsedash.registry", "tsedash.migrate", "tsedash.sdk"},
    "tsedash.extra_worker": {"tsedash.extra"},
    "tsedash.validate": {"tsedash.queries", "tsedash.provisioning", "tsedash.sdk"},
    "tsedash.lint": {"tsedash.registry", "tsedash.queries", "tsedash.provisioning"},
    "tsedash.provisioning": {"tsedash.registry"},
    "tsedash.prometheus": {"tsedash.registry"},
    "tsedash.deploy": {"tsedash.registry", "tsedash.prometheus"},
    "tsedash.dashv2": {"tsedash.sdk", "tsedash.validate", "tsedash.provisioning"},
    "tsedash.grafana": {"tsedash.redact", "tsedash.dashv2", "tsedash.migrate"},
    "tsedash.pipeline": {
        "tsedash.dashv2",
        "tsedash.registry",
        "tsedash.extra",
        "tsedash.migrate",
        "tsedash.validate",
        "tsedash.provisioning",
    },
    "tsedash.verify": {"tsedash.registry", "tsedash.queries", "tsedash.provisioning"},
    "tsedash.preview": {"tsedash.queries", "tsedash.provisioning", "tsedash.processes"},
    "tsedash.processes": set(),
    # Runs `tsedash build` / `push` as processes; follows target changes in Prometheus.
    "tsedash.watch": {"tsedash.scrapewatch"},
    "tsedash.scrapewatch": {"tsedash.prometheus", "tsedash.verify"},
    "tsedash.simulate": {"tsedash.registry"},
    "tsedash.stack": {"tsedash.registry", "tsedash.processes", "tsedash.prometheus"},
    "tsedash.demo": {
        "tsedash.registry",
        "tsedash.processes",
        "tsedash.simulate",
        "tsedash.stack",
        "tsedash.verify",  # "ready" is what `tsedash verify` checks
    },
}


def _module_name(path: Path) -> str:
    rel = path.relative_to(ROOT).with_suffix("")
    parts = list(rel.parts)
    if parts[0] in ("dashboards", "panels"):
        parts[0] = f"tsedash_{parts[0]}"
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _unit(module: str) -> str:
    """The stage a module belongs to: `tsedash.registry.loader` → `tsedash.registry`."""
    parts = module.split(".")
    if parts[0] in CONTENT:
        return parts[0]
    return ".".join(parts[:2])


def _imports() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {}
    files = [*ROOT.joinpath("tsedash").rglob("*.py"), *ROOT.joinpath("dashboards").glob("*.py")]
    files += ROOT.joinpath("panels").glob("*.py")
    for path in files:
        names: set[str] = set()
        tree = ast.parse(path.read_text(encoding="utf-8"))
        # Imports for type annotations only (`if TYPE_CHECKING:`) are no runtime dependency.
        typing_only = {
            id(inner)
            for node in ast.walk(tree)
            if isinstance(node, ast.If) and ast.unparse(node.test) == "TYPE_CHECKING"
            for inner in ast.walk(node)
        }
        for node in ast.walk(tree):
            if id(node) in typing_only:
                continue
            if isinstance(node, ast.Import):
                names.update(a.name for a in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names.add(node.module)
        graph[_module_name(path)] = {n for n in names if n.split(".")[0] in ("tsedash", *CONTENT)}
    return graph


def test_every_stage_imports_only_upstream_stages() -> None:
    wrong = []
    for module, names in sorted(_imports().items()):
        unit = _unit(module)
        if unit in COMPOSITION_ROOT or unit in ("tsedash.__main__",):
            continue
        for name in sorted(names):
            target = _unit(name)
            if target == unit or target in NEUTRAL or target in NEUTRAL_LEAVES:
                continue
            if unit in NEUTRAL | NEUTRAL_LEAVES or target not in ALLOWED.get(unit, set()):
                wrong.append(f"{module} imports {name}")
    assert wrong == []


def test_no_engine_module_but_the_composition_root_imports_the_content() -> None:
    offenders = [
        f"{module} imports {name}"
        for module, names in _imports().items()
        if module.startswith("tsedash.") and _unit(module) not in COMPOSITION_ROOT
        for name in names
        if name.split(".")[0] in CONTENT
    ]
    assert offenders == []


def _loaded_by(code: str) -> set[str]:
    probe = f"{code}\nimport sys\nprint(' '.join(sorted({{m.split('.')[0] for m in sys.modules}})))"
    res = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, cwd="/"
    )
    return set(res.stdout.split())


@pytest.mark.parametrize(
    "code",
    [
        "import tsedash.prometheus, tsedash.deploy, tsedash.registry, tsedash.provisioning",
        "import tsedash.cli",
        "import tsedash.lint",
        "import tsedash.pipeline",
        "import tsedash.grafana.sync, tsedash.dashv2",  # push needs no SDK unless it converts
    ],
)
def test_the_engine_loads_neither_content_nor_redis(code: str) -> None:
    loaded = _loaded_by(code)
    assert not loaded & {*CONTENT, "redis", "grafanalib"}
    if "pipeline" not in code:
        assert "grafana_foundation_sdk" not in loaded


@pytest.mark.parametrize(
    ("command", "absent"),
    [
        (["registry", "show"], {"grafana_foundation_sdk", "redis", *CONTENT}),
        (["prometheus", "--out", "{tmp}"], {"grafana_foundation_sdk", "redis", *CONTENT}),
        (["deploy", "--out", "{tmp}"], {"grafana_foundation_sdk", "redis", *CONTENT}),
        (["build", "--out", "{tmp}"], {"redis", "grafanalib"}),
    ],
)
def test_each_command_loads_what_it_uses(
    command: list[str], absent: set[str], tmp_path: Path
) -> None:
    args = [a.replace("{tmp}", str(tmp_path / "out")) for a in command]
    code = (
        "import os, sys\n"
        f"os.chdir({str(ROOT)!r})\n"
        "from tsedash.cli import main\n"
        f"try:\n    main({args!r})\nexcept SystemExit as exc:\n    assert not exc.code, exc.code\n"
    )
    loaded = _loaded_by(code)
    assert "tsedash" in loaded
    assert not loaded & absent

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
COMPOSITION_ROOT = {"tsedash.cli", "tsedash.commands", "tsedash.__main__"}
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
        "tsedash.buildcache",
        "tsedash.dashv2",
        "tsedash.deploy",
        "tsedash.extra",
        "tsedash.lint",
        "tsedash.migrate",
        "tsedash.prometheus",
        "tsedash.provisioning",
        "tsedash.registry",
        "tsedash.validate",
    },
    "tsedash.verify": {"tsedash.registry", "tsedash.queries", "tsedash.provisioning"},
    "tsedash.preview": {
        "tsedash.queries",
        "tsedash.provisioning",
        "tsedash.processes",
        "tsedash.verify",
    },
    "tsedash.processes": set(),
    "tsedash.buildcache": set(),
    # Runs `tsedash build` / `push` as processes; follows target changes in Prometheus.
    "tsedash.watch": {"tsedash.scrapewatch", "tsedash.pipeline", "tsedash.grafana"},
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


# The modules that import grafana-foundation-sdk themselves (docs/architecture.md says why).
SDK_IMPORTERS = {"tsedash.sdk", "tsedash.lint.rules.panel_unit_known"}
ARCHITECTURE_DOC = ROOT / "docs" / "architecture.md"


def _module_name(path: Path) -> str:
    rel = path.relative_to(ROOT).with_suffix("")
    parts = list(rel.parts)
    if parts[0] in ("dashboards", "panels"):
        parts[0] = f"tsedash_{parts[0]}"
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _is_room(name: str) -> bool:
    """Whether `from tsedash import <name>` imports a module (not `__version__`)."""
    package = ROOT / "tsedash"
    return package.joinpath(f"{name}.py").is_file() or package.joinpath(name).is_dir()


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
                if node.module == "tsedash":  # `from tsedash import buildcache`: a room too
                    names.update(f"tsedash.{a.name}" for a in node.names if _is_room(a.name))
        graph[_module_name(path)] = {n for n in names if n.split(".")[0] in ("tsedash", *CONTENT)}
    return graph


def test_every_stage_imports_only_upstream_stages() -> None:
    wrong = []
    for module, names in sorted(_imports().items()):
        unit = _unit(module)
        if unit in COMPOSITION_ROOT:
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


def _room(name: str) -> str:
    """A room of the doc's table as a unit: `registry` → `tsedash.registry`."""
    if name in ("panels", "dashboards"):
        return f"tsedash_{name}"
    return "tsedash" if name == "tsedash" else f"tsedash.{name}"


def _doc_rooms() -> dict[str, str]:
    """docs/architecture.md's rooms table: unit → its *may import* cell."""
    text = ARCHITECTURE_DOC.read_text(encoding="utf-8")
    table = text.split("## Rooms", 1)[1].split("\n\n|", 1)[1]
    rows = ("|" + table).split("\n\n", 1)[0].splitlines()[2:]
    rooms: dict[str, str] = {}
    for row in rows:
        cells = [c.strip() for c in row.strip("|").split(" | ")]
        rooms[_room(cells[0].strip("`"))] = cells[2]
    return rooms


def _layer_cell(unit: str) -> str:
    """What the doc's *may import* cell must say for a unit of the layer table."""
    if unit in COMPOSITION_ROOT:
        return "*everything*"
    if unit in NEUTRAL:
        return "*neutral*"
    if unit in NEUTRAL_LEAVES:
        return "*leaf*"
    allowed = sorted(ALLOWED[unit])
    return ", ".join(f"`{a.removeprefix('tsedash.').removeprefix('tsedash_')}`" for a in allowed)


def _cell_set(cell: str) -> set[str]:
    return {c.strip() for c in cell.split(",")} if cell.startswith("`") else {cell}


def test_the_architecture_doc_is_the_layer_table() -> None:
    doc = _doc_rooms()
    layer = {*ALLOWED, *NEUTRAL, *NEUTRAL_LEAVES, *COMPOSITION_ROOT}
    assert sorted(doc) == sorted(layer)
    for unit in sorted(layer):
        want = _layer_cell(unit)
        assert _cell_set(doc[unit]) == _cell_set(want or "—"), unit


def test_every_module_has_a_room_in_the_layer_table() -> None:
    layer = {*ALLOWED, *NEUTRAL, *NEUTRAL_LEAVES, *COMPOSITION_ROOT}
    homeless = sorted(m for m in _imports() if _unit(m) not in layer)
    assert homeless == []


def test_the_doc_table_is_read_as_written() -> None:
    # The parser above is what holds the doc: it must see every row, with its cells.
    rooms = _doc_rooms()
    assert rooms["tsedash.deploy"] == "`registry`, `prometheus`"
    assert rooms["tsedash.redact"] == "*leaf*"
    assert rooms["tsedash.commands"] == "*everything*"
    assert (
        len(rooms)
        == len(ARCHITECTURE_DOC.read_text().split("## Rooms")[1].split("\n\n")[2].splitlines()) - 2
    )


def test_only_the_named_modules_import_the_sdk() -> None:
    importers = set()
    for path in ROOT.joinpath("tsedash").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else []
            if isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            if any(n.split(".")[0] == "grafana_foundation_sdk" for n in names):
                importers.add(_module_name(path))
    assert importers == SDK_IMPORTERS


# Lines of the whole command layer (24 commands, every one with -o/--json/-q): options, one
# library call, printing. A new command fits by moving logic into the library, not by
# raising this.
COMMANDS_BUDGET = 1_000
COMMAND_MODULE_BUDGET = 250


def test_the_command_layer_stays_thin() -> None:
    """Options, one library call, printing: logic a test wants lives in the library."""
    sizes = {
        path.name: len(path.read_text(encoding="utf-8").splitlines())
        for path in sorted(ROOT.joinpath("tsedash", "commands").glob("*.py"))
    }
    assert {name: n for name, n in sizes.items() if n > COMMAND_MODULE_BUDGET} == {}
    assert sum(sizes.values()) <= COMMANDS_BUDGET, sizes

"""Golden files: both dashboards of the fixture registry, reviewed as JSON diffs.

`UPDATE_GOLDEN=1 pytest tests/test_golden.py` rewrites them from the code; review the diff.
"""

from __future__ import annotations

import difflib
import os
from pathlib import Path

import pytest

from tsedash.dashv2 import resource
from tsedash.dashv2.convert import to_v2
from tsedash.encode import dump_json
from tsedash_dashboards import build_all

from .conftest import ROOT
from .dashboard_helpers import fixture_registry

GOLDEN = ROOT / "tests" / "golden"
UPDATE = os.environ.get("UPDATE_GOLDEN") == "1"


def _expected() -> dict[str, bytes]:
    return {spec.filename: dump_json(model) for spec, model in build_all(fixture_registry())}


def _expected_v2() -> dict[str, bytes]:
    """The same dashboards as schema v2 resources (`build --schema v2`)."""
    registry = fixture_registry()
    return {
        spec.filename: dump_json(resource(spec.uid, to_v2(model), registry.folder.uid))
        for spec, model in build_all(registry)
    }


def test_no_missing_or_orphaned_golden_files() -> None:
    expected = set(_expected())
    present = {p.name for p in GOLDEN.glob("*.json")}
    if UPDATE:
        for orphan in present - expected:
            (GOLDEN / orphan).unlink()
        present &= expected
    assert present - expected == set(), "orphaned golden files: delete them or UPDATE_GOLDEN=1"
    if not UPDATE:
        assert expected - present == set(), "missing golden files: run UPDATE_GOLDEN=1 pytest"


@pytest.mark.parametrize(
    ("name", "folder"),
    [*((n, GOLDEN) for n in sorted(_expected())), *((n, GOLDEN / "v2") for n in _expected_v2())],
)
def test_dashboard_matches_golden(name: str, folder: Path) -> None:
    actual = (_expected() if folder == GOLDEN else _expected_v2())[name]
    path: Path = folder / name
    if UPDATE:
        path.write_bytes(actual)
    assert path.exists(), f"{path} missing: run UPDATE_GOLDEN=1 pytest"
    golden = path.read_bytes()
    if golden != actual:
        diff = "".join(
            difflib.unified_diff(
                golden.decode().splitlines(True),
                actual.decode().splitlines(True),
                f"{path.relative_to(GOLDEN.parent)}",
                f"built/{name}",
            )
        )
        pytest.fail(f"{name} differs from its golden file (UPDATE_GOLDEN=1 to accept):\n{diff}")

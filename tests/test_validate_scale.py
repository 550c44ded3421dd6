"""The v1 validation at any size: the grid check finds the overlaps comparing every pair would,
without comparing every pair, and a large model is checked by the compiled schema first with
the same verdict and, when it fails, the same located findings."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tsedash.validate import checks
from tsedash.validate.checks import (
    COMPILED_FROM,
    _Collector,
    _Occupancy,
    check_grid,
    validate_model,
)

from .conftest import ROOT

Box = tuple[int, int, int, int]  # x, y, w, h

BOXES = st.lists(
    st.tuples(st.integers(0, 23), st.integers(0, 30), st.integers(1, 24), st.integers(1, 6)),
    max_size=40,
)


def _overlap(a: Box, b: Box) -> bool:
    ax, ay, aw, ah = a
    bx, by, bw, bh = b
    return ax < bx + bw and bx < ax + aw and ay < by + bh and by < ay + ah


@settings(max_examples=400)
@given(boxes=BOXES)
def test_the_grid_check_flags_exactly_the_panels_a_pairwise_check_flags(boxes: list[Box]) -> None:
    occupancy = _Occupancy()
    for i, box in enumerate(boxes):
        found = occupancy.place(*box, i)
        earlier = [j for j in range(i) if _overlap(box, boxes[j])]
        assert (found is not None) == bool(earlier)
        if found is not None:
            assert found in earlier  # a panel it really overlaps


def _model(panels: list[dict[str, Any]]) -> dict[str, Any]:
    base = json.loads(
        (ROOT / "provisioning/dashboards/trading-ecosystem/devops-docker-view.json").read_text()
    )
    return {**base, "panels": panels}


def _tiles(count: int) -> list[dict[str, Any]]:
    """`count` text panels, 24 to a line: a valid layout of any size."""
    return [
        {
            "id": i + 1,
            "type": "text",
            "title": f"T{i}",
            "gridPos": {"x": i % 24, "y": i // 24, "w": 1, "h": 1},
            "options": {"content": "x", "mode": "markdown"},
        }
        for i in range(count)
    ]


def test_overlaps_are_reported_against_a_panel_that_overlaps() -> None:
    panels = _tiles(3)
    panels[2]["gridPos"] = {"x": 0, "y": 0, "w": 2, "h": 1}  # over T0 and T1
    c = _Collector("f.json", _model(panels))
    check_grid(c)
    assert [(f.pointer, f.message) for f in c.findings] == [
        ("/panels/2/gridPos", "overlaps panel 'T0' (/panels/0/gridPos)")
    ]


def test_a_large_model_gets_the_same_verdict_and_findings_as_a_small_one(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    panels = _tiles(COMPILED_FROM + 200)
    broken = copy.deepcopy(panels)
    broken[1100]["gridPos"]["x"] = "a"
    broken[1150]["type"] = 5
    compiled = [validate_model(_model(p), "f.json") for p in (panels, broken)]
    assert checks._compiled_accepts(_model(panels))
    assert not checks._compiled_accepts(_model(broken))
    monkeypatch.setattr(checks, "COMPILED_FROM", 10**9)  # jsonschema alone
    walked = [validate_model(_model(p), "f.json") for p in (panels, broken)]
    assert compiled == walked
    assert compiled[0] == []
    assert ("/panels/1100/gridPos/x", "'a' is not of type 'integer'") in [
        (f.pointer, f.message) for f in compiled[1]
    ]

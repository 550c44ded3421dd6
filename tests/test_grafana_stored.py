"""tsedash.grafana.stored: what Grafana stores of a dashboard, computed before the save.

Held against the Grafana double's own rewrite (tests/grafana_save.py), written apart from it
from Grafana's code: two implementations of the same Go functions must agree on our dashboards
and on a dashboard that exercises every rule."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from tsedash.grafana.stored import SchemaTooNew, as_stored, as_stored_v2

from . import grafana_save
from .conftest import ROOT

BUILT = sorted((ROOT / "provisioning" / "dashboards" / "trading-ecosystem").glob("*.json"))


def grafana(model: dict[str, Any], target: int) -> dict[str, Any]:
    """The double's rewrite, with the uid kept (mutate.go drops it from the spec only)."""
    spec, error = grafana_save.mutate_v1(model, target)
    assert error is None
    return {**spec, "uid": model["uid"]}


def ours(model: dict[str, Any], target: int) -> dict[str, Any]:
    stored = as_stored(model, target)
    stored.pop("id", None)
    stored.pop("version", None)  # mutate.go drops them; the defaults give version 0
    return {**stored, "version": 0}


EVERY_RULE: dict[str, Any] = {
    "uid": "every-rule",
    "title": "\ufeffEvery rule",
    "schemaVersion": 42,
    "style": "dark",
    "hideControls": False,
    "gnetId": None,
    "iteration": 1,
    "annotations": {"list": [{"name": "Deploys", "builtIn": 0}]},
    "templating": {
        "list": [
            {"type": "query", "name": "q", "datasource": None, "index": 1},
            {"type": "datasource", "name": "ds", "options": [{"text": "a"}]},
            {"type": "constant", "name": "c", "options": []},
            {"type": "custom", "name": "cu", "current": {"value": None, "text": "x"}},
        ]
    },
    "panels": [
        {"id": 2, "type": "graph", "gridPos": {"x": 12, "y": 0, "h": 8, "w": 12}},
        {
            "id": 2,
            "type": "table",
            "gridPos": {"x": 0, "y": 0, "h": 8, "w": 12},
            "transparent": False,
            "pageSize": 10,
            "targets": [{"expr": "up"}, {"refId": "A", "expr": "down"}],
            "transformations": [{"id": "formatTime", "options": {"timeField": "t"}}],
            "fieldConfig": {"defaults": {"thresholds": {"steps": [{"value": None}]}}},
        },
        {
            "type": "row",
            "repeat": "",
            "gridPos": {"x": 0, "y": 8, "h": 1, "w": 24},
            "panels": [{"id": 9, "type": "singlestat", "options": {}, "links": [], "title": ""}],
        },
        {
            "id": 4,
            "type": "text",
            "libraryPanel": {"uid": "lib"},
            "options": {"x": 1},
            "gridPos": {"x": 0, "y": 20, "h": 4, "w": 6},
        },
        {"id": 5, "type": "stat", "repeatPanelId": 2},
    ],
}


@pytest.mark.parametrize("target", [42, 43])
@pytest.mark.parametrize("path", BUILT, ids=lambda p: p.stem)
def test_our_dashboards_as_grafana_stores_them(path: Path, target: int) -> None:
    model = json.loads(path.read_text())
    assert ours(model, target) == grafana(model, target)
    assert ours(model, target) != {**model, "version": 0}  # Grafana does rewrite them


@pytest.mark.parametrize("target", [42, 43])
def test_every_rule_as_grafana_applies_it(target: int) -> None:
    before = copy.deepcopy(EVERY_RULE)
    expected = grafana(EVERY_RULE, target)
    assert ours(EVERY_RULE, target) == expected
    assert before == EVERY_RULE  # the model itself is left as it was
    # spot checks, so an agreement on nothing would not pass
    assert expected["title"] == "Every rule" and expected["schemaVersion"] == target
    # sorted by (y, x); a repeated id and a missing one get the next free ones (max 9, + 1)
    assert [p.get("id") for p in expected["panels"]] == [10, 2, 11, 4]
    table = expected["panels"][0]
    assert "pageSize" not in table and "transparent" not in table
    assert [t["refId"] for t in table["targets"]] == ["B", "A"]
    converted = table["transformations"][0]["id"]
    assert converted == ("convertFieldType" if target == 43 else "formatTime")
    assert expected["panels"][2]["panels"][0] == {"id": 9, "type": "singlestat"}  # nested
    assert expected["panels"][3] == {  # a library panel keeps only these (its title given "")
        "id": 4,
        "title": "",
        "gridPos": {"x": 0, "y": 20, "h": 4, "w": 6},
        "libraryPanel": {"uid": "lib"},
    }


def test_what_grafana_stores_is_a_fixed_point() -> None:
    """Saving Grafana's own copy changes nothing: the ground for saving it again."""
    for target in (42, 43):
        once = as_stored(EVERY_RULE, target)
        assert as_stored(once, target) == once


def test_a_dashboard_above_the_target_is_refused() -> None:
    with pytest.raises(SchemaTooNew, match="schemaVersion 42 is above 41"):
        as_stored({"uid": "x", "schemaVersion": 42}, 41)


def test_a_v2_spec_is_stored_as_sent_but_for_byte_order_marks_and_an_empty_layout() -> None:
    spec = {"title": "\ufeffV", "elements": {}, "layout": {"kind": "RowsLayout", "spec": {}}}
    assert as_stored_v2(spec) == {**spec, "title": "V"}
    assert as_stored_v2({"title": "V"})["layout"] == {"kind": "GridLayout", "spec": {}}
    assert as_stored_v2(spec) == {**grafana_save.mutate_v2(spec)}

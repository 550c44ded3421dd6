"""Helpers shared by the dashboard, validation and build tests."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

from tsedash.registry import Registry, load_registry_text

from .conftest import ROOT

FIXTURE = ROOT / "tests" / "fixtures" / "registry.yaml"


def fixture_registry() -> Registry:
    return load_registry_text(FIXTURE.read_text(), str(FIXTURE))


def scaled_registry(n_instances: int) -> Registry:
    """The fixture's service types with `n_instances` exchange instances."""
    text = FIXTURE.read_text().split("instances:\n")[0]
    lines = ["instances:", "  - service: audit-correlator", "  - service: test-coordinator"]
    lines += [
        f"  - {{service: exchange-simulator, name: exchange-X{i:05d}}}" for i in range(n_instances)
    ]
    return load_registry_text(text + "\n".join(lines) + "\n", "scaled.yaml")


def all_panels(model: dict[str, Any]) -> list[dict[str, Any]]:
    """Every panel, the children of collapsed rows included."""
    out = []
    for panel in model["panels"]:
        out.append(panel)
        out.extend(panel.get("panels", []) if panel["type"] == "row" else [])
    return out


def all_targets(model: dict[str, Any]) -> list[dict[str, Any]]:
    return [t for p in all_panels(model) for t in p.get("targets", [])]


def clone(model: dict[str, Any]) -> dict[str, Any]:
    return copy.deepcopy(model)


WAIVED = ("template-datasource", "panel-datasource", "target-rate-interval", "target-promql")


def waived(tmp_path: Path, uid: str) -> list[str]:
    """Every build lints its extras; these ones test Grafana's migration and conversion, not
    the house rules (a fixed datasource, no `datasource` variable): waived by exclusions."""
    path = tmp_path / "lint.yaml"
    path.write_text(
        "exclusions:\n"
        + "".join(
            f"  - {{rule: {rule}, dashboard: {uid}, reason: tests the migration only}}\n"
            for rule in WAIVED
        )
    )
    return ["--exclusions", str(path)]

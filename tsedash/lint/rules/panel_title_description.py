"""panel-title-description: every panel has a title and a description."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from tsedash.lint.core import DashboardContext, Rule, Severity


def check(ctx: DashboardContext, panel: dict[str, Any]) -> Iterator[str]:
    if panel.get("type") == "row":
        return
    if not str(panel.get("title", "")).strip():
        yield f"a {panel.get('type')} panel (id {panel.get('id')}) has no title"
    if not str(panel.get("description", "")).strip():
        yield "no description: say what the panel shows and what to do"


RULE = Rule(
    "panel-title-description",
    "Every panel has a title and a description.",
    Severity.WARNING,
    panel=check,
)

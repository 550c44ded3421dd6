"""panel-no-targets: every query panel has at least one target."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from tsedash.lint.core import DashboardContext, Rule, Severity
from tsedash.lint.rules.panel_datasource import NO_QUERY_PANELS


def check(ctx: DashboardContext, panel: dict[str, Any]) -> Iterator[str]:
    if panel.get("type") not in NO_QUERY_PANELS and not panel.get("targets"):
        yield "no targets: the panel will always show No data"


RULE = Rule("panel-no-targets", "Every query panel has a target.", Severity.ERROR, panel=check)

"""panel-no-targets: every query panel has at least one target."""

from __future__ import annotations

from collections.abc import Iterator

from tsedash.lint.core import DashboardContext, Issue, Rule, Severity
from tsedash.lint.rules.panel_datasource import NO_QUERY_PANELS


def check(ctx: DashboardContext) -> Iterator[Issue]:
    for panel in ctx.panels():
        if panel.get("type") not in NO_QUERY_PANELS and not panel.get("targets"):
            yield Issue(
                "no targets: the panel will always show No data", str(panel.get("title", ""))
            )


RULE = Rule("panel-no-targets", "Every query panel has a target.", Severity.ERROR, check)

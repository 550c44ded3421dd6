"""panel-datasource: every panel queries through the `datasource` variable."""

from __future__ import annotations

from collections.abc import Iterator

from tsedash.lint.core import DashboardContext, Issue, Rule, Severity
from tsedash.lint.rules._variables import DATASOURCE_REFS

NO_QUERY_PANELS = frozenset({"row", "text", "news", "dashlist"})


def check(ctx: DashboardContext) -> Iterator[Issue]:
    for panel in ctx.panels():
        if panel.get("type") in NO_QUERY_PANELS:
            continue
        uid = (panel.get("datasource") or {}).get("uid")
        if uid not in DATASOURCE_REFS:
            yield Issue(f"datasource {uid!r} is not ${{datasource}}", str(panel.get("title", "")))


RULE = Rule(
    "panel-datasource",
    "Every query panel uses the `datasource` variable.",
    Severity.ERROR,
    check,
)

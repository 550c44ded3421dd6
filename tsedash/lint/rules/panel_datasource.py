"""panel-datasource: every panel queries through the `datasource` variable."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from tsedash.lint.core import DashboardContext, Rule, Severity
from tsedash.spec import DATASOURCE_REFS

NO_QUERY_PANELS = frozenset({"row", "text", "news", "dashlist"})


def check(ctx: DashboardContext, panel: dict[str, Any]) -> Iterator[str]:
    if panel.get("type") in NO_QUERY_PANELS:
        return
    uid = (panel.get("datasource") or {}).get("uid")
    if uid not in DATASOURCE_REFS:
        yield f"datasource {uid!r} is not ${{datasource}}"


RULE = Rule(
    "panel-datasource",
    "Every query panel uses the `datasource` variable.",
    Severity.ERROR,
    panel=check,
)

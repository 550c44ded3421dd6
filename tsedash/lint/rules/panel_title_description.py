"""panel-title-description: every panel has a title and a description."""

from __future__ import annotations

from collections.abc import Iterator

from tsedash.lint.core import DashboardContext, Issue, Rule, Severity


def check(ctx: DashboardContext) -> Iterator[Issue]:
    for index, panel in enumerate(ctx.panels()):
        if panel.get("type") == "row":
            continue
        title = str(panel.get("title", "")).strip()
        if not title:
            yield Issue(f"panel #{index} ({panel.get('type')}) has no title")
        if not str(panel.get("description", "")).strip():
            yield Issue("no description: say what the panel shows and what to do", title)


RULE = Rule(
    "panel-title-description",
    "Every panel has a title and a description.",
    Severity.WARNING,
    check,
)

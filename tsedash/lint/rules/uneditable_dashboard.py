"""uneditable-dashboard: provisioned dashboards are read-only (edits would be lost)."""

from __future__ import annotations

from collections.abc import Iterator

from tsedash.lint.core import DashboardContext, Issue, Rule, Severity


def check(ctx: DashboardContext) -> Iterator[Issue]:
    if ctx.model.get("editable") is not False:
        yield Issue("editable: the next build overwrites UI edits; set editable false")


RULE = Rule(
    "uneditable-dashboard",
    "Dashboards are not editable in the UI (the code is the source).",
    Severity.WARNING,
    dashboard=check,
)

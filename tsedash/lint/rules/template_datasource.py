"""template-datasource: the dashboard has a Prometheus `datasource` variable."""

from __future__ import annotations

from collections.abc import Iterator

from tsedash.lint.core import DashboardContext, Issue, Rule, Severity


def check(ctx: DashboardContext) -> Iterator[Issue]:
    var = ctx.variables.get("datasource")
    if var is None:
        yield Issue("no `datasource` variable: panels cannot follow the provisioned datasource")
    elif var.get("type") != "datasource" or var.get("query") != "prometheus":
        yield Issue("`datasource` must be a datasource variable of type prometheus")


RULE = Rule(
    "template-datasource",
    "The dashboard has a `datasource` variable of type prometheus.",
    Severity.ERROR,
    dashboard=check,
)

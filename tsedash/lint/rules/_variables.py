"""Shared check of the `service` (job) and `instance` variables."""

from __future__ import annotations

from collections.abc import Iterator

from tsedash.lint.core import DashboardContext, Issue
from tsedash.spec import DATASOURCE_REFS


def check_label_variable(ctx: DashboardContext, name: str, label: str) -> Iterator[Issue]:
    var = ctx.variables.get(name)
    if var is None:
        yield Issue(f"no `{name}` variable (label_values of `{label}`)")
        return
    query = var.get("query")
    text = query.get("query", "") if isinstance(query, dict) else str(query or "")
    label_values = text.startswith("label_values(") and f", {label})" in text
    # query_result(…) whose regex captures the label: a bounded list (topk/bottomk).
    captured = text.startswith("query_result(") and f'{label}="' in str(var.get("regex", ""))
    if var.get("type") != "query" or not (label_values or captured):
        yield Issue(
            f"`{name}` must be a query variable `label_values(…, {label})` or "
            f"`query_result(…)` with a regex capturing `{label}`"
        )
    source = var.get("datasource")  # a ref, or a bare name/variable as old dashboards have it
    if (source.get("uid") if isinstance(source, dict) else source) not in DATASOURCE_REFS:
        yield Issue(f"`{name}` must query the `datasource` variable")
    if not (var.get("multi") and var.get("includeAll")):
        yield Issue(f"`{name}` must be multi-value and include All")
    if not var.get("allValue"):
        yield Issue(f"`{name}` needs an allValue, or All expands to a regex of every value")

"""template-label-promql: query variables use label_values() over a valid PromQL selector."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from tsedash.lint.core import DashboardContext, Rule, Severity, parse
from tsedash.queries.expand import expand

_LABEL_VALUES = re.compile(
    r"^label_values\((?:(?P<selector>.+),\s*)?(?P<label>[A-Za-z_][A-Za-z0-9_]*)\)$"
)


def check(ctx: DashboardContext, var: dict[str, Any]) -> Iterator[str]:
    query = var.get("query")
    text = query.get("query", "") if isinstance(query, dict) else str(query or "")
    match = _LABEL_VALUES.fullmatch(text.strip())
    if match is None:
        yield f": {text!r} is not label_values(selector, label)"
        return
    selector = match.group("selector")
    if selector:
        _, error, _ = parse(expand(selector, ctx.values))
        if error:
            yield f": invalid selector {selector!r}: {error}"


RULE = Rule(
    "template-label-promql",
    "Query variables are label_values() over a valid PromQL selector.",
    Severity.WARNING,
    variable=check,
)

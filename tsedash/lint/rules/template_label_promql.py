"""template-label-promql: query variables use label_values() over a valid PromQL selector, or
query_result() over a valid PromQL expression."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from tsedash.lint.core import DashboardContext, Rule, Severity, parse
from tsedash.queries.expand import expand

_LABEL_VALUES = re.compile(
    r"^label_values\((?:(?P<selector>.+),\s*)?(?P<label>[A-Za-z_][A-Za-z0-9_]*)\)$"
)

_QUERY_RESULT = re.compile(r"^query_result\((?P<expr>.+)\)$")


def check(ctx: DashboardContext, var: dict[str, Any]) -> Iterator[str]:
    query = var.get("query")
    text = query.get("query", "") if isinstance(query, dict) else str(query or "")
    result = _QUERY_RESULT.fullmatch(text.strip())
    if result is not None:
        _, error, _ = parse(expand(result.group("expr"), ctx.values))
        if error:
            yield f": invalid expression {result.group('expr')!r}: {error}"
        return
    match = _LABEL_VALUES.fullmatch(text.strip())
    if match is None:
        yield f": {text!r} is not label_values(selector, label) or query_result(expr)"
        return
    selector = match.group("selector")
    if selector:
        _, error, _ = parse(expand(selector, ctx.values))
        if error:
            yield f": invalid selector {selector!r}: {error}"


RULE = Rule(
    "template-label-promql",
    "Query variables are label_values() over a valid selector or query_result() of valid PromQL.",
    Severity.WARNING,
    variable=check,
)

"""template-label-promql: query variables use label_values() over a valid PromQL selector."""

from __future__ import annotations

import re
from collections.abc import Iterator

from tsedash.lint.core import DashboardContext, Issue, Rule, Severity, parse
from tsedash.queries.expand import expand

_LABEL_VALUES = re.compile(
    r"^label_values\((?:(?P<selector>.+),\s*)?(?P<label>[A-Za-z_][A-Za-z0-9_]*)\)$"
)


def check(ctx: DashboardContext) -> Iterator[Issue]:
    for var in ctx.query_variables():
        query = var.get("query")
        text = query.get("query", "") if isinstance(query, dict) else str(query or "")
        match = _LABEL_VALUES.match(text.strip())
        if match is None:
            yield Issue(
                f"variable `{var.get('name')}`: {text!r} is not label_values(selector, label)"
            )
            continue
        selector = match.group("selector")
        if selector:
            _, error, _ = parse(expand(selector, ctx.values))
            if error:
                yield Issue(f"variable `{var.get('name')}`: invalid selector {selector!r}: {error}")


RULE = Rule(
    "template-label-promql",
    "Query variables are label_values() over a valid PromQL selector.",
    Severity.WARNING,
    check,
)

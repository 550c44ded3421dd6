"""target-job-known: every job a query names is a registry service or infrastructure job."""

from __future__ import annotations

import re
from collections.abc import Iterator

from tsedash.lint.core import DashboardContext, Rule, Severity, Target, is_sample

_LITERAL_ALTERNATION = re.compile(r"^[A-Za-z0-9_-]+(\|[A-Za-z0-9_-]+)*\Z")


def check(ctx: DashboardContext, target: Target) -> Iterator[str]:
    known = ctx.once(DashboardContext.known_jobs)
    for sel in target.selectors:
        for name, op, value in sel.matchers():
            if name != "job" or is_sample(value):
                continue  # a variable's value is checked where the variable is defined
            if op == "Equal":
                jobs = [value]
            elif op == "Re" and _LITERAL_ALTERNATION.match(value):
                jobs = value.split("|")
            else:
                continue
            for job in jobs:
                if job not in known:
                    yield (
                        f"job '{job}' is neither a service type nor an infrastructure job "
                        "of the registry: the query can never match"
                    )


RULE = Rule(
    "target-job-known",
    "Every job matcher names a registry service type or infrastructure job.",
    Severity.ERROR,
    target=check,
)

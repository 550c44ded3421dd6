"""target-rate-interval: rate() and irate() windows are `$__rate_interval`."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import promql_parser as pp

from tsedash.lint.core import DashboardContext, Rule, Severity, Target
from tsedash.queries.expand import LINT_GLOBALS

# The lint expansion gives $__rate_interval a distinctive duration; compare parsed durations.
RATE_INTERVAL = timedelta(seconds=int(LINT_GLOBALS["__rate_interval"].removesuffix("s")))


def check(ctx: DashboardContext, target: Target) -> Iterator[str]:
    for sel in target.selectors:
        for i, parent in enumerate(sel.parents):
            if not (isinstance(parent, pp.Call) and parent.func.name in ("rate", "irate")):
                continue
            window = next((p for p in sel.parents[i:] if isinstance(p, pp.MatrixSelector)), None)
            if window is not None and window.range != RATE_INTERVAL:
                yield (
                    f"{parent.func.name}({sel.metric}[…]) should use [$__rate_interval], "
                    "which follows the scrape interval and the zoom"
                )


RULE = Rule(
    "target-rate-interval",
    "rate() and irate() use [$__rate_interval].",
    Severity.ERROR,
    target=check,
)

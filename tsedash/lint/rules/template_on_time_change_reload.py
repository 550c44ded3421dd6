"""template-on-time-change-reload: query variables refresh when the time range changes."""

from __future__ import annotations

from collections.abc import Iterator

from tsedash.lint.core import DashboardContext, Issue, Rule, Severity


def check(ctx: DashboardContext) -> Iterator[Issue]:
    for var in ctx.query_variables():
        if var.get("refresh") != 2:
            yield Issue(
                f"variable `{var.get('name')}` has refresh {var.get('refresh')!r}: use 2 (on time "
                "range change) so new instances appear"
            )


RULE = Rule(
    "template-on-time-change-reload",
    "Query variables refresh on time range change.",
    Severity.WARNING,
    check,
)

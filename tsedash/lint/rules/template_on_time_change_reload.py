"""template-on-time-change-reload: query variables refresh when the time range changes."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from tsedash.lint.core import DashboardContext, Rule, Severity


def check(ctx: DashboardContext, var: dict[str, Any]) -> Iterator[str]:
    if var.get("refresh") != 2:
        yield (
            f" has refresh {var.get('refresh')!r}: use 2 (on time range change) so new instances "
            "appear"
        )


RULE = Rule(
    "template-on-time-change-reload",
    "Query variables refresh on time range change.",
    Severity.WARNING,
    variable=check,
)

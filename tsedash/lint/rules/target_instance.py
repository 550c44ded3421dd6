"""target-instance: every selector follows the `instance` variable."""

from __future__ import annotations

from collections.abc import Iterator

from tsedash.lint.core import DashboardContext, Rule, Severity, Target, sample_value


def check(ctx: DashboardContext, target: Target) -> Iterator[str]:
    wanted = sample_value("instance")
    for sel in target.selectors:
        if sel.metric.startswith("job:"):
            continue  # a recorded per-job aggregate (level `job:`) has no instance to follow
        # cAdvisor's `instance` is cAdvisor itself: containers (and their recorded per-name
        # series) follow $instance by `name`.
        by_name = sel.metric.startswith(("container_", "name:"))
        labels = ("instance", "name") if by_name else ("instance",)
        if not any(n in labels and wanted in value for n, _, value in sel.matchers()):
            yield (f"`{sel.metric}` ignores the instance variable ($instance)")


RULE = Rule(
    "target-instance",
    'Every selector has instance=~"$instance" (cAdvisor series: name=~"<prefix>$instance").',
    Severity.WARNING,
    target=check,
)

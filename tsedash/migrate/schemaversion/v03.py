"""schemaVersion 3: nothing changes but the number.

Grafana's backend step (`schemaversion/v3.go`) is a no-op. The frontend's old step gave every
panel without an `id` the next free one; Grafana dropped it from `DashboardMigrator` and moved
the ids of pre-v16 row panels into the v16 step (`v16.py` gives them the same way), while
top-level panels get theirs from the defaults Grafana applies when it loads a dashboard.
"""

from __future__ import annotations

from . import Dashboard, StepContext, step


@step(3)
def v03(dashboard: Dashboard, ctx: StepContext) -> None:
    """A no-op, as in Grafana."""

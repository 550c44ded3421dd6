"""schemaVersion 5: nothing changes but the number.

Grafana's backend step (`schemaversion/v5.go`) is a no-op, and the frontend never had a step
for this version either.
"""

from __future__ import annotations

from . import Dashboard, StepContext, step


@step(5)
def v05(dashboard: Dashboard, ctx: StepContext) -> None:
    """A no-op, as in Grafana."""

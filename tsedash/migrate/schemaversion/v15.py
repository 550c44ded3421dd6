"""schemaVersion 15: nothing changes but the number.

Grafana's backend step (`schemaversion/v15.go`) is a no-op, kept so that the chain has one
step per version; the frontend never had a step for this version.
"""

from __future__ import annotations

from . import Dashboard, StepContext, step


@step(15)
def v15(dashboard: Dashboard, ctx: StepContext) -> None:
    """A no-op, as in Grafana."""

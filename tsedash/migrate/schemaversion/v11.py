"""schemaVersion 11: nothing changes but the number.

Grafana's backend step (`schemaversion/v11.go`) is a no-op; the frontend never had a step for
this version.
"""

from __future__ import annotations

from . import Dashboard, StepContext, step


@step(11)
def v11(dashboard: Dashboard, ctx: StepContext) -> None:
    """A no-op, as in Grafana."""

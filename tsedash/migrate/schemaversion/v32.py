"""schemaVersion 32: nothing changes but the number.

Grafana's backend step (`schemaversion/v32.go`) is a no-op: the CloudWatch change first planned
for this version moved to schemaVersion 34, and the frontend's block for 32 is empty.
"""

from __future__ import annotations

from . import Dashboard, StepContext, step


@step(32)
def v32(dashboard: Dashboard, ctx: StepContext) -> None:
    """A no-op, as in Grafana."""

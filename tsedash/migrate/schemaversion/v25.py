"""schemaVersion 25: nothing changes but the number.

Grafana's backend step (`schemaversion/v25.go`) is a no-op, kept so that the version history
matches the frontend's, whose block for this version is empty too ("tags are removed in version
28": the variable tag properties are removed by `v28.py`).
"""

from __future__ import annotations

from . import Dashboard, StepContext, step


@step(25)
def v25(dashboard: Dashboard, ctx: StepContext) -> None:
    """A no-op, as in Grafana."""

"""schemaVersion 7: the first `nav` entry becomes the `timepicker`.

Grafana's step (`schemaversion/v7.go`): when `nav` is a non-empty list whose first entry is an
object, that object becomes `timepicker` (replacing any `timepicker` already there; a copy
here, where Go shares one map between the two); `nav` itself is left in place. Anything else
is skipped.

Knowingly not here, as in Grafana: the frontend's old step also gave targets without a `refId`
the next free letter; Grafana's backend step does not, and the defaults Grafana applies when
it loads a dashboard give query ids instead.
"""

from __future__ import annotations

import copy

from . import Dashboard, StepContext, step


@step(7)
def v07(dashboard: Dashboard, ctx: StepContext) -> None:
    nav = dashboard.get("nav")
    if isinstance(nav, list) and nav and isinstance(nav[0], dict):
        dashboard["timepicker"] = copy.deepcopy(nav[0])
        ctx.log("`nav[0]` → `timepicker`")

"""schemaVersion 6: annotations leave `pulldowns`; template variables get their schema.

Grafana's step (`schemaversion/v6.go`):

- `pulldowns` (a list): the first object whose `type` is the string `"annotations"` gives the
  dashboard `annotations: {list: <its annotations>}` — `[]` when it has no `annotations` key,
  the value as it is otherwise (even `null`, where the frontend wrote `[]`). Only the first such
  pulldown counts; `pulldowns` itself is left in place.
- each object of `templating.list`: a missing `datasource` becomes `null`, a `type` of
  `"filter"` or a missing `type` becomes `"query"` (a `type` of `null` stays), an `allFormat`
  of `null` is removed.

Anything of another shape (`pulldowns` not a list, `templating` not an object, a variable that
is not an object) is skipped, as Grafana skips it.
"""

from __future__ import annotations

import copy
from typing import Any

from . import Dashboard, StepContext, step


@step(6)
def v06(dashboard: Dashboard, ctx: StepContext) -> None:
    _annotations_from_pulldowns(dashboard, ctx)
    templating = dashboard.get("templating")
    variables = templating.get("list") if isinstance(templating, dict) else None
    if isinstance(variables, list):
        for variable in variables:
            if isinstance(variable, dict):
                _upgrade_variable(variable, ctx)


def _annotations_from_pulldowns(dashboard: Dashboard, ctx: StepContext) -> None:
    pulldowns = dashboard.get("pulldowns")
    if not isinstance(pulldowns, list):
        return
    for pulldown in pulldowns:
        if isinstance(pulldown, dict) and pulldown.get("type") == "annotations":
            dashboard["annotations"] = {"list": copy.deepcopy(pulldown.get("annotations", []))}
            ctx.log("the `annotations` pulldown → `annotations.list`")
            return


def _upgrade_variable(variable: dict[str, Any], ctx: StepContext) -> None:
    name = _variable_name(variable)
    if "datasource" not in variable:
        variable["datasource"] = None
        ctx.log(f"variable {name}: no `datasource` → null")
    if variable.get("type") == "filter":
        variable["type"] = "query"
        ctx.log(f"variable {name}: `type` filter → query")
    if "type" not in variable:
        variable["type"] = "query"
        ctx.log(f"variable {name}: no `type` → query")
    if "allFormat" in variable and variable["allFormat"] is None:
        del variable["allFormat"]
        ctx.log(f"variable {name}: `allFormat` null removed")


def _variable_name(variable: dict[str, Any]) -> str:
    name = variable.get("name")
    return f"'{name}'" if isinstance(name, str) and name else "(unnamed)"

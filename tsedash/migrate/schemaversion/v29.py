"""schemaVersion 29: query variables refresh on load and forget their cached options.

Grafana's step (`schemaversion/v29.go`), for each object of `templating.list` whose `type` is
the string `"query"`:

- `refresh` becomes `1` ("on dashboard load") unless it is the number 1 or 2 ("on time range
  change"). A number is read as Go's `GetIntValue` reads it, truncated (`2.7` counts as 2 and is
  kept as `2.7`); anything else (missing, `null`, `true`, `"2"`) counts as 0 and becomes 1.
- `options`, when it is a non-empty list, becomes `[]`: Grafana queries the options again on
  load. An empty list, or `options` of another shape, is left alone.

Other variable types, variables that are not objects, and `templating` or `list` of another
shape are skipped, as in Grafana.
"""

from __future__ import annotations

import json
from typing import Any

from . import Dashboard, StepContext, step


@step(29)
def v29(dashboard: Dashboard, ctx: StepContext) -> None:
    templating = dashboard.get("templating")
    variables = templating.get("list") if isinstance(templating, dict) else None
    if not isinstance(variables, list):
        return
    for variable in variables:
        if isinstance(variable, dict) and variable.get("type") == "query":
            _upgrade_query_variable(variable, ctx)


def _upgrade_query_variable(variable: dict[str, Any], ctx: StepContext) -> None:
    name = _variable_name(variable)
    if go_int(variable.get("refresh"), 0) not in (1, 2):
        old = json.dumps(variable["refresh"]) if "refresh" in variable else "missing"
        variable["refresh"] = 1
        ctx.log(f"variable {name}: `refresh` {old} → 1 (on dashboard load)")
    options = variable.get("options")
    if isinstance(options, list) and options:
        variable["options"] = []
        ctx.log(f"variable {name}: {len(options)} saved `options` cleared (queried on load)")


def go_int(value: Any, default: int) -> int:
    """Go's `GetIntValue`: a JSON number truncated towards zero; anything else `default`."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return default
    if value != value or value in (float("inf"), float("-inf")):
        return default  # not representable: Go's conversion is undefined, treat as absent
    return int(value)


def _variable_name(variable: dict[str, Any]) -> str:
    name = variable.get("name")
    return f"'{name}'" if isinstance(name, str) and name else "(unnamed)"

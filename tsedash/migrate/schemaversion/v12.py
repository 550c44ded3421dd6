"""schemaVersion 12: template variables' `refresh` and `hide` become numbers.

Grafana's step (`schemaversion/v12.go`), for each object of `templating.list`:

- a `refresh` that is present becomes `1` when it is truthy and `0` otherwise, truthy as the
  frontend coerces it (JavaScript: `true`, `2`, `"x"` are truthy; `false`, `0`, `""`, `null`
  are not). A missing `refresh` stays missing (the frontend wrote `0`; the backend does not).
- `hide` becomes `2` when `hideVariable` is truthy, else `1` when `hideLabel` is truthy;
  otherwise it is left as it is. `hideVariable` and `hideLabel` themselves are kept.

`templating` or its `list` of another shape, or a variable that is not an object: skipped.
"""

from __future__ import annotations

import json
import math
from typing import Any

from . import Dashboard, StepContext, step


@step(12)
def v12(dashboard: Dashboard, ctx: StepContext) -> None:
    templating = dashboard.get("templating")
    variables = templating.get("list") if isinstance(templating, dict) else None
    if not isinstance(variables, list):
        return
    for variable in variables:
        if isinstance(variable, dict):
            _upgrade_variable(variable, ctx)


def _upgrade_variable(variable: dict[str, Any], ctx: StepContext) -> None:
    name = _variable_name(variable)
    if "refresh" in variable:
        refresh = 1 if js_truthy(variable["refresh"]) else 0
        _set(variable, "refresh", refresh, f"variable {name}", ctx)
    if js_truthy(variable.get("hideVariable")):
        _set(variable, "hide", 2, f"variable {name} (`hideVariable`)", ctx)
    elif js_truthy(variable.get("hideLabel")):
        _set(variable, "hide", 1, f"variable {name} (`hideLabel`)", ctx)


def _set(variable: dict[str, Any], key: str, value: int, who: str, ctx: StepContext) -> None:
    old = variable.get(key)
    # `True == 1` in Python: compare types too, so `true` → `1` is reported as the change it is.
    if type(old) is not int or old != value:
        shown = json.dumps(old) if key in variable else "missing"
        variable[key] = value
        ctx.log(f"{who}: `{key}` {shown} → {value}")


def js_truthy(value: Any) -> bool:
    """JavaScript's truthiness of a JSON value (objects and arrays, even empty, are truthy)."""
    if value is None or isinstance(value, bool):
        return bool(value)
    if isinstance(value, float):
        return value != 0 and not math.isnan(value)
    if isinstance(value, int):
        return value != 0
    if isinstance(value, str):
        return value != ""
    return True


def _variable_name(variable: dict[str, Any]) -> str:
    name = variable.get("name")
    return f"'{name}'" if isinstance(name, str) and name else "(unnamed)"

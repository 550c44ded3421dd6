"""schemaVersion 23: a variable's `current` agrees with its `multi`.

Grafana's step (`schemaversion/v23.go`), for each object of `templating.list` that has a
`multi` key, whose `current` is a non-empty object and whose `multi` is a boolean:

- `multi` true: a `current.value` that is there and not a list becomes `[value]`, and then a
  `current.text` that is there and not a list becomes `[text]` (a `text` is left as it is when
  the value already was a list);
- `multi` false: a `current.value` list becomes its first item (`""` when empty), and so does a
  `current.text` list.

Edge cases as in Grafana: a variable without `multi`, with a `multi` that is not a boolean
(`null`, `1`), or with a `current` that is missing, empty or not an object is left alone;
`current.value: null` under `multi: true` becomes `[null]`.

Knowingly different: nothing.
"""

from __future__ import annotations

from typing import Any

from . import Dashboard, StepContext, step


@step(23)
def v23(dashboard: Dashboard, ctx: StepContext) -> None:
    templating = dashboard.get("templating")
    variables = templating.get("list") if isinstance(templating, dict) else None
    if not isinstance(variables, list):
        return
    for variable in variables:
        if not isinstance(variable, dict) or "multi" not in variable:
            continue
        current, multi = variable.get("current"), variable["multi"]
        if not isinstance(current, dict) or not current or not isinstance(multi, bool):
            continue
        aligned = aligned_current(current, multi)
        if aligned != current:
            variable["current"] = aligned
            ctx.log(
                f"variable {variable.get('name', '?')}: `current` "
                f"{'made a list' if multi else 'made a single value'} (multi {str(multi).lower()})"
            )


def aligned_current(current: dict[str, Any], multi: bool) -> dict[str, Any]:
    aligned = dict(current)
    if multi:
        if "value" in aligned and not isinstance(aligned["value"], list):
            aligned["value"] = [aligned["value"]]
            if "text" in aligned and not isinstance(aligned["text"], list):
                aligned["text"] = [aligned["text"]]
    else:
        for key in ("value", "text"):
            if isinstance(aligned.get(key), list):
                aligned[key] = aligned[key][0] if aligned[key] else ""
    return aligned

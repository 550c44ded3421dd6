"""schemaVersion 27: repeated-panel leftovers go; constant variables get a value (or a textbox).

Grafana's step (`schemaversion/v27.go`):

- `panels` (a list) is rebuilt without the items that are not objects and without the panels
  that have a `repeatPanelId` key or a `repeatByRow` key (whatever their values — copies of a
  repeated panel that an old Grafana saved). In a panel of type `row`, the `panels` list is
  likewise rebuilt without non-objects and without the panels that have `repeatPanelId`.
- each object of `templating.list` of type `constant`: `query` becomes the string it was (`""`
  when missing or not a string), `current` becomes `{selected: true, text: query, value:
  query}` and `options` the list of that one item; a constant whose `hide` is the number 0
  (shown) or 1 (label hidden) becomes a `textbox` variable, since Grafana no longer shows
  constants. A constant with `hide: 2`, or without a numeric `hide`, stays a constant.

Edge cases as in Grafana's backend: the key checked on the top-level panels is `repeatByRow`
(the frontend's spelling), not `repeatedByRow`; only rows have their nested panels filtered;
`hide: true` is not a number, so that constant stays a constant.

Knowingly different: nothing.
"""

from __future__ import annotations

from typing import Any

from . import Dashboard, StepContext, panel_name, step

REPEAT_KEYS = ("repeatPanelId", "repeatByRow")


@step(27)
def v27(dashboard: Dashboard, ctx: StepContext) -> None:
    panels = dashboard.get("panels")
    if isinstance(panels, list):
        dashboard["panels"] = _without_repeats(panels, ctx)
    templating = dashboard.get("templating")
    variables = templating.get("list") if isinstance(templating, dict) else None
    if isinstance(variables, list):
        for variable in variables:
            if isinstance(variable, dict) and variable.get("type") == "constant":
                _upgrade_constant(variable, ctx)


def _without_repeats(panels: list[Any], ctx: StepContext) -> list[Any]:
    kept = []
    for index, panel in enumerate(panels):
        pointer = f"/panels/{index}"
        if not isinstance(panel, dict):
            ctx.log(f"{pointer}: not an object, removed")
            continue
        if any(key in panel for key in REPEAT_KEYS):
            ctx.log("a repeated copy of another panel, removed", panel_name(pointer, panel))
            continue
        nested = panel.get("panels")
        if panel.get("type") == "row" and isinstance(nested, list):
            panel["panels"] = [
                p for p in nested if isinstance(p, dict) and "repeatPanelId" not in p
            ]
            if len(panel["panels"]) != len(nested):
                ctx.log(
                    f"{len(nested) - len(panel['panels'])} repeated copy/copies or non-object(s) "
                    "removed from the row",
                    panel_name(pointer, panel),
                )
        kept.append(panel)
    return kept


def _upgrade_constant(variable: dict[str, Any], ctx: StepContext) -> None:
    query = variable.get("query")
    query = query if isinstance(query, str) else ""
    variable["query"] = query
    current = {"selected": True, "text": query, "value": query}
    variable["current"] = current
    variable["options"] = [dict(current)]
    hide = variable.get("hide")
    shown = isinstance(hide, int | float) and not isinstance(hide, bool) and hide in (0, 1)
    if shown:
        variable["type"] = "textbox"
    ctx.log(
        f"constant variable {variable.get('name', '?')}: `current`/`options` set to {query!r}"
        + (", now a textbox (constants are no longer shown)" if shown else "")
    )

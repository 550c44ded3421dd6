"""schemaVersion 8: old InfluxDB queries (`fields`, `tags`, `groupBy`) get the `select` form.

Grafana's step (`schemaversion/v8.go`) walks the targets of the top-level panels and of the
panels still inside pre-v16 `rows` (`collectPanelsIncludingRows`; before that fix it looked
at top-level panels only and missed every real pre-v16 dashboard). A target is an old InfluxDB
query when it has all three keys `fields`, `tags` and `groupBy`, whatever their values:

- `rawQuery` is `true` (the boolean): `fields` and `fill` are removed, nothing else.
- otherwise, when `fields` is a list, `select` becomes one list of parts per field object:
  `{type: field, params: [name]}` when `name` is a string, `{type: <func>, params: []}` when
  `func` is a string, `{type: math, params: [mathExpr]}` and `{type: alias, params: [asExpr]}`
  likewise; a field giving no part adds nothing. `fields` is removed either way. When
  `groupBy` is a list, a `time` part's string `interval` becomes `params: [interval]` and a
  `tag` part's string `key` becomes `params: [key]`; then a `fill` (any value) is appended as
  `{type: fill, params: [fill]}` and removed. `groupBy` of another shape keeps `fill` where it
  is.

Edge cases as in Grafana, where the frontend differed: a field whose `func` is missing adds no
function part (the frontend added `{type: undefined}`), and a `fill` of `null` or `""` is
appended too (the frontend skipped falsy values).
"""

from __future__ import annotations

from typing import Any

from . import Dashboard, StepContext, panel_name, panels_including_rows, step


@step(8)
def v08(dashboard: Dashboard, ctx: StepContext) -> None:
    for pointer, panel in panels_including_rows(dashboard):
        targets = panel.get("targets")
        if not isinstance(targets, list):
            continue
        for index, target in enumerate(targets):
            if isinstance(target, dict) and _is_old_influx_query(target):
                change = _upgrade_target(target)
                ctx.log(
                    f"target {_target_name(target, index)}: {change}", panel_name(pointer, panel)
                )


def _is_old_influx_query(target: dict[str, Any]) -> bool:
    return "fields" in target and "tags" in target and "groupBy" in target


def _upgrade_target(target: dict[str, Any]) -> str:
    """Rewrites one old InfluxDB target and says what it did."""
    if target.get("rawQuery") is True:
        target.pop("fields")
        target.pop("fill", None)
        return "raw InfluxDB query: `fields` and `fill` removed"
    said = []
    fields = target.pop("fields")
    if isinstance(fields, list):
        selected = [_parts(field) for field in fields if isinstance(field, dict)]
        target["select"] = [parts for parts in selected if parts]
        said.append(f"InfluxDB `fields` → `select` ({len(target['select'])} selected)")
    else:
        said.append("InfluxDB `fields` removed")
    group_by = target["groupBy"]
    if isinstance(group_by, list):
        if any([_upgrade_group_by_part(part) for part in group_by]):  # every part, no short cut
            said.append("`groupBy` interval/key → params")
        if "fill" in target:
            fill = target.pop("fill")
            target["groupBy"] = [*group_by, {"type": "fill", "params": [fill]}]
            said.append("`fill` → a `groupBy` fill part")
    return "; ".join(said)


def _parts(field: dict[str, Any]) -> list[dict[str, Any]]:
    parts: list[dict[str, Any]] = []
    if isinstance(field.get("name"), str):
        parts.append({"type": "field", "params": [field["name"]]})
    if isinstance(field.get("func"), str):
        parts.append({"type": field["func"], "params": []})
    if isinstance(field.get("mathExpr"), str):
        parts.append({"type": "math", "params": [field["mathExpr"]]})
    if isinstance(field.get("asExpr"), str):
        parts.append({"type": "alias", "params": [field["asExpr"]]})
    return parts


def _upgrade_group_by_part(part: Any) -> bool:
    """A `time` part's `interval` or a `tag` part's `key` becomes its `params`; True if so."""
    if not isinstance(part, dict):
        return False
    kind = part.get("type")
    moved = {"time": "interval", "tag": "key"}.get(kind) if isinstance(kind, str) else None
    if moved is None or not isinstance(part.get(moved), str):
        return False
    part["params"] = [part.pop(moved)]
    return True


def _target_name(target: dict[str, Any], index: int) -> str:
    ref_id = target.get("refId")
    return ref_id if isinstance(ref_id, str) and ref_id else f"#{index}"

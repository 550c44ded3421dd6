"""schemaVersion 33: panels' and queries' datasource names become references.

Grafana's step (`schemaversion/v33.go`) walks the top-level panels and the `panels` nested one
level in any of them (collapsed rows), rows included, and resolves names through the
organisation's datasources (`datasources.name_to_ref` with `default_as_null`: by name first,
then uid):

- the panel's `datasource` is **always** written: a name or uid becomes `{uid, type[,
  apiVersion]}`; an unknown name is kept as `{uid: name}`; `""` becomes `{}`; a reference is
  kept; `null`, a missing one and `"default"` become `null` (schemaVersion 36 later fills in
  the default); anything else (a number, an object that is not a reference) becomes `null`.
- each query (`targets`, objects only) that **has** a `datasource` key gets the same
  conversion, except that where it gives nothing (`null`, `"default"`, a number, a
  non-reference object) the query's value is left as it was.

Unknown names are reported. The built-in `-- Mixed --` is not among an organisation's
datasources in Grafana's index: unless the registry lists it, it becomes `{uid: "-- Mixed --"}`,
which schemaVersion 36 recognises as mixed by its uid.
"""

from __future__ import annotations

from typing import Any

from . import Dashboard, StepContext, all_panels, panel_name, step
from .datasources import DatasourceIndex, index, is_unknown, name_to_ref, shown


@step(33)
def v33(dashboard: Dashboard, ctx: StepContext) -> None:
    idx = index(ctx)
    for pointer, panel in all_panels(dashboard):
        name = panel_name(pointer, panel)
        _panel_datasource(panel, idx, name, ctx)
        targets = panel.get("targets")
        for i, target in enumerate(targets if isinstance(targets, list) else []):
            if isinstance(target, dict) and "datasource" in target:
                _target_datasource(target, i, idx, name, ctx)


def _panel_datasource(
    panel: dict[str, Any], idx: DatasourceIndex, name: str, ctx: StepContext
) -> None:
    present = "datasource" in panel
    old = panel.get("datasource")
    new = name_to_ref(old, idx, default_as_null=True)
    panel["datasource"] = new
    if not present:
        ctx.log("`datasource` missing → null (no datasource of its own)", name)
    elif new is not old:
        ctx.log(f"`datasource` {_change(old, new, idx)}", name)


def _target_datasource(
    target: dict[str, Any], i: int, idx: DatasourceIndex, name: str, ctx: StepContext
) -> None:
    old = target["datasource"]
    new = name_to_ref(old, idx, default_as_null=True)
    if new is not None and new is not old:
        target["datasource"] = new
        ctx.log(f"query {_query_name(target, i)}: `datasource` {_change(old, new, idx)}", name)


def _change(old: Any, new: Any, idx: DatasourceIndex) -> str:
    if is_unknown(old, idx):
        return f"{shown(old)} is not a known datasource: kept as {shown(new)}"
    if new is None and old not in (None, "default"):
        return f"{shown(old)} cannot be read as a datasource: → null"
    return f"{shown(old)} → {shown(new)}"


def _query_name(target: dict[str, Any], i: int) -> str:
    ref_id = target.get("refId")
    return f"`{ref_id}`" if isinstance(ref_id, str) and ref_id else f"#{i}"

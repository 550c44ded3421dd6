"""schemaVersion 36: every datasource is a reference; panels and queries without one get one.

Grafana's step (`schemaversion/v36.go`), resolving through the organisation's datasources
(`datasources.name_to_ref`, by name first, then uid; the default is the datasource marked
default, and with none marked what would take it gets `null`):

**Annotations** (`annotations.list`, objects): `datasource` is always written: `null` or
missing → the default's reference; a name → its reference (unknown: `{uid: name}`).

**Query variables** (`type: query`): a `datasource` that is present and `null` becomes the
default's reference. A missing one, or a name, is left as it is (as the frontend's step).

**Panels**: the top-level panels (rows included) and, one level down, the `panels` nested in
any of them (collapsed rows).

- *No queries*: a top-level panel whose `targets` is missing, not a list or empty gets
  `targets: [{refId: "A"}]`; a nested one is left entirely alone.
- *Panel datasource*: `null` or missing → the default's reference, and the panel "had the
  default"; `{}` is kept; anything else goes through `name_to_ref` (a name becomes its
  reference; a number or a non-reference object becomes `null`).
- *Each query* (objects only): one whose `datasource` is `null`, missing, or an object without
  a `uid` (or a `null` one) takes a copy of the panel's datasource, when that is an object
  whose `uid` is not `-- Mixed --`; under a mixed panel it is resolved on its own (`null` →
  the default, a `{type}` reference kept); when the panel has no datasource object it is left
  alone. Any other query datasource goes through `name_to_ref` (names → references).
- *Inheritance*: when the panel had the default, each query in turn whose datasource now is
  an object with a non-empty `uid` other than `__expr__` becomes the panel's datasource (the
  last such query wins, and the queries after it copy that one).

Unknown names are reported; they are kept as `{uid: name}`, as Grafana keeps them.
"""

from __future__ import annotations

from typing import Any

from . import Dashboard, StepContext, panel_name, step, top_panels
from .datasources import EXPRESSION, MIXED, DatasourceIndex, index, is_unknown, name_to_ref
from .datasources import ref as ds_ref
from .datasources import shown as _shown


@step(36)
def v36(dashboard: Dashboard, ctx: StepContext) -> None:
    idx = index(ctx)
    _annotations(dashboard, idx, ctx)
    _query_variables(dashboard, idx, ctx)
    for pointer, panel in top_panels(dashboard):
        _panel(panel, idx, panel_name(pointer, panel), ctx, nested=False)
        nested = panel.get("panels")
        for j, child in enumerate(nested if isinstance(nested, list) else []):
            if isinstance(child, dict):
                name = panel_name(f"{pointer}/panels/{j}", child)
                _panel(child, idx, name, ctx, nested=True)


def _annotations(dashboard: Dashboard, idx: DatasourceIndex, ctx: StepContext) -> None:
    annotations = dashboard.get("annotations")
    items = annotations.get("list") if isinstance(annotations, dict) else None
    for i, annotation in enumerate(items if isinstance(items, list) else []):
        if not isinstance(annotation, dict):
            continue
        old = annotation.get("datasource")
        new = name_to_ref(old, idx, default_as_null=False)
        present = "datasource" in annotation
        annotation["datasource"] = new
        if new is not old or not present:
            label = annotation.get("name")
            who = (
                f"annotation '{label}'" if isinstance(label, str) and label else f"annotation #{i}"
            )
            ctx.log(f"{who}: `datasource` {_change(old, new, idx, present)}")


def _query_variables(dashboard: Dashboard, idx: DatasourceIndex, ctx: StepContext) -> None:
    templating = dashboard.get("templating")
    variables = templating.get("list") if isinstance(templating, dict) else None
    for variable in variables if isinstance(variables, list) else []:
        if (
            isinstance(variable, dict)
            and variable.get("type") == "query"
            and "datasource" in variable
            and variable["datasource"] is None
        ):
            variable["datasource"] = ds_ref(idx.default)
            if variable["datasource"] is not None:
                ctx.log(
                    f"variable '{variable.get('name')}': `datasource` null → "
                    f"{_default(variable['datasource'])}"
                )


def _panel(
    panel: dict[str, Any], idx: DatasourceIndex, name: str, ctx: StepContext, *, nested: bool
) -> None:
    targets = panel.get("targets")
    if not isinstance(targets, list) or not targets:
        if nested:
            return
        targets = [{"refId": "A"}]
        panel["targets"] = targets
        ctx.log("no queries: default query `A` added", name)

    panel_datasources(panel, targets, idx, name, ctx)


def panel_datasources(
    panel: dict[str, Any],
    targets: list[Any],
    idx: DatasourceIndex,
    name: str,
    ctx: StepContext,
) -> None:
    """The panel's datasource, its queries' datasources and the inheritance between them, as
    the module's docstring describes for a panel that has queries."""
    had_default = _panel_datasource(panel, idx, name, ctx)
    for i, target in enumerate(targets):
        if isinstance(target, dict):
            _target(panel, target, i, idx, name, ctx)
            if had_default:
                _inherit(panel, target, i, name, ctx)


def _panel_datasource(
    panel: dict[str, Any], idx: DatasourceIndex, name: str, ctx: StepContext
) -> bool:
    """Give the panel its datasource reference; whether it took the default."""
    old = panel.get("datasource")
    if old is None:
        panel["datasource"] = ds_ref(idx.default)
        ctx.log(f"no datasource: {_default(panel['datasource'])}", name)
        return True
    if isinstance(old, dict) and not old:
        return False
    new = name_to_ref(old, idx, default_as_null=False)
    panel["datasource"] = new
    if new is not old:
        ctx.log(f"`datasource` {_change(old, new, idx, True)}", name)
    return False


def _target(
    panel: dict[str, Any],
    target: dict[str, Any],
    i: int,
    idx: DatasourceIndex,
    name: str,
    ctx: StepContext,
) -> None:
    query = _query_name(target, i)
    present = "datasource" in target
    old = target.get("datasource")
    if old is None or (isinstance(old, dict) and old.get("uid") is None):
        panel_ds = panel.get("datasource")
        if not isinstance(panel_ds, dict):
            return
        if panel_ds.get("uid") != MIXED:
            target["datasource"] = dict(panel_ds)
            was = _shown(old) if present else "missing"
            ctx.log(f"query {query}: `datasource` {was} → the panel's {_shown(panel_ds)}", name)
            return
        new = name_to_ref(old, idx, default_as_null=False)
        target["datasource"] = new
        if new is not old or not present:
            was = _shown(old) if present else "missing"
            ctx.log(f"query {query} of a mixed panel: `datasource` {was} → {_shown(new)}", name)
        return
    new = name_to_ref(old, idx, default_as_null=False)
    target["datasource"] = new
    if new is not old:
        ctx.log(f"query {query}: `datasource` {_change(old, new, idx, True)}", name)


def _inherit(
    panel: dict[str, Any], target: dict[str, Any], i: int, name: str, ctx: StepContext
) -> None:
    """A panel that took the default takes its queries' datasource instead."""
    target_ds = target.get("datasource")
    if not isinstance(target_ds, dict):
        return
    uid = target_ds.get("uid")
    if isinstance(uid, str) and uid not in ("", EXPRESSION):
        if panel.get("datasource") != target_ds:
            ctx.log(
                f"`datasource` taken from query {_query_name(target, i)}: {_shown(target_ds)}", name
            )
        panel["datasource"] = dict(target_ds)


def _change(old: Any, new: Any, idx: DatasourceIndex, present: bool) -> str:
    if not present or old is None:
        return f"{'missing' if not present else 'null'} → {_default(new)}"
    if is_unknown(old, idx):
        return f"{_shown(old)} is not a known datasource: kept as {_shown(new)}"
    if new is None:
        return f"{_shown(old)} cannot be read as a datasource: → null"
    return f"{_shown(old)} → {_shown(new)}"


def _default(new: Any) -> str:
    return f"the default {_shown(new)}" if new is not None else "null (no default datasource)"


def _query_name(target: dict[str, Any], i: int) -> str:
    ref_id = target.get("refId")
    return f"`{ref_id}`" if isinstance(ref_id, str) and ref_id else f"#{i}"

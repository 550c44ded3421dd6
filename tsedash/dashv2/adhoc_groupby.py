"""Ad hoc filter and group-by variables, the kinds that carry their datasource: one without a
datasource uid is what Grafana's conversion fails on (`Unconvertible`)."""

from __future__ import annotations

from typing import Any

from tsedash.dashv2.context import ALPHA_BETA, V1_V2, Built, Context, Unconvertible
from tsedash.dashv2.jsonread import as_dict, get_bool, get_str, short
from tsedash.dashv2.queries import GRAFANA_DATASOURCE_UID
from tsedash.dashv2.variable_fields import (
    common_spec,
    current_option,
    note_datasource,
    option_list,
    variable_datasource,
)
from tsedash.sdk import to_plain


def _datasource_kind(ctx: Context, var: dict[str, Any], pointer: str, what: str) -> dict[str, Any]:
    """An ad hoc or group-by variable's kind fields; Grafana's v2alpha1 → v2beta1 step
    dereferences the datasource, so one without a uid fails there."""
    kind, uid = variable_datasource(ctx, var)
    if kind == "datasource" and not uid:
        uid = GRAFANA_DATASOURCE_UID
    if not uid:
        raise Unconvertible(
            f"{pointer}/datasource",
            f"{what} variable '{get_str(var, 'name')}' has no datasource uid: Grafana's "
            f"conversion fails on it ({ALPHA_BETA} convertVariable_V2alpha1_to_V2beta1 "
            "reads its datasource); give it a datasource {type, uid}",
        )
    note_datasource(ctx, var, kind, uid, pointer)
    return {"group": kind, "datasource": {"name": uid}}


def adhoc_variable(ctx: Context, name: str, var: dict[str, Any], pointer: str) -> Built[Any]:
    """buildAdhocVariable: filters (those of the dashboard), base filters, default keys."""
    head = _datasource_kind(ctx, var, pointer, "ad hoc")
    spec = common_spec(ctx, var, pointer)
    spec.update(
        baseFilters=_filters(ctx, var.get("baseFilters"), f"{pointer}/baseFilters"),
        filters=_filters(ctx, var.get("filters"), f"{pointer}/filters"),
        defaultKeys=_default_keys(ctx, var.get("defaultKeys"), f"{pointer}/defaultKeys"),
        allowCustomValue=get_bool(var, "allowCustomValue", True),
    )
    return Built({"kind": "AdhocVariable", **head, "spec": spec})


def group_by_variable(ctx: Context, name: str, var: dict[str, Any], pointer: str) -> Built[Any]:
    head = _datasource_kind(ctx, var, pointer, "group-by")
    spec = common_spec(ctx, var, pointer)
    spec.update(
        current=to_plain(current_option(ctx, var.get("current"), f"{pointer}/current")),
        options=to_plain(option_list(ctx, var.get("options"), f"{pointer}/options")),
        multi=get_bool(var, "multi", True),
    )
    if not isinstance(var.get("multi"), bool):
        where = f"{V1_V2} buildGroupByVariable"
        ctx.changed(f"{pointer}/multi", True, "multi: a group-by is multi by default", where, True)
    if isinstance(var.get("defaultValue"), dict):
        spec["defaultValue"] = to_plain(
            current_option(ctx, var["defaultValue"], f"{pointer}/defaultValue")
        )
    return Built({"kind": "GroupByVariable", **head, "spec": spec})


def _filters(ctx: Context, filters: Any, pointer: str) -> list[dict[str, Any]]:
    """transformAdHocFilters: those without an origin or of the dashboard's."""
    where = f"{V1_V2} transformAdHocFilters"
    out = []
    for i, item in enumerate(filters if isinstance(filters, list) else []):
        data = as_dict(item)
        origin = get_str(data, "origin")
        if not isinstance(item, dict) or origin not in ("", "dashboard"):
            ctx.dropped(f"{pointer}/{i}", f"filter {short(item)}", where)
            continue
        entry: dict[str, Any] = {
            "key": get_str(data, "key"),
            "operator": get_str(data, "operator", "="),
            "value": get_str(data, "value"),
        }
        if origin:
            entry["origin"] = origin
        for key in ("keyLabel", "condition"):
            if get_str(data, key):
                entry[key] = data[key]
        for key in ("values", "valueLabels"):
            strings = [v for v in data.get(key) or [] if isinstance(v, str)]
            if strings:
                entry[key] = strings
        if entry != data:
            ctx.changed(f"{pointer}/{i}", entry, f"filter {short(data)} as kept", where)
        out.append(entry)
    return out


def _default_keys(ctx: Context, keys: Any, pointer: str) -> list[dict[str, Any]]:
    """transformMetricFindValues: a key's text is its value too."""
    out = []
    for i, item in enumerate(keys if isinstance(keys, list) else []):
        text = item if isinstance(item, str) else get_str(as_dict(item), "text")
        if text:
            out.append({"text": text, "value": text})
            if item != out[-1]:
                ctx.changed(
                    f"{pointer}/{i}", out[-1], f"default key {short(item)}: its text is "
                    "its value", f"{V1_V2} transformMetricFindValues",
                )  # fmt: skip
        else:
            ctx.dropped(f"{pointer}/{i}", f"default key {short(item)}", V1_V2)
    return out

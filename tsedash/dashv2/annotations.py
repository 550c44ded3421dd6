"""Annotation queries (buildAnnotationQuery): the datasource when it has a uid and a type,
the target as the query, every other key a legacy option."""

from __future__ import annotations

from typing import Any

from tsedash.dashv2.context import NOTHING, V1_V2, Built, Context
from tsedash.dashv2.jsonread import as_dict, escape, get_bool, get_str, is_number, short
from tsedash.dashv2.queries import data_query
from tsedash.sdk import dashboardv2_b as b
from tsedash.sdk import dashboardv2_m as m

ANNOTATION_KEYS = {"name", "datasource", "enable", "hide", "iconColor", "filter", "target"}
ANNOTATION_KEYS |= {"builtIn", "type", "mappings"}


def annotation_queries(ctx: Context, model: dict[str, Any]) -> list[Any]:
    where = f"{V1_V2} buildAnnotationQuery"
    annotations = as_dict(model.get("annotations"))
    ctx.unread(annotations, {"list"}, "/annotations", "annotations", where)
    items = annotations.get("list")
    out = []
    for i, item in enumerate(items if isinstance(items, list) else []):
        if isinstance(item, dict):
            out.append(_annotation(ctx, item, f"/annotations/list/{i}"))
        else:
            ctx.dropped(f"/annotations/list/{i}", f"annotation {short(item)}", where)
    return out


def _annotation(ctx: Context, item: dict[str, Any], pointer: str) -> b.AnnotationQuery:
    """buildAnnotationQuery: the datasource when it has a uid and a type, the target as
    the query, every other key a legacy option."""
    where = f"{V1_V2} buildAnnotationQuery"
    ds = as_dict(item.get("datasource"))
    kind, uid = get_str(ds, "type"), get_str(ds, "uid")
    uid = uid if kind and uid else ""  # the reference is kept only with both
    read_back = {"type": kind, **({"uid": uid} if uid else {})} if kind else None
    if item.get("datasource") != read_back:
        detail = f"datasource {short(item.get('datasource'))}: a reference needs a uid and a type"
        if read_back is None:
            ctx.dropped(f"{pointer}/datasource", detail, where)
        else:
            ctx.changed(f"{pointer}/datasource", read_back, detail, where)
    target = item.get("target")
    spec = target if isinstance(target, dict) else {}
    if "target" in item and not (isinstance(target, dict) and target):
        ctx.dropped(f"{pointer}/target", f"target {short(target)}", where, target in NOTHING)
    for key, value in (("enable", False), ("hide", False), ("iconColor", ""), ("name", "")):
        if not isinstance(item.get(key), type(value)):
            ctx.changed(
                f"{pointer}/{key}", value, f"{key} {short(item.get(key))} → {value!r}",
                where, inert=key != "enable",
            )  # fmt: skip
    out = (
        b.AnnotationQuery()
        .query(Built(data_query(spec, kind, uid)))
        .enable(get_bool(item, "enable"))
        .hide(get_bool(item, "hide"))
        .icon_color(get_str(item, "iconColor"))
        .name(get_str(item, "name"))
    )
    built_in = item.get("builtIn")
    if is_number(built_in) or isinstance(built_in, bool):
        out.built_in(bool(built_in))
    if isinstance(item.get("filter"), dict):
        out.filter(Built(_annotation_filter(ctx, item["filter"], f"{pointer}/filter")))
    if isinstance(item.get("mappings"), dict):
        out.mappings(_event_mappings(ctx, item["mappings"], f"{pointer}/mappings"))
    legacy = {k: v for k, v in item.items() if k not in ANNOTATION_KEYS}
    if get_str(item, "type"):
        legacy["type"] = item["type"]
    elif "type" in item:
        ctx.dropped(
            f"{pointer}/type", f"type {short(item['type'])}", where, item["type"] in NOTHING
        )
    if legacy:
        out.legacy_options(legacy)
    return out


def _annotation_filter(ctx: Context, data: dict[str, Any], pointer: str) -> m.AnnotationPanelFilter:
    where = f"{V1_V2} buildAnnotationFilter"
    ctx.unread(data, {"exclude", "ids"}, pointer, "annotation filter", where)
    ids = data.get("ids")
    kept = (
        [int(i) for i in ids if is_number(i) and 0 <= i <= 2**32 - 1]
        if isinstance(ids, list)
        else []
    )
    if isinstance(ids, list) and kept != ids:
        ctx.changed(f"{pointer}/ids", kept, "panel ids: whole numbers only", where)
    if data.get("exclude") is False:
        ctx.dropped(f"{pointer}/exclude", "exclude false", where, inert=True)
    exclude = True if data.get("exclude") is True else None
    return m.AnnotationPanelFilter(exclude=exclude, ids=kept)  # type: ignore[arg-type]


def _event_mappings(ctx: Context, mappings: dict[str, Any], pointer: str) -> dict[str, Any]:
    """convertAnnotationMappings: "field": "name" is {source: field, value: name}."""
    where = f"{V1_V2} convertAnnotationMappings_V1beta1_to_V2alpha1"
    out = {}
    for key, value in mappings.items():
        here = f"{pointer}/{escape(key)}"
        if isinstance(value, str) and value:
            mapped = m.AnnotationEventFieldMapping(source="field", value=value)
            ctx.changed(here, {"source": "field", "value": value}, "a field name", where)
        elif isinstance(value, dict):
            mapped = m.AnnotationEventFieldMapping(
                source=get_str(value, "source") or "field",
                value=get_str(value, "value") or None,
                regex=get_str(value, "regex") or None,
            )
        else:
            ctx.dropped(here, f"mapping {short(value)}", where)
            continue
        out[key] = Built(mapped)
    return out

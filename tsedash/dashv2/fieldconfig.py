"""A panel's field config mapped field by field (extractFieldConfigSource): the defaults of
their type, colors, thresholds, value mappings, overrides and actions."""

from __future__ import annotations

from typing import Any

from tsedash.dashv2.context import NOTHING, V1_V2, Context
from tsedash.dashv2.jsonread import as_dict, escape, get_str, is_number, short

FIELD_DEFAULT_KEYS = {
    *("color", "custom", "decimals", "max", "min", "description", "displayName"),
    *("displayNameFromDS", "noValue", "path", "unit", "filterable", "writeable"),
    *("fieldMinMax", "nullValueMode", "links", "actions", "mappings", "thresholds"),
}


def field_config(ctx: Context, source: Any, pointer: str) -> dict[str, Any]:
    """extractFieldConfigSource: defaults field by field, overrides matcher + properties."""
    where = f"{V1_V2} extractFieldConfigSource"
    data = as_dict(source)
    if source is not None and not isinstance(source, dict):
        ctx.dropped(pointer, f"fieldConfig {short(source)}", where)
    ctx.unread(data, {"defaults", "overrides"}, pointer, "fieldConfig", where)
    defaults = data.get("defaults")
    out_defaults = _field_defaults(ctx, as_dict(defaults), f"{pointer}/defaults")
    if defaults is not None and not isinstance(defaults, dict):
        ctx.dropped(f"{pointer}/defaults", f"defaults {short(defaults)}", where)
    return {
        "defaults": out_defaults,
        "overrides": _overrides(ctx, data.get("overrides"), f"{pointer}/overrides"),
    }


def _field_defaults(ctx: Context, defaults: dict[str, Any], pointer: str) -> dict[str, Any]:
    """extractFieldConfigDefaults: the FieldConfig fields of their type; `custom: {}`
    when none is there."""
    where = f"{V1_V2} extractFieldConfigDefaults"
    ctx.unread(defaults, FIELD_DEFAULT_KEYS, pointer, "field config", where)
    out: dict[str, Any] = {}
    kinds: dict[str, Any] = {
        "custom": dict, "decimals": is_number, "max": is_number, "min": is_number,
        "description": str, "displayName": str, "displayNameFromDS": str, "noValue": str,
        "path": str, "unit": str, "filterable": bool, "writeable": bool,
        "fieldMinMax": bool, "nullValueMode": str, "links": list, "actions": list,
    }  # fmt: skip
    for key, kind in kinds.items():
        if key not in defaults:
            continue
        value = defaults[key]
        if not (is_number(value) if kind is is_number else isinstance(value, kind)):
            ctx.dropped(
                f"{pointer}/{key}", f"{key} {short(value)}: not a {_type_name(kind)}", where
            )
            continue
        out[key] = value
    # hasDefaults: a field of its type, or any `mappings`, keeps `custom: {}` out.
    carried = bool(out) or "mappings" in defaults
    carried = carried or any(isinstance(defaults.get(k), dict) for k in ("color", "thresholds"))
    if "links" in out:
        out["links"] = ctx.bom(out["links"], f"{pointer}/links")
    if "actions" in out:
        out["actions"] = _actions(ctx, out["actions"], f"{pointer}/actions")
        if out["actions"] is None:
            del out["actions"]
    if isinstance(defaults.get("color"), dict):
        out["color"] = _color(ctx, defaults["color"], f"{pointer}/color")
    elif "color" in defaults:
        ctx.dropped(f"{pointer}/color", f"color {short(defaults['color'])}", where)
    if "mappings" in defaults:
        mappings = _mappings(ctx, defaults["mappings"], f"{pointer}/mappings")
        if mappings:
            out["mappings"] = mappings
    if isinstance(defaults.get("thresholds"), dict):
        out["thresholds"] = _thresholds(ctx, defaults["thresholds"], f"{pointer}/thresholds")
    elif "thresholds" in defaults:
        ctx.dropped(f"{pointer}/thresholds", short(defaults["thresholds"]), where)
    if not carried:
        out["custom"] = {}
    return out


def _color(ctx: Context, color: dict[str, Any], pointer: str) -> dict[str, Any]:
    where = f"{V1_V2} buildFieldColor"
    ctx.unread(color, {"mode", "fixedColor", "seriesBy"}, pointer, "color", where)
    out: dict[str, Any] = {"mode": get_str(color, "mode")}
    if "mode" not in color or not isinstance(color["mode"], str):
        ctx.changed(f"{pointer}/mode", "", f"color mode {short(color.get('mode'))}", where)
    for key in ("fixedColor", "seriesBy"):
        if isinstance(color.get(key), str):
            out[key] = color[key]
        elif key in color:
            ctx.dropped(f"{pointer}/{key}", short(color[key]), where)
    return out


def _thresholds(ctx: Context, thresholds: dict[str, Any], pointer: str) -> dict[str, Any]:
    """buildThresholdsConfig: a step without a number value is the base step, value null
    (-Infinity)."""
    where = f"{V1_V2} buildThresholdsConfig"
    ctx.unread(thresholds, {"mode", "steps"}, pointer, "thresholds", where)
    out: dict[str, Any] = {"mode": get_str(thresholds, "mode")}
    if not isinstance(thresholds.get("mode"), str):
        ctx.changed(f"{pointer}/mode", "", f"mode {short(thresholds.get('mode'))}", where)
    steps = thresholds.get("steps")
    out["steps"] = []
    if not isinstance(steps, list):
        ctx.changed(f"{pointer}/steps", [], f"steps {short(steps)}", where, steps is None)
    for i, step in enumerate(steps if isinstance(steps, list) else []):
        here = f"{pointer}/steps/{i}"
        if not isinstance(step, dict):
            ctx.dropped(here, f"step {short(step)}", where)
            continue
        ctx.unread(step, {"value", "color"}, here, "threshold step", where)
        value = step.get("value")
        if not is_number(value):
            value = None
            if "value" not in step:
                ctx.changed(
                    f"{here}/value", None, "a step without value: Grafana's base step, "
                    "value null (from -Infinity)", where, inert=True,
                )  # fmt: skip
            elif step["value"] is not None:
                ctx.changed(
                    f"{here}/value", None, f"value {short(step['value'])} is no number: "
                    "null (from -Infinity)", where,
                )  # fmt: skip
        if not isinstance(step.get("color"), str):
            ctx.changed(f"{here}/color", "", f"color {short(step.get('color'))}", where)
        out["steps"].append({"value": value, "color": get_str(step, "color")})
    return out


def _mappings(ctx: Context, mappings: Any, pointer: str) -> list[dict[str, Any]]:
    """buildValueMappings: value, range, regex and special maps; others are skipped."""
    where = f"{V1_V2} buildValueMappings"
    if not isinstance(mappings, list) or not mappings:
        ctx.dropped(pointer, f"mappings {short(mappings)}", where, mappings in NOTHING)
        return []
    out = []
    for i, mapping in enumerate(mappings):
        here = f"{pointer}/{i}"
        kind = as_dict(mapping).get("type")
        built = _mapping(ctx, as_dict(mapping), kind, here) if isinstance(kind, str) else None
        if built is None:
            ctx.dropped(here, f"value mapping {short(mapping)}", where)
            continue
        ctx.unread(as_dict(mapping), {"type", "options"}, here, "value mapping", where)
        out.append(built)
    return out


def _mapping(
    ctx: Context, mapping: dict[str, Any], kind: str, pointer: str
) -> dict[str, Any] | None:
    options = mapping.get("options")
    if kind == "value":
        if not isinstance(options, dict):
            return {"type": "value", "options": None}
        results = {}
        for key, value in options.items():
            here = f"{pointer}/options/{escape(key)}"
            if isinstance(value, dict):
                results[key] = _mapping_result(ctx, value, here)
            else:
                ctx.dropped(here, f"mapping result {short(value)}", f"{V1_V2} buildValueMap")
        return {"type": "value", "options": results}
    if not isinstance(options, dict) or (kind != "regex" and not options):
        return None
    result = _mapping_result(ctx, as_dict(options.get("result")), f"{pointer}/options/result")
    if kind == "range":
        if options.get("from") is None and options.get("to") is None:
            return None
        for bound in ("from", "to"):  # none, or no number: unbounded (null)
            if not is_number(options.get(bound)) and options.get(bound, 0) is not None:
                where = f"{V1_V2} buildRangeMap"
                ctx.changed(f"{pointer}/options/{bound}", None, f"{bound}: unbounded", where, True)
        return {
            "type": "range",
            "options": {
                "from": options["from"] if is_number(options.get("from")) else None,
                "to": options["to"] if is_number(options.get("to")) else None,
                "result": result,
            },
        }
    if kind == "regex":
        return {
            "type": "regex",
            "options": {"pattern": get_str(options, "pattern"), "result": result},
        }
    if kind == "special":
        return {
            "type": "special",
            "options": {"match": get_str(options, "match"), "result": result},
        }
    return None


def _mapping_result(ctx: Context, result: dict[str, Any], pointer: str) -> dict[str, Any]:
    where = f"{V1_V2} buildValueMappingResult"
    ctx.unread(result, {"text", "color", "icon", "index"}, pointer, "mapping result", where)
    out = {k: result[k] for k in ("text", "color", "icon") if isinstance(result.get(k), str)}
    if is_number(result.get("index")):
        out["index"] = int(result["index"])
    return out


def _overrides(ctx: Context, overrides: Any, pointer: str) -> list[dict[str, Any]]:
    where = f"{V1_V2} extractFieldConfigOverrides"
    out = []
    if overrides is not None and not isinstance(overrides, list):
        ctx.changed(pointer, [], f"overrides {short(overrides)}", where)
    for i, item in enumerate(overrides if isinstance(overrides, list) else []):
        here = f"{pointer}/{i}"
        if not isinstance(item, dict):
            ctx.dropped(here, f"override {short(item)}", where)
            continue
        ctx.unread(item, {"matcher", "properties", "__systemRef"}, here, "override", where)
        matcher = as_dict(item.get("matcher"))
        ctx.unread(matcher, {"id", "options"}, f"{here}/matcher", "matcher", where)
        entry: dict[str, Any] = {"matcher": {"id": get_str(matcher, "id")}}
        if matcher.get("options") is not None:
            entry["matcher"]["options"] = matcher["options"]
        properties = item.get("properties")
        entry["properties"] = [
            {
                "id": get_str(p, "id"),
                "value": ctx.bom(p.get("value"), f"{here}/properties/{k}/value"),
            }
            for k, p in enumerate(properties if isinstance(properties, list) else [])
            if isinstance(p, dict)
        ]
        if isinstance(item.get("__systemRef"), str):
            entry["__systemRef"] = item["__systemRef"]
        out.append(entry)
    return out


def _actions(ctx: Context, actions: list[Any], pointer: str) -> list[dict[str, Any]] | None:
    """convertActionsToV2: type, title and their typed options."""
    where = f"{V1_V2} convertActionsToV2"
    out = []
    for i, action in enumerate(actions):
        if not isinstance(action, dict):
            ctx.dropped(f"{pointer}/{i}", f"action {short(action)}", where)
            continue
        known = {"type", "title", "confirmation", "oneClick", "fetch", "infinity"}
        ctx.unread(action, known | {"variables", "style"}, f"{pointer}/{i}", "action", where)
        item: dict[str, Any] = {"type": get_str(action, "type"), "title": get_str(action, "title")}
        if get_str(action, "confirmation"):
            item["confirmation"] = action["confirmation"]
        if isinstance(action.get("oneClick"), bool):
            item["oneClick"] = action["oneClick"]
        for key in ("fetch", "infinity"):
            if isinstance(action.get(key), dict):
                item[key] = _request(action[key], key == "infinity")
        if isinstance(action.get("variables"), list):
            item["variables"] = [
                {k: get_str(v, k) for k in ("key", "name", "type")}
                for v in action["variables"]
                if isinstance(v, dict)
            ]
        if isinstance(action.get("style"), dict):
            style = action["style"]
            item["style"] = (
                {"backgroundColor": style["backgroundColor"]}
                if isinstance(style.get("backgroundColor"), str)
                else {}
            )
        out.append(item)
    return out or None


def _request(data: dict[str, Any], infinity: bool) -> dict[str, Any]:
    out: dict[str, Any] = {"method": get_str(data, "method"), "url": get_str(data, "url")}
    if infinity:
        out["datasourceUid"] = get_str(data, "datasourceUid")
    if isinstance(data.get("body"), str):
        out["body"] = data["body"]
    for key in ("queryParams", "headers"):
        if isinstance(data.get(key), list):
            out[key] = [
                [s for s in pair if isinstance(s, str)]
                for pair in data[key]
                if isinstance(pair, list)
            ]
    return out


def _type_name(kind: Any) -> str:
    names = {dict: "object", str: "string", bool: "bool", list: "list"}
    return names.get(kind, "number")

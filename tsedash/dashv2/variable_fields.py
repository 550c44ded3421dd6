"""What the variable kinds read alike: hide, refresh and sort as enums, the current value
and the options, the datasource, the fields every kind's spec has."""

from __future__ import annotations

from typing import Any

from tsedash.dashv2.context import V1_V2, Context
from tsedash.dashv2.jsonread import as_dict, get_bool, get_str, is_number, is_template, short
from tsedash.sdk import dashboardv2_m as m

LEGACY_STRING = "__legacyStringValue"
HIDE = {0: "dontHide", 1: "hideLabel", 2: "hideVariable"}
REFRESH = {0: "never", 1: "onDashboardLoad", 2: "onTimeRangeChanged"}
SORT = {
    0: "disabled",
    1: "alphabeticalAsc",
    2: "alphabeticalDesc",
    3: "numericalAsc",
    4: "numericalDesc",
    5: "alphabeticalCaseInsensitiveAsc",
    6: "alphabeticalCaseInsensitiveDesc",
    7: "naturalAsc",
    8: "naturalDesc",
}
SORT_NUMBERS = 5  # transformVariableSortToEnum maps the numbers 0-4 only; 5-8 only as names


def hide_name(ctx: Context, var: dict[str, Any], pointer: str) -> str:
    """transformVariableHideToEnum: 0, 1, 2 (or their names); anything else dontHide."""
    hide = var.get("hide")
    if is_number(hide) and int(hide) in HIDE:
        return HIDE[int(hide)]
    if isinstance(hide, str) and hide in (*HIDE.values(), ""):
        number = {v: k for k, v in HIDE.items()}.get(hide, 0)
        ctx.changed(
            f"{pointer}/hide", number, f"hide '{hide}' (read back as v1: {number})",
            f"{V1_V2} transformVariableHideToEnum", inert=True,
        )  # fmt: skip
        return hide or "dontHide"
    if hide is not None:
        ctx.changed(
            f"{pointer}/hide", 0, f"hide {short(hide)} → dontHide (Grafana maps 0, 1, 2)",
            f"{V1_V2} transformVariableHideToEnum", inert=hide is False,
        )  # fmt: skip
    return "dontHide"


def enum_name(
    ctx: Context, var: dict[str, Any], key: str, table: dict[int, str], count: int, pointer: str
) -> str:
    """transformVariableRefreshToEnum / transformVariableSortToEnum: the first `count`
    numbers or a known name; anything else the first."""
    value = var.get(key)
    if is_number(value) and int(value) in table and int(value) < count:
        return table[int(value)]
    if isinstance(value, str) and value in table.values():
        number = {v: k for k, v in table.items()}[value]
        ctx.changed(
            f"{pointer}/{key}", number, f"{key} '{value}' (read back as v1: {number})",
            V1_V2, inert=True,
        )  # fmt: skip
        return value
    if value is not None and value != "":
        name = "Refresh" if key == "refresh" else "Sort"
        ctx.changed(
            f"{pointer}/{key}", 0, f"{key} {short(value)} → {table[0]}",
            f"{V1_V2} transformVariable{name}ToEnum", inert=value is False,
        )  # fmt: skip
    return table[0]


def _option_value(ctx: Context, value: Any, pointer: str) -> str | list[str]:
    """buildStringOrArrayOfString: a string, the strings of a list, else ""."""
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        strings = [v for v in value if isinstance(v, str)]
        if len(strings) != len(value):
            ctx.changed(pointer, strings, "only the strings of the list", V1_V2)
        return strings
    if isinstance(value, dict) and isinstance(value.get(LEGACY_STRING), str):
        ctx.changed(pointer, value[LEGACY_STRING], "a legacy string value", V1_V2)
        return str(value[LEGACY_STRING])
    if value is not None:
        ctx.changed(pointer, "", f"{short(value)} is no string", V1_V2)
    return ""


def current_option(ctx: Context, current: Any, pointer: str) -> m.VariableOption:
    """buildVariableCurrent: text and value; a current's `selected` means nothing."""
    data = as_dict(current)
    where = f"{V1_V2} buildVariableCurrent"
    if current is not None and not isinstance(current, dict):
        ctx.dropped(pointer, f"current {short(current)}", where)
    for key in sorted(set(data) - {"text", "value"}):
        ctx.dropped(f"{pointer}/{key}", f"current {key} {short(data[key])}", where, True)
    return m.VariableOption(
        text=_option_value(ctx, data.get("text"), f"{pointer}/text"),
        value=_option_value(ctx, data.get("value"), f"{pointer}/value"),
    )


def option_list(ctx: Context, options: Any, pointer: str) -> list[m.VariableOption]:
    """buildVariableOptions: text, value and selected (false unless true)."""
    out = []
    if options is not None and not isinstance(options, list):
        ctx.dropped(pointer, f"options {short(options)}", f"{V1_V2} buildVariableOptions")
    for i, option in enumerate(options if isinstance(options, list) else []):
        here = f"{pointer}/{i}"
        if not isinstance(option, dict):
            ctx.dropped(here, f"option {short(option)}", f"{V1_V2} buildVariableOptions")
            continue
        ctx.unread(option, {"text", "value", "selected"}, here, "option", V1_V2)
        out.append(
            m.VariableOption(
                text=_option_value(ctx, option.get("text"), f"{here}/text"),
                value=_option_value(ctx, option.get("value"), f"{here}/value"),
                selected=get_bool(option, "selected"),
            )
        )
    return out


def variable_datasource(ctx: Context, var: dict[str, Any]) -> tuple[str, str]:
    """The (type, uid) of a query, ad hoc or group-by variable's datasource."""
    ds = var.get("datasource")
    if isinstance(ds, dict):
        uid, kind = get_str(ds, "uid"), get_str(ds, "type")
        if uid and not kind and not is_template(uid):
            kind = ctx.types.get(uid, ctx.default_type)
        elif not uid and not kind:
            kind = ctx.default_type
        return kind, uid
    if isinstance(ds, str) and is_template(ds):
        return "", ds
    return ctx.default_type, ""


def note_datasource(ctx: Context, var: dict[str, Any], kind: str, uid: str, pointer: str) -> None:
    read_back = {"type": kind, **({"uid": uid} if uid else {})}
    if var.get("datasource") != read_back:
        ctx.changed(
            f"{pointer}/datasource", read_back,
            f"datasource {short(var.get('datasource'))} → {short(read_back)}",
            f"{V1_V2} buildQueryVariable", inert="datasource" not in var,
        )  # fmt: skip


def with_choices(ctx: Context, builder: Any, var: dict[str, Any], pointer: str) -> Any:
    """What query, datasource and custom variables share: options, multi, All."""
    builder.options(option_list(ctx, var.get("options"), f"{pointer}/options"))
    builder.multi(get_bool(var, "multi")).include_all(get_bool(var, "includeAll"))
    builder.allow_custom_value(get_bool(var, "allowCustomValue", True))
    if get_str(var, "allValue"):
        builder.all_value(var["allValue"])
    return builder


def common_spec(ctx: Context, var: dict[str, Any], pointer: str) -> dict[str, Any]:
    spec: dict[str, Any] = {
        "name": get_str(var, "name"),
        "hide": hide_name(ctx, var, pointer),
        "skipUrlSync": get_bool(var, "skipUrlSync"),
    }
    for key in ("label", "description"):
        if get_str(var, key):
            spec[key] = var[key]
    return spec

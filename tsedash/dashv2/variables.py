"""Template variables as their `*Variable` kinds (transformVariables, build*Variable); a
type Grafana does not know is skipped. Ad hoc and group-by variables: `adhoc_groupby`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tsedash.dashv2.adhoc_groupby import adhoc_variable, group_by_variable
from tsedash.dashv2.context import NOTHING, V1_V2, Built, Context
from tsedash.dashv2.jsonread import as_dict, get_bool, get_int, get_str, short
from tsedash.dashv2.queries import data_query
from tsedash.dashv2.variable_fields import (
    LEGACY_STRING,
    REFRESH,
    SORT,
    SORT_NUMBERS,
    common_spec,
    current_option,
    enum_name,
    hide_name,
    note_datasource,
    option_list,
    variable_datasource,
    with_choices,
)
from tsedash.sdk import dashboardv2_b as b
from tsedash.sdk import dashboardv2_m as m

COMMON_VARIABLE_KEYS = {"type", "name", "label", "description", "hide", "skipUrlSync"}
VARIABLE_KEYS: dict[str, set[str]] = {  # what each build*Variable reads besides the common
    "query": {
        *("current", "multi", "includeAll", "refresh", "sort", "regex", "regexApplyTo"),
        *("query", "allowCustomValue", "definition", "datasource", "options"),
        *("staticOptions", "staticOptionsOrder", "allValue"),
    },
    "datasource": {
        *("query", "current", "multi", "includeAll", "refresh", "regex"),
        *("allowCustomValue", "options", "allValue"),
    },
    "custom": {
        *("query", "current", "multi", "includeAll", "allowCustomValue", "options"),
        *("allValue", "valuesFormat"),
    },
    "constant": {"query", "current"},
    "interval": {"query", "options", "current", "auto", "auto_min", "auto_count", "refresh"},
    "textbox": {"query", "current"},
    "switch": {"current", "options"},
    "adhoc": {"datasource", "baseFilters", "filters", "defaultKeys", "allowCustomValue"},
    "groupby": {"datasource", "current", "multi", "options", "defaultValue"},
}
# A variable's values equal to these say nothing (the read-back treats them as absent,
# `canonical`): their drop is not reported.
VARIABLE_DEFAULTS: dict[str, Any] = {
    "hide": 0,
    "label": "",
    "description": "",
    "skipUrlSync": False,
    "regex": "",
    "sort": 0,
    "refresh": 0,
    "multi": False,
    "includeAll": False,
    "allowCustomValue": True,
    "options": [],
    "query": "",
    "allValue": "",
    "regexApplyTo": "value",
    "current": {"text": "", "value": ""},
    "baseFilters": [],
    "filters": [],
    "defaultKeys": [],
}
INTERVAL_ONLY = ("auto", "auto_count", "auto_min")  # the SDK writes them on every variable


def variables(ctx: Context, model: dict[str, Any]) -> list[Any]:
    """transformVariables: the kinds Grafana knows; any other type is skipped."""
    where = f"{V1_V2} transformVariables"
    templating = as_dict(model.get("templating"))
    ctx.unread(templating, {"list"}, "/templating", "templating", where)
    items = templating.get("list")
    out = []
    for i, var in enumerate(items if isinstance(items, list) else []):
        pointer = f"/templating/list/{i}"
        kind = get_str(as_dict(var), "type")
        if not isinstance(var, dict) or kind not in VARIABLE_KEYS:
            ctx.dropped(
                pointer, f"variable of type {short(as_dict(var).get('type'))}: a type "
                "Grafana's conversion skips", where,
            )  # fmt: skip
            continue
        out.append(_variable(ctx, var, kind, pointer))
    return out


def _variable(ctx: Context, var: dict[str, Any], kind: str, pointer: str) -> Any:
    where = f"{V1_V2} build{kind.capitalize()}Variable"
    known = COMMON_VARIABLE_KEYS | VARIABLE_KEYS[kind]
    if kind != "interval":
        known |= set(INTERVAL_ONLY)  # what the SDK writes on every variable, unread
    ctx.unread(var, known, pointer, "variable", where, VARIABLE_DEFAULTS)
    name = get_str(var, "name")
    kinds: dict[str, Callable[[Context, str, dict[str, Any], str], Any]] = {
        "query": _query_variable,
        "datasource": _datasource_variable,
        "custom": _custom_variable,
        "constant": _constant_variable,
        "interval": _interval_variable,
        "textbox": _text_variable,
        "switch": _switch_variable,
        "adhoc": adhoc_variable,
        "groupby": group_by_variable,
    }
    builder: Any = kinds[kind](ctx, name, var, pointer)
    if isinstance(builder, Built):
        return builder  # built whole (their kinds carry the datasource)
    if kind != "constant":
        builder.current(current_option(ctx, var.get("current"), f"{pointer}/current"))
    builder.skip_url_sync(get_bool(var, "skipUrlSync"))
    builder.hide(m.VariableHide(hide_name(ctx, var, pointer)))
    if get_str(var, "label"):
        builder.label(var["label"])
    if get_str(var, "description"):
        builder.description(var["description"])
    return builder


def _query_variable(ctx: Context, name: str, var: dict[str, Any], pointer: str) -> b.QueryVariable:
    kind, uid = variable_datasource(ctx, var)
    note_datasource(ctx, var, kind, uid, pointer)
    query = var.get("query")
    spec = query if isinstance(query, dict) else {}
    if isinstance(query, str) and query:
        spec = {LEGACY_STRING: query}
    elif query == {}:
        ctx.changed(f"{pointer}/query", "", "an empty query", V1_V2, inert=True)
    elif "query" in var and not isinstance(query, dict | str):
        where = f"{V1_V2} buildDataQueryKind"
        ctx.dropped(f"{pointer}/query", f"query {short(query)}", where, query in NOTHING)
    out = (
        b.QueryVariable(name)
        .query(Built(data_query(spec, kind, uid)))
        .refresh(m.VariableRefresh(enum_name(ctx, var, "refresh", REFRESH, 3, pointer)))
        .sort(m.VariableSort(enum_name(ctx, var, "sort", SORT, SORT_NUMBERS, pointer)))
        .regex(get_str(var, "regex"))
    )
    if isinstance(var.get("definition"), str):
        out.definition(var["definition"])
    if get_str(var, "regexApplyTo"):
        out.regex_apply_to(var["regexApplyTo"])  # Grafana's cast: any string
    if isinstance(var.get("staticOptions"), list):
        out.static_options(option_list(ctx, var["staticOptions"], f"{pointer}/staticOptions"))
    if var.get("staticOptionsOrder") in ("before", "after", "sorted"):
        out.static_options_order(var["staticOptionsOrder"])
    return with_choices(ctx, out, var, pointer)  # type: ignore[no-any-return]


def _datasource_variable(
    ctx: Context, name: str, var: dict[str, Any], pointer: str
) -> b.DatasourceVariable:
    """buildDatasourceVariable: the plugin id is the query string, else the default
    datasource's type."""
    query = var.get("query")
    plugin = query if isinstance(query, str) else ctx.default_type
    if not isinstance(query, str):
        ctx.changed(
            f"{pointer}/query", plugin, f"a datasource variable without a query string: "
            f"pluginId {plugin}, the default datasource's type",
            f"{V1_V2} buildDatasourceVariable",
        )  # fmt: skip
    out = (
        b.DatasourceVariable(name)
        .plugin_id(plugin)
        .refresh(m.VariableRefresh(enum_name(ctx, var, "refresh", REFRESH, 3, pointer)))
        .regex(get_str(var, "regex"))
    )
    return with_choices(ctx, out, var, pointer)  # type: ignore[no-any-return]


def _text_variable(ctx: Context, name: str, var: dict[str, Any], pointer: str) -> b.TextVariable:
    return b.TextVariable(name).query(get_str(var, "query"))


def _custom_variable(
    ctx: Context, name: str, var: dict[str, Any], pointer: str
) -> b.CustomVariable:
    out = b.CustomVariable(name).query(get_str(var, "query"))
    if var.get("valuesFormat") in ("json", "csv"):
        out.values_format(var["valuesFormat"])
    return with_choices(ctx, out, var, pointer)  # type: ignore[no-any-return]


def _constant_variable(
    ctx: Context, name: str, var: dict[str, Any], pointer: str
) -> b.ConstantVariable:
    """buildConstantVariable: the current value is the query's when none is given."""
    query = get_str(var, "query")
    out = b.ConstantVariable(name).query(query)
    if var.get("current") is not None:
        out.current(current_option(ctx, var["current"], f"{pointer}/current"))
    else:
        out.current(m.VariableOption(text=query, value=query))
        if query:
            ctx.changed(
                f"{pointer}/current", {"text": query, "value": query},
                "a constant's current value is its query", f"{V1_V2} buildConstantVariable",
                inert=True,
            )  # fmt: skip
    return out


def _interval_variable(
    ctx: Context, name: str, var: dict[str, Any], pointer: str
) -> b.IntervalVariable:
    """buildIntervalVariable: the query (from the options when empty); refresh always on
    time range change; auto_min "" and auto_count 0 when not given."""
    where = f"{V1_V2} buildIntervalVariable"
    query = get_str(var, "query")
    if not query and isinstance(var.get("options"), list):
        values = [_interval_value(o) for o in var["options"] if isinstance(o, dict)]
        if any(values):
            query = ",".join(v for v in values if v)
            ctx.changed(f"{pointer}/query", query, "the query made from the options", where)
    refresh = var.get("refresh")
    if refresh not in (None, 2, 2.0, "onTimeRangeChanged"):
        ctx.changed(f"{pointer}/refresh", 2, f"refresh {short(refresh)} → 2", where)
    for key, default in (("auto", False), ("auto_min", ""), ("auto_count", 0)):
        if key not in var:
            ctx.changed(f"{pointer}/{key}", default, f"{key} not given: {default!r}", where)
    return (
        b.IntervalVariable(name)
        .query(query)
        .options(option_list(ctx, var.get("options"), f"{pointer}/options"))
        .auto(get_bool(var, "auto"))
        .auto_min(get_str(var, "auto_min"))
        .auto_count(get_int(var, "auto_count"))
    )


def _switch_variable(ctx: Context, name: str, var: dict[str, Any], pointer: str) -> Built[Any]:
    """buildSwitchVariable: enabled and disabled values from the first two options."""
    options = [o for o in var.get("options") or [] if isinstance(o, dict)]
    values = [_option_text(o) for o in options[:2]] + ["", ""]
    enabled, disabled = values[0] or "true", values[1] or "false"
    current = _option_text(as_dict(var.get("current"))) or disabled
    spec = common_spec(ctx, var, pointer)
    spec.update(current=current, enabledValue=enabled, disabledValue=disabled)
    # A switch reads back as its two values, the current one selected.
    where = f"{V1_V2} buildSwitchVariable"
    read_back = [{"text": v, "value": v, "selected": v == current} for v in (enabled, disabled)]
    if var.get("options") != read_back:
        ctx.changed(f"{pointer}/options", read_back, "the switch's two values", where)
    if var.get("current") != {"text": current, "value": current}:
        ctx.changed(f"{pointer}/current", {"text": current, "value": current}, "its value", where)
    return Built({"kind": "SwitchVariable", "spec": spec})


def _interval_value(option: dict[str, Any]) -> str:
    if "value" in option:
        return option["value"] if isinstance(option["value"], str) else ""
    return get_str(option, "text")


def _option_text(option: dict[str, Any]) -> str:
    """getOptionValue: the value, else the text."""
    return get_str(option, "value") or get_str(option, "text")

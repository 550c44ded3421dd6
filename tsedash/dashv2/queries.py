"""A panel's data as Grafana's conversion carries it: each target a `PanelQuery` whose
`DataQuery` group is the datasource type and `datasource.name` its uid (a panel that is not
"-- Mixed --" gives its datasource to its queries), the transformations and the query options."""

from __future__ import annotations

from typing import Any

from tsedash.dashv2.context import NOTHING, V1_V2, Built, Context
from tsedash.dashv2.jsonread import get_bool, get_int, get_str, is_number, is_template, short
from tsedash.sdk import dashboardv2_b as b
from tsedash.sdk import dashboardv2_m as m

GRAFANA_DATASOURCE_UID = "grafana"
MIXED = "-- Mixed --"
QUERY_OPTIONS = {  # panel key → QueryOptionsSpec builder method, in buildQueryOptions's order
    "cacheTimeout": "cache_timeout",
    "maxDataPoints": "max_data_points",
    "interval": "interval",
    "hideTimeOverride": "hide_time_override",
    "queryCachingTTL": "query_caching_ttl",
    "timeFrom": "time_from",
    "timeShift": "time_shift",
}


def query_group(ctx: Context, panel: dict[str, Any], pointer: str) -> b.QueryGroup:
    group = b.QueryGroup().query_options(_query_options(ctx, panel, pointer))
    group.targets(_queries(ctx, panel, pointer))
    group.transformations(_transformations(ctx, panel, pointer))
    return group


def _panel_datasource(ctx: Context, panel: dict[str, Any]) -> tuple[str | None, str] | None:
    """transformPanelQueries's panel datasource: (type or None, uid), None for none."""
    ds = panel.get("datasource")
    if isinstance(ds, str) and is_template(ds):
        return None, ds
    if not isinstance(ds, dict):
        return None
    uid, kind = get_str(ds, "uid"), get_str(ds, "type")
    if not uid and not kind:
        return None  # an empty object stays empty
    if uid and not kind and not is_template(uid):
        kind = ctx.types.get(uid, ctx.default_type)
    if kind == "datasource" and not uid:
        uid = GRAFANA_DATASOURCE_UID
    return kind, uid


def _queries(ctx: Context, panel: dict[str, Any], pointer: str) -> list[Any]:
    where = f"{V1_V2} transformPanelQueries"
    targets = panel.get("targets")
    if not isinstance(targets, list):
        if "targets" in panel:
            detail = f"targets {short(targets)}"
            ctx.dropped(f"{pointer}/targets", detail, where, targets in NOTHING)
        if "datasource" in panel and panel["datasource"] is not None:
            ctx.dropped(
                f"{pointer}/datasource", f"the datasource of a panel without queries "
                f"({short(panel['datasource'])}): v2 keeps datasources on queries only",
                where,
            )  # fmt: skip
        return []
    panel_ds = _panel_datasource(ctx, panel)
    used = {t["refId"] for t in targets if isinstance(t, dict) and get_str(t, "refId")}
    out = []
    for j, target in enumerate(targets):
        here = f"{pointer}/targets/{j}"
        if not isinstance(target, dict):
            ctx.dropped(here, f"target {short(target)}: not an object", where)
            continue
        if not get_str(target, "refId"):
            ref = next(_ref_id(n) for n in range(len(used) + 1) if _ref_id(n) not in used)
            used.add(ref)
            ctx.changed(f"{here}/refId", ref, f"a query without refId gets {ref}", where)
            target = {**target, "refId": ref}
        out.append(_query(ctx, target, panel, panel_ds, here))
    if not targets and panel.get("datasource") is not None:
        ctx.dropped(
            f"{pointer}/datasource", f"the datasource of a panel without queries "
            f"({short(panel['datasource'])}): v2 keeps datasources on queries only", where,
        )  # fmt: skip
    return out


def _query(
    ctx: Context,
    target: dict[str, Any],
    panel: dict[str, Any],
    panel_ds: tuple[str | None, str] | None,
    pointer: str,
) -> b.Target:
    """transformSingleQuery: the query's datasource, unless the panel's applies."""
    where = f"{V1_V2} transformSingleQuery"
    kind, uid = "", ""
    ds = target.get("datasource")
    if isinstance(ds, dict) and (get_str(ds, "uid") or get_str(ds, "type")):
        uid, kind = get_str(ds, "uid"), get_str(ds, "type")
        if uid and not kind and not is_template(uid):
            kind = ctx.types.get(uid, ctx.default_type)
        if kind == "datasource" and not uid:
            uid = GRAFANA_DATASOURCE_UID
    elif isinstance(ds, str) and is_template(ds):
        uid = ds
    # A panel that is not "-- Mixed --" runs its queries on its own datasource.
    if panel_ds is not None and panel_ds[1] and panel_ds[1] != MIXED:
        if (not uid and not kind) or (uid != "__expr__" and uid != panel_ds[1]):
            kind = panel_ds[0] if panel_ds[0] is not None else kind
            uid = panel_ds[1]
    elif panel_ds is not None and panel_ds[0] == "datasource" and not uid and not kind:
        kind, uid = "datasource", GRAFANA_DATASOURCE_UID
    read_back = {"type": kind, **({"uid": uid} if uid else {})}
    given = target["datasource"] if "datasource" in target else panel.get("datasource")
    if given != read_back:
        ctx.changed(
            f"{pointer}/datasource", read_back,
            f"the query's datasource {short(given)} → {short(read_back)}", where,
        )  # fmt: skip
    hide = target.get("hide")
    if hide not in (None, False, True):
        ctx.dropped(f"{pointer}/hide", f"hide {short(hide)}: not a bool", where)
    spec = {k: v for k, v in target.items() if k not in ("refId", "hide", "datasource")}
    return (
        b.Target()
        .ref_id(get_str(target, "refId", "A") or "A")
        .hidden(get_bool(target, "hide"))
        .query(Built(data_query(spec, kind, uid)))
    )


def _transformations(ctx: Context, panel: dict[str, Any], pointer: str) -> list[Any]:
    where = f"{V1_V2} transformPanelTransformations"
    steps = panel.get("transformations")
    out = []
    for k, step in enumerate(steps if isinstance(steps, list) else []):
        here = f"{pointer}/transformations/{k}"
        if not isinstance(step, dict):
            ctx.dropped(here, f"transformation {short(step)}", where)
            continue
        ctx.unread(step, {"id", "options", "disabled", "filter"}, here, "transformation", where)
        item = b.Transformation().group(get_str(step, "id")).options(step.get("options"))
        if step.get("disabled") is True:
            item.disabled(True)
        elif "disabled" in step:  # false, or no bool: enabled
            disabled = step["disabled"]
            ctx.dropped(f"{here}/disabled", short(disabled), where, disabled in NOTHING)
        matcher = step.get("filter")
        if isinstance(matcher, dict):
            ctx.unread(matcher, {"id", "options"}, f"{here}/filter", "filter", where)
            item.filter(
                m.MatcherConfig(id_val=get_str(matcher, "id"), options=matcher.get("options"))
            )
        elif "filter" in step:
            detail = f"filter {short(matcher)}"
            ctx.dropped(f"{here}/filter", detail, where, matcher in NOTHING)
        out.append(item)
    return out


def _query_options(ctx: Context, panel: dict[str, Any], pointer: str) -> b.QueryOptionsSpec:
    """buildQueryOptions: strings that are not empty, numbers above 0, a true flag."""
    where = f"{V1_V2} buildQueryOptions"
    options = b.QueryOptionsSpec()
    for key, method in QUERY_OPTIONS.items():
        if key not in panel:
            continue
        value = panel[key]
        kept = _query_option(key, value)
        if kept is None:
            ctx.dropped(f"{pointer}/{key}", f"{key} {short(value)}", where, value in NOTHING)
            continue
        if kept != value:
            ctx.changed(f"{pointer}/{key}", kept, f"{key} {short(value)} → {kept}", where)
        getattr(options, method)(kept)
    return options


def data_query(spec: Any, group: str, uid: str) -> m.DataQueryKind:
    """A `DataQuery` (v2alpha1 → v2beta1: the group is the datasource type, `datasource.name`
    its uid, only when there is one)."""
    return m.DataQueryKind(
        group=group,
        version="v0",
        datasource=m.Dashboardv2DataQueryKindDatasource(name=uid) if uid else None,
        spec=spec,
    )


def _query_option(key: str, value: Any) -> Any:
    """The value buildQueryOptions keeps for a panel key, None for none."""
    if key == "hideTimeOverride":
        return True if value is True else None
    if key == "maxDataPoints":
        number = get_int({key: value}, key)
        return number if number > 0 else None
    if key == "queryCachingTTL":
        if is_number(value):
            return int(value)
        if isinstance(value, str) and value.strip().lstrip("-").isdigit():
            return int(value)
        return None
    return value if isinstance(value, str) and value else None


def _ref_id(index: int) -> str:
    """nextAvailableRefId's sequence: A … Z, AA, AB, …"""
    letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    if index < len(letters):
        return letters[index]
    return _ref_id(index // len(letters) - 1) + letters[index % len(letters)]

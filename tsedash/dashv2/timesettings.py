"""A dashboard's time settings as Grafana's conversion sets them (transformTimeSettings):
the time range, timezone, auto refresh and what the timepicker offers."""

from __future__ import annotations

from typing import Any

from tsedash.dashv2.context import V1_V2, Built, Context
from tsedash.dashv2.jsonread import as_dict, get_bool, get_int, get_str, short
from tsedash.sdk import dashboardv2_b as b
from tsedash.sdk import dashboardv2_m as m
from tsedash.sdk import to_plain

TIMEPICKER_KEYS = {"refresh_intervals", "hidden", "nowDelay", "quick_ranges"}


def time_settings(ctx: Context, model: dict[str, Any]) -> b.TimeSettings:
    where = f"{V1_V2} transformTimeSettings"
    time = as_dict(model.get("time"))
    ctx.unread(time, {"from", "to"}, "/time", "time", where)
    defaults = {"from": "now-6h", "to": "now"}  # Grafana's, for none
    if "time" in model and not isinstance(model["time"], dict):
        ctx.changed("/time", defaults, f"time {short(model['time'])}", where)
    for key, default in defaults.items():
        if key in time and not (isinstance(time[key], str) and time[key]):
            ctx.changed(f"/time/{key}", default, f"{key} {short(time[key])}", where)
    picker = as_dict(model.get("timepicker"))
    ctx.unread(picker, TIMEPICKER_KEYS, "/timepicker", "timepicker", where)
    settings = (
        b.TimeSettings()
        .from_val(get_str(time, "from") or "now-6h")
        .to(get_str(time, "to") or "now")
        .timezone(get_str(model, "timezone", "browser"))
        .auto_refresh(get_str(model, "refresh"))
        .fiscal_year_start_month(get_int(model, "fiscalYearStartMonth"))
        .hide_timepicker(get_bool(picker, "hidden"))
    )
    if "refresh" in model and not isinstance(model["refresh"], str):
        ctx.dropped("/refresh", f"refresh {short(model['refresh'])}", where, inert=True)
    intervals = picker.get("refresh_intervals")
    strings = [i for i in intervals if isinstance(i, str)] if isinstance(intervals, list) else []
    if strings:
        settings.auto_refresh_intervals(strings)
    if isinstance(intervals, list) and strings != intervals:
        ctx.changed(
            "/timepicker/refresh_intervals", strings or _default_intervals(),
            "refresh intervals: only strings, the default list for none", where, inert=True,
        )  # fmt: skip
    if get_str(model, "weekStart"):
        settings.week_start(model["weekStart"])  # Grafana's cast: any string
    elif "weekStart" in model:
        ctx.dropped("/weekStart", f"weekStart {short(model['weekStart'])}", where, True)
    if get_str(picker, "nowDelay"):
        settings.now_delay(picker["nowDelay"])
    ranges = picker.get("quick_ranges")
    if isinstance(ranges, list):
        settings.quick_ranges([_quick_range(ctx, r, i) for i, r in enumerate(ranges)])
    return settings


def _quick_range(ctx: Context, item: Any, index: int) -> Built[m.TimeRangeOption]:
    data = as_dict(item)
    pointer = f"/timepicker/quick_ranges/{index}"
    ctx.unread(data, {"display", "from", "to"}, pointer, "quick range", V1_V2)
    return Built(
        m.TimeRangeOption(
            display=get_str(data, "display"), from_val=get_str(data, "from"), to=get_str(data, "to")
        )
    )


def _default_intervals() -> list[str]:
    intervals: list[str] = to_plain(m.TimeSettingsSpec())["autoRefreshIntervals"]
    return intervals

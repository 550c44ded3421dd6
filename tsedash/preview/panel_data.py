"""A panel's queries run as Grafana runs them: the step from the panel's maxDataPoints (its
width in px when unset, as the scenes query runner measures it) and "Min interval", the time
macros of that step, range or instant per target, and the legend of each series."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from tsedash.preview.data import (
    QUERY,
    QUERY_RANGE,
    Result,
    Series,
    Source,
    TimeRange,
    run_query,
    seconds_text,
)
from tsedash.preview.interval import DEFAULT_SCRAPE, QueryTiming, query_timing
from tsedash.queries.expand import expand

COLUMN_WIDTH = 50  # px per grid column of the preview page (html.COLUMN_WIDTH)
LEGEND_FORMAT = re.compile(r"\{\{\s*(.+?)\s*\}\}")


@dataclass(frozen=True)
class TargetData:
    ref_id: str
    expr: str  # as sent, every variable substituted
    instant: bool
    result: Result
    names: list[str]  # one display name per series


@dataclass(frozen=True)
class PanelData:
    timing: QueryTiming
    targets: list[TargetData]

    @property
    def series(self) -> list[tuple[TargetData, Series, str]]:
        return [
            (t, s, n) for t in self.targets for s, n in zip(t.result.series, t.names, strict=True)
        ]

    @property
    def errors(self) -> list[str]:
        return [f"{t.ref_id}: {t.result.error}" for t in self.targets if t.result.error]


def metric_name(labels: dict[str, str]) -> str:
    """Prometheus' `model.Metric.String()`: `name{a="x", b="y"}`."""
    name = labels.get("__name__", "")
    rest = ", ".join(f'{k}="{v}"' for k, v in sorted(labels.items()) if k != "__name__")
    return f"{name}{{{rest}}}" if rest or not name else name


def legend_names(series: list[Series], legend: str, expr: str) -> list[str]:
    """Display names as `pkg/promlib/querydata/response.go: getName` and the frontend's
    `getFieldDisplayName` give them."""
    if legend == "__auto":
        return _auto_names(series, expr)
    out = []
    for s in series:
        name = metric_name(s.labels)
        if legend:
            name = _apply_legend(legend, s.labels)
        out.append(expr if name == "{}" else name)
    return out


def _apply_legend(legend: str, labels: dict[str, str]) -> str:
    """Each `{{label}}` replaced by its value, "" for a missing label."""
    return LEGEND_FORMAT.sub(lambda m: labels.get(m.group(1), ""), legend)


def _auto_names(series: list[Series], expr: str) -> list[str]:
    """`__auto`: the labels that differ between the series (all of them for one series);
    one label key in total → its value; no labels → the expression."""
    common: dict[str, str] = {}
    if len(series) > 1:
        common = dict(series[0].labels)
        for s in series[1:]:
            common = {k: v for k, v in common.items() if s.labels.get(k) == v}
    out = []
    keys = {k for s in series for k in s.labels if k != "__name__" or "__name__" not in common}
    for s in series:
        labels = {k: v for k, v in s.labels.items() if k not in common}
        if not s.labels:
            out.append(expr)
        elif len(keys) == 1 and "__name__" not in s.labels:
            out.append(next(iter(labels.values()), expr))
        else:
            out.append("{" + ", ".join(f'{k}="{v}"' for k, v in sorted(labels.items())) + "}")
    return out


def panel_width_px(panel: dict[str, Any]) -> int:
    return int((panel.get("gridPos") or {}).get("w", 24)) * COLUMN_WIDTH


def fetch_panel(
    panel: dict[str, Any], source: Source, span: TimeRange, values: dict[str, str],
    scrape: str = DEFAULT_SCRAPE,
) -> PanelData:  # fmt: skip
    """Run every visible target of `panel`; `values` are the variables' values."""
    mdp = int(panel.get("maxDataPoints") or panel_width_px(panel))
    panel_interval = str(panel.get("interval") or "") or None
    targets = []
    timing = query_timing(
        span.from_ms, span.to_ms, mdp, panel_interval=panel_interval, scrape=scrape
    )
    for target in panel.get("targets") or []:
        if target.get("hide") or not target.get("expr"):
            continue
        timing = query_timing(
            span.from_ms, span.to_ms, mdp, panel_interval=panel_interval,
            min_step=str(target.get("interval") or "") or None, scrape=scrape,
            interval_factor=int(target.get("intervalFactor") or 1),
        )  # fmt: skip
        expr = expand(str(target["expr"]), values | timing.macros())
        instant = bool(target.get("instant")) and not target.get("range")
        if instant:
            params = {"query": expr, "time": seconds_text(span.to_ms)}
            result = run_query(source, QUERY, params)
        else:
            params = {
                "query": expr,
                "start": seconds_text(timing.start_ms),
                "end": seconds_text(timing.end_ms),
                "step": seconds_text(timing.step_ms),
            }
            result = run_query(source, QUERY_RANGE, params)
        legend = expand(str(target.get("legendFormat") or ""), values)
        names = legend_names(result.series, legend, expr)
        targets.append(TargetData(str(target.get("refId", "")), expr, instant, result, names))
    return PanelData(timing, targets)

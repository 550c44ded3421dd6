"""House defaults shared by every panel: datasource, targets, legends, health colours.

Every function returns a fresh object: foundation-sdk builders mutate in place, so sharing one
between panels would let one panel's change leak into another.
"""

from __future__ import annotations

from tsedash.queries import Query
from tsedash.sdk import (
    common_b,
    common_m,
    dashboard_b,
    dashboard_m,
    prometheus_b,
    prometheus_m,
    stat_b,
    statetimeline_b,
    timeseries_b,
)
from tsedash.spec import DATASOURCE_REF

HEALTH_UP = "UP"
HEALTH_DOWN = "DOWN"


def datasource() -> common_m.DataSourceRef:
    """Every panel and target queries through the `datasource` variable."""
    return common_m.DataSourceRef(type_val="prometheus", uid=DATASOURCE_REF)


def panel_datasource() -> dashboard_m.DataSourceRef:
    return dashboard_m.DataSourceRef(type_val="prometheus", uid=DATASOURCE_REF)


def ref_id(index: int) -> str:
    """A, B, … Z, AA, AB, …: unique per panel."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def target(query: Query, index: int = 0) -> prometheus_b.Dataquery:
    t = (
        prometheus_b.Dataquery()
        .expr(query.expr)
        .ref_id(ref_id(index))
        .datasource(datasource())
        .legend_format(query.legend or "__auto")
    )
    if query.table:
        t = t.format(prometheus_m.PromQueryFormat.TABLE)
    return t.instant() if query.instant else t.range()


def health_mappings() -> list[dashboard_m.ValueMapping]:
    return [
        dashboard_m.ValueMap(
            options={
                "0": dashboard_m.ValueMappingResult(text=HEALTH_DOWN, color="red", index=0),
                "1": dashboard_m.ValueMappingResult(text=HEALTH_UP, color="green", index=1),
            }
        )
    ]


def health_thresholds() -> dashboard_b.ThresholdsConfig:
    return (
        dashboard_b.ThresholdsConfig()
        .mode(dashboard_m.ThresholdsMode.ABSOLUTE)
        .steps(
            [
                dashboard_m.Threshold(value=None, color="red"),
                dashboard_m.Threshold(value=1.0, color="green"),
            ]
        )
    )


def count_thresholds(bad_from: float | None = None) -> dashboard_b.ThresholdsConfig:
    """Neutral colour; with `bad_from`, red at and above it (e.g. instances down ≥ 1)."""
    steps = [dashboard_m.Threshold(value=None, color="green")]
    if bad_from is not None:
        steps.append(dashboard_m.Threshold(value=bad_from, color="red"))
    return dashboard_b.ThresholdsConfig().mode(dashboard_m.ThresholdsMode.ABSOLUTE).steps(steps)


def last_value() -> common_b.ReduceDataOptions:
    # The SDK's default is `calcs: []`, which Grafana renders as no value at all.
    return common_b.ReduceDataOptions().calcs(["lastNotNull"]).values(False)


def legend() -> common_b.VizLegendOptions:
    # The SDK hides the legend by default; a series without a name is unreadable.
    return (
        common_b.VizLegendOptions()
        .show_legend(True)
        .display_mode(common_m.LegendDisplayMode.LIST)
        .placement(common_m.LegendPlacement.BOTTOM)
    )


def tooltip() -> common_b.VizTooltipOptions:
    return (
        common_b.VizTooltipOptions()
        .mode(common_m.TooltipDisplayMode.MULTI)
        .sort(common_m.SortOrder.DESCENDING)
    )


def timeseries(title: str, description: str, query: Query, unit: str) -> timeseries_b.Panel:
    """The house time series: legend shown, shared tooltip, light fill, zero-based axis."""
    return (
        timeseries_b.Panel()
        .title(title)
        .description(description)
        .datasource(panel_datasource())
        .with_target(target(query))
        .unit(unit)
        .min(0.0)
        .legend(legend())
        .tooltip(tooltip())
        .fill_opacity(10.0)
        .line_width(1.0)
    )


def stat(title: str, description: str, unit: str) -> stat_b.Panel:
    """The house stat, without targets: last value (not the SDK's empty calcs), no sparkline."""
    return (
        stat_b.Panel()
        .title(title)
        .description(description)
        .datasource(panel_datasource())
        .unit(unit)
        .reduce_options(last_value())
        .graph_mode(common_m.BigValueGraphMode.NONE)
    )


def health_timeline(title: str, description: str, query: Query) -> statetimeline_b.Panel:
    """UP/DOWN over time, one lane per series: readable for hundreds of instances, unlike a
    tile per instance."""
    return (
        statetimeline_b.Panel()
        .title(title)
        .description(description)
        .datasource(panel_datasource())
        .with_target(target(query))
        .unit("none")
        .mappings(health_mappings())
        .thresholds(health_thresholds())
        .show_value(common_m.VisibilityMode.NEVER)
        .merge_values(True)
        .legend(legend())
    )

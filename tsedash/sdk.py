"""The one place grafana-foundation-sdk is imported, with its v1 deprecation warning filtered.

The v1 dashboard builders warn "Prefer using dashboardv2.Dashboard instead." at import; the
classic model is what the file provider and /api/dashboards/db read, so we keep v1 and silence
exactly that warning, nothing else.
"""

from __future__ import annotations

import json
import warnings
from enum import Enum
from typing import Any

with warnings.catch_warnings():
    warnings.filterwarnings(
        "ignore",
        message=r"Prefer using dashboardv2\.Dashboard instead\.",
        category=DeprecationWarning,
    )
    from grafana_foundation_sdk.builders import common as common_b
    from grafana_foundation_sdk.builders import dashboard as dashboard_b
    from grafana_foundation_sdk.builders import dashboardv2 as dashboardv2_b
    from grafana_foundation_sdk.builders import prometheus as prometheus_b
    from grafana_foundation_sdk.builders import stat as stat_b
    from grafana_foundation_sdk.builders import statetimeline as statetimeline_b
    from grafana_foundation_sdk.builders import table as table_b
    from grafana_foundation_sdk.builders import text as text_b
    from grafana_foundation_sdk.builders import timeseries as timeseries_b
    from grafana_foundation_sdk.cog import builder as cogbuilder
    from grafana_foundation_sdk.cog.encoder import JSONEncoder
    from grafana_foundation_sdk.models import common as common_m
    from grafana_foundation_sdk.models import dashboard as dashboard_m
    from grafana_foundation_sdk.models import dashboardv2 as dashboardv2_m
    from grafana_foundation_sdk.models import prometheus as prometheus_m
    from grafana_foundation_sdk.models import text as text_m
    from grafana_foundation_sdk.models import units as units_m

__all__ = [
    "JSONEncoder",
    "cogbuilder",
    "common_b",
    "common_m",
    "dashboard_b",
    "dashboard_m",
    "dashboardv2_b",
    "dashboardv2_m",
    "prometheus_b",
    "prometheus_m",
    "stat_b",
    "statetimeline_b",
    "table_b",
    "text_b",
    "text_m",
    "timeseries_b",
    "to_plain",
    "units_m",
]


def to_plain(model: Any) -> Any:
    """An SDK model as plain JSON-able Python (dicts, lists, scalars).

    Walks `to_json()` like the SDK's JSONEncoder does, without serialising and re-parsing
    (which costs 3x the final `json.dumps` on a 10,000-instance registry reference).
    """
    if hasattr(model, "to_json"):
        return to_plain(model.to_json())
    if isinstance(model, dict):
        return {k: to_plain(v) for k, v in model.items()}
    if isinstance(model, list | tuple):
        return [to_plain(v) for v in model]
    if isinstance(model, Enum):
        return model.value
    if model is None or isinstance(model, str | int | float | bool):
        return model
    # Anything else the SDK's encoder would not know either: fail like json.dumps would.
    return json.loads(json.dumps(model, cls=JSONEncoder))

"""The one place grafana-foundation-sdk is imported, with its v1 deprecation warning filtered.

The v1 dashboard builders warn "Prefer using dashboardv2.Dashboard instead." at import; the
classic model is what the file provider and /api/dashboards/db read, so we keep v1 and silence
exactly that warning, nothing else.
"""

from __future__ import annotations

import json
import warnings
from typing import Any

with warnings.catch_warnings():
    warnings.filterwarnings(
        "ignore",
        message=r"Prefer using dashboardv2\.Dashboard instead\.",
        category=DeprecationWarning,
    )
    from grafana_foundation_sdk.builders import common as common_b
    from grafana_foundation_sdk.builders import dashboard as dashboard_b
    from grafana_foundation_sdk.builders import prometheus as prometheus_b
    from grafana_foundation_sdk.builders import stat as stat_b
    from grafana_foundation_sdk.builders import table as table_b
    from grafana_foundation_sdk.builders import text as text_b
    from grafana_foundation_sdk.builders import timeseries as timeseries_b
    from grafana_foundation_sdk.cog.encoder import JSONEncoder
    from grafana_foundation_sdk.models import common as common_m
    from grafana_foundation_sdk.models import dashboard as dashboard_m
    from grafana_foundation_sdk.models import prometheus as prometheus_m
    from grafana_foundation_sdk.models import text as text_m

__all__ = [
    "JSONEncoder",
    "common_b",
    "common_m",
    "dashboard_b",
    "dashboard_m",
    "prometheus_b",
    "prometheus_m",
    "stat_b",
    "table_b",
    "text_b",
    "text_m",
    "timeseries_b",
    "to_plain",
]


def to_plain(model: Any) -> Any:
    """An SDK model as plain JSON-able Python (dicts, lists, scalars), via the SDK's encoder."""
    return json.loads(json.dumps(model, cls=JSONEncoder))

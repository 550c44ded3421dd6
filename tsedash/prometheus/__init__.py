"""The Prometheus scrape configuration that makes the dashboards' queries return data."""

from tsedash.prometheus.config import (
    DEFAULT_OUT,
    SERVICE_INSTANCE_LABEL,
    merge_report,
    render_prometheus,
    write_prometheus,
)
from tsedash.prometheus.merge import (
    BaseConfigError,
    MergeReport,
    PrometheusMerge,
    find_base_beside,
    load_base,
)

__all__ = [
    "DEFAULT_OUT",
    "SERVICE_INSTANCE_LABEL",
    "BaseConfigError",
    "MergeReport",
    "PrometheusMerge",
    "find_base_beside",
    "load_base",
    "merge_report",
    "render_prometheus",
    "write_prometheus",
]

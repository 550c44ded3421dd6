"""The Prometheus scrape configuration that makes the dashboards' queries return data."""

from tsedash.prometheus.config import (
    DEFAULT_OUT,
    SERVICE_INSTANCE_LABEL,
    render_prometheus,
    write_prometheus,
)

__all__ = ["DEFAULT_OUT", "SERVICE_INSTANCE_LABEL", "render_prometheus", "write_prometheus"]

"""Example extra dashboard written as a plain dict, returned by `dashboard(registry)`.

The classic dashboard model, by hand: what a dashboard exported from Grafana and tidied up
looks like. It uses the `datasource`, `service` and `instance` variables like ours, and takes
the service types from the registry the build uses, so it lists what the views list. The
defaults pass (tags, links to the views, read-only, time) is applied by the build.
"""

from typing import Any

from tsedash.queries import service_jobs_regex
from tsedash.registry import Registry

_DS = {"type": "prometheus", "uid": "${datasource}"}


def _variable(name: str, label: str, query: str, all_value: str) -> dict[str, object]:
    return {
        "name": name,
        "label": label,
        "type": "query",
        "datasource": _DS,
        "query": query,
        "definition": query,
        "multi": True,
        "includeAll": True,
        "allValue": all_value,
        "current": {"selected": True, "text": "All", "value": "$__all"},
        "refresh": 2,
        "sort": 1,
    }


def dashboard(registry: Registry) -> dict[str, Any]:
    services = service_jobs_regex(registry)
    ds = registry.datasource
    return {
        "uid": "tse-extra-scrape",
        "title": "Scrape Health",
        "description": "How long Prometheus takes to scrape each instance, and how many samples.",
        "schemaVersion": 42,
        "templating": {
            "list": [
                {
                    "name": "datasource",
                    "label": "Data source",
                    "type": "datasource",
                    "query": "prometheus",
                    "current": {"selected": True, "text": ds.name, "value": ds.uid},
                },
                _variable(
                    "service", "Service", f'label_values(up{{job=~"{services}"}}, job)', services
                ),
                _variable(
                    "instance", "Instance", 'label_values(up{job=~"$service"}, instance)', ".+"
                ),
            ]
        },
        "panels": [
            {
                "id": 1,
                "type": "timeseries",
                "title": "Scrape Health by Instance",
                "description": "1 while the last scrape of the instance succeeded, 0 if it failed.",
                "gridPos": {"h": 8, "w": 24, "x": 0, "y": 0},
                "datasource": _DS,
                "fieldConfig": {"defaults": {"unit": "none", "min": 0, "max": 1}, "overrides": []},
                "options": {
                    "legend": {"showLegend": True, "displayMode": "list", "placement": "bottom"}
                },
                "targets": [
                    {
                        "refId": "A",
                        "datasource": _DS,
                        "expr": 'up{job=~"$service", instance=~"$instance"}',
                        "legendFormat": "{{instance}}",
                        "range": True,
                    }
                ],
            }
        ],
    }

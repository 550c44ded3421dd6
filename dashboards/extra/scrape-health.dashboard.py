"""Example extra dashboard written as a plain dict (module-level `dashboard`).

The classic dashboard model, by hand: what a dashboard exported from Grafana and tidied up
looks like. It uses the `datasource`, `service` and `instance` variables like ours.
"""

_DS = {"type": "prometheus", "uid": "${datasource}"}
_SERVICES = (
    "audit-correlator|test-coordinator|trading-system-engine|risk-monitor|"
    "exchange-simulator|custodian-simulator|market-data-simulator"
)


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


dashboard = {
    "uid": "tse-extra-scrape",
    "title": "Scrape Health",
    "description": "How long Prometheus takes to scrape each instance, and how many samples.",
    "tags": ["trading-ecosystem", "extra"],
    "editable": False,
    "schemaVersion": 42,
    "time": {"from": "now-1h", "to": "now"},
    "timezone": "browser",
    "refresh": "30s",
    "annotations": {"list": []},
    "links": [],
    "templating": {
        "list": [
            {
                "name": "datasource",
                "label": "Data source",
                "type": "datasource",
                "query": "prometheus",
                "current": {"selected": True, "text": "Prometheus", "value": "prometheus"},
            },
            _variable(
                "service", "Service", f'label_values(up{{job=~"{_SERVICES}"}}, job)', _SERVICES
            ),
            _variable("instance", "Instance", 'label_values(up{job=~"$service"}, instance)', ".+"),
        ]
    },
    "panels": [
        {
            "id": 1,
            "type": "timeseries",
            "title": "Scrape Health by Instance",
            "description": "1 while the last scrape of the instance succeeded, 0 when it failed.",
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

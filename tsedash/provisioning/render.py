"""The bytes of every provisioning file, from the registry and the built dashboards."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from tsedash.encode import dump_json, dump_yaml
from tsedash.errors import InputError
from tsedash.inputs import read_json
from tsedash.registry import Registry
from tsedash.spec import DashboardSpec

CONTAINER_ROOT = "/etc/grafana/provisioning"
PROVIDER_FILE = "dashboards/trading-ecosystem.yml"
DASHBOARD_DIR = "dashboards/trading-ecosystem"
DATASOURCE_FILE = "datasources/prometheus.yml"


def dashboard_files(out: Path) -> list[Path]:
    """Every `*.json` a file provider reads under `out/dashboards`, sorted; like Grafana, what
    sits under a dot-directory (or is a dot-file) is skipped."""
    root = out / "dashboards"
    if not root.is_dir():
        return []
    return sorted(
        p
        for p in root.rglob("*.json")
        if not any(part.startswith(".") for part in p.relative_to(root).parts)
    )


def read_dashboards(out: Path) -> list[tuple[Path, dict[str, Any]]]:
    """The dashboards `build` wrote under `out`, parsed; InputError when none or one is broken."""
    files = dashboard_files(out)
    if not files:
        raise InputError(f"{out / 'dashboards'}: no dashboard files (run `tsedash build` first)")
    items = []
    for path in files:
        items.append((path, read_json(path)))
    return items


def provider_config(registry: Registry) -> dict[str, Any]:
    """The file provider; its folder is the registry's (`folder:`), created by Grafana at the
    top level when missing (a nested one must exist first: `tsedash push` creates it)."""
    return {
        "apiVersion": 1,
        "providers": [
            {
                "name": "trading-ecosystem",
                "orgId": 1,
                "folder": registry.folder.title,
                "folderUid": registry.folder.uid,
                "type": "file",
                "disableDeletion": False,
                "updateIntervalSeconds": 10,
                "allowUiUpdates": False,
                "options": {
                    "path": f"{CONTAINER_ROOT}/{DASHBOARD_DIR}",
                    "foldersFromFilesStructure": False,
                },
            }
        ],
    }


def datasource_config(registry: Registry) -> dict[str, Any]:
    ds = registry.datasource
    return {
        "apiVersion": 1,
        "datasources": [
            {
                "name": ds.name,
                "type": "prometheus",
                "uid": ds.uid,
                "url": ds.url,
                "access": "proxy",
                "isDefault": True,
                "editable": False,
                "jsonData": {"httpMethod": "POST", "timeInterval": "15s"},
            }
        ],
    }


def render_files(
    registry: Registry, dashboards: Sequence[tuple[DashboardSpec | Any, dict[str, Any]]]
) -> dict[str, bytes]:
    """Relative path → content, for everything the build owns under the output directory."""
    files = {
        PROVIDER_FILE: dump_yaml(provider_config(registry)),
        DATASOURCE_FILE: dump_yaml(datasource_config(registry)),
    }
    for spec, model in dashboards:
        files[f"{DASHBOARD_DIR}/{spec.filename}"] = dump_json(model)
    return files

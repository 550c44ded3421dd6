"""Schema v2 dashboards for Grafana's `dashboard.grafana.app/v2` resource API: the classic
model converted (`convert`), read back (`back`) and validated (`checks`).

Grafana's file provider reads only the classic model (a v2 file there is refused with
"dashboard appears to be in v2 format"), so `build --schema v2` writes the v2 resources
beside the provider's directory, under `dashboards-v2/`, and `push --schema v2` sends them
through the v2 API.

This module is light (no grafana-foundation-sdk): push and pull need only `resource`; the
conversion is `tsedash.dashv2.resources.convert_all` (its report: `tsedash.dashv2.report`).
"""

from __future__ import annotations

from typing import Any

GROUP = "dashboard.grafana.app"
VERSION = "v2"
API_VERSION = f"{GROUP}/{VERSION}"
V2_DIR = "dashboards-v2"
FOLDER_ANNOTATION = "grafana.app/folder"
SCHEMAS = ("v1", "v2")

__all__ = ["API_VERSION", "SCHEMAS", "V2_DIR", "resource"]


def resource(uid: str, spec: dict[str, Any], folder_uid: str) -> dict[str, Any]:
    """The Dashboard resource as the v2 API and `grafanactl resources push` read it."""
    return {
        "apiVersion": API_VERSION,
        "kind": "Dashboard",
        "metadata": {"name": uid, "annotations": {FOLDER_ANNOTATION: folder_uid}},
        "spec": spec,
    }

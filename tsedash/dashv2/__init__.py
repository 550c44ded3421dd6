"""Schema v2 dashboards for Grafana's `dashboard.grafana.app/v2` resource API: the classic
model converted (`convert`), read back (`back`) and validated (`checks`).

Grafana's file provider reads only the classic model (a v2 file there is refused with
"dashboard appears to be in v2 format"), so `build --schema v2` writes the v2 resources
beside the provider's directory, under `dashboards-v2/`, and `push --schema v2` sends them
through the v2 API.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from tsedash.dashv2.checks import validate_resource
from tsedash.dashv2.convert import Unconvertible, to_v2
from tsedash.findings import Finding

GROUP = "dashboard.grafana.app"
VERSION = "v2"
API_VERSION = f"{GROUP}/{VERSION}"
V2_DIR = "dashboards-v2"
FOLDER_ANNOTATION = "grafana.app/folder"
SCHEMAS = ("v1", "v2")

__all__ = [
    "API_VERSION",
    "SCHEMAS",
    "V2_DIR",
    "Unconvertible",
    "convert_all",
    "resource",
    "to_v2",
    "validate_resource",
]


def resource(uid: str, spec: dict[str, Any], folder_uid: str) -> dict[str, Any]:
    """The Dashboard resource as the v2 API and `grafanactl resources push` read it."""
    return {
        "apiVersion": API_VERSION,
        "kind": "Dashboard",
        "metadata": {"name": uid, "annotations": {FOLDER_ANNOTATION: folder_uid}},
        "spec": spec,
    }


def convert_all(
    items: Iterable[tuple[str, dict[str, Any]]], folder_uid: str
) -> tuple[list[tuple[str, dict[str, Any]]], list[Finding]]:
    """(file, v1 model) → (file, v2 resource), each validated against the model it came from;
    the findings of those that cannot be converted or do not validate."""
    converted: list[tuple[str, dict[str, Any]]] = []
    findings: list[Finding] = []
    for file, model in items:
        uid = str(model.get("uid", ""))
        try:
            spec = to_v2(model)
        except Unconvertible as exc:
            findings.append(Finding(file, uid=uid, pointer=exc.pointer, message=str(exc)))
            continue
        made = resource(uid, spec, folder_uid)
        own = validate_resource(file, made, model)
        findings += own
        if not own:
            converted.append((file, made))
    return converted, findings

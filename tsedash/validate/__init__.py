"""Validation: will Grafana load these dashboards, and does every panel mean something?"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

import yaml

from tsedash.errors import InputError
from tsedash.inputs import UnreadableInput, read_json, read_text
from tsedash.provisioning.render import dashboard_files
from tsedash.validate.checks import validate_model
from tsedash.validate.findings import Finding, ValidationFailed
from tsedash.validate.roundtrip import roundtrip_differences

__all__ = [
    "Finding",
    "ValidationFailed",
    "validate_dashboards",
    "validate_dir",
    "validate_model",
]


def validate_dashboards(
    items: Iterable[tuple[str, Any]], provisioned_uid: str | None = None
) -> list[Finding]:
    """Findings for dashboards provisioned into one folder: each alone, then together."""
    findings: list[Finding] = []
    uids: dict[str, str] = {}
    titles: dict[str, str] = {}
    for file, model in items:
        own = validate_model(model, file, provisioned_uid)
        findings.extend(own)
        if not isinstance(model, dict) or any(f.pointer == "/dashboard" for f in own):
            continue
        uid = str(model.get("uid", ""))
        if not own:
            findings.extend(
                Finding(file, uid=uid, pointer=ptr, message=msg)
                for ptr, msg in roundtrip_differences(model)
            )
        if uid in uids:
            findings.append(
                Finding(
                    file,
                    uid=uid,
                    pointer="/uid",
                    message=f"uid '{uid}' is also used by {uids[uid]}",
                )
            )
        uids.setdefault(uid, file)
        title = str(model.get("title", ""))
        if title in titles:
            findings.append(
                Finding(
                    file,
                    uid=uid,
                    pointer="/title",
                    message=f"title '{title}' is also used by {titles[title]} in the same "
                    "folder: Grafana stops provisioning both",
                )
            )
        titles.setdefault(title, file)
    return sorted(findings, key=Finding.sort_key)


def provisioned_datasource_uid(out: Path) -> str | None:
    """The default datasource's uid from `datasources/*.yml` under the provisioning dir."""
    for path in sorted((out / "datasources").glob("*.y*ml")):
        try:
            data = yaml.safe_load(read_text(path)) or {}
        except yaml.YAMLError as exc:
            raise InputError(f"{path}: not valid YAML: {exc}") from None
        for ds in data.get("datasources", []) or []:
            if isinstance(ds, dict) and ds.get("uid"):
                return str(ds["uid"])
    return None


def validate_dir(out: Path) -> list[Finding]:
    """Validate every dashboard file a file provider would read under `out/dashboards`."""
    root = out / "dashboards"
    if not root.is_dir():
        raise InputError(f"{root}: no dashboards directory (run `tsedash build` first)")
    items: list[tuple[str, Any]] = []
    findings: list[Finding] = []
    for path in dashboard_files(out):
        try:
            items.append((str(path), read_json(path)))
        except UnreadableInput as exc:
            findings.append(Finding(str(path), exc.line, message=exc.reason))
    if not items and not findings:
        raise InputError(f"{root}: no dashboard files (*.json) found")
    return sorted(
        findings + validate_dashboards(items, provisioned_datasource_uid(out)), key=Finding.sort_key
    )

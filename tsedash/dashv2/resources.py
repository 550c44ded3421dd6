"""Many dashboards at once: converted, checked against the models they came from."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from tsedash.dashv2 import resource
from tsedash.dashv2.checks import validate_resource
from tsedash.dashv2.convert import Unconvertible, to_v2
from tsedash.findings import Finding


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

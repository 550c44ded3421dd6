"""Many dashboards at once: converted, checked against the models they came from."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from tsedash.dashv2 import resource
from tsedash.dashv2.checks import validate_resource
from tsedash.dashv2.convert import Unconvertible, convert
from tsedash.dashv2.report import DashboardNote
from tsedash.findings import Finding


def convert_all(
    items: Iterable[tuple[str, dict[str, Any]]], folder_uid: str
) -> tuple[list[tuple[str, dict[str, Any]]], list[Finding], list[DashboardNote]]:
    """(file, v1 model) → (file, v2 resource), each validated against the model it came from
    less what its conversion report says; the findings of those that cannot be converted or
    do not validate; the report of every dashboard converted."""
    converted: list[tuple[str, dict[str, Any]]] = []
    findings: list[Finding] = []
    notes: list[DashboardNote] = []
    for file, model in items:
        uid = str(model.get("uid", ""))
        try:
            made = convert(model)
        except Unconvertible as exc:
            findings.append(Finding(file, uid=uid, pointer=exc.pointer, message=str(exc)))
            continue
        notes += [DashboardNote(uid, note) for note in made.notes]
        spec = resource(uid, made.spec, folder_uid)
        own = validate_resource(file, spec, model, made.notes)
        findings += own
        if not own:
            converted.append((file, spec))
    return converted, findings, notes

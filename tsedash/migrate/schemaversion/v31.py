"""schemaVersion 31: a `merge` transformation after each `labelsToFields`.

Grafana's step (`schemaversion/v31.go`) walks the panels, entering `type: row` panels' nested
`panels` at any depth (rows themselves are not changed, another panel's nested `panels` are not
entered). In a panel whose `transformations` list holds an object with `id: labelsToFields`, a
`{"id": "merge", "options": {}}` is inserted right after every such object; every other entry
(objects and non-objects alike) keeps its place and content. Running the step on a dashboard
that already has the `merge` adds another one, as Grafana does.
"""

from __future__ import annotations

from typing import Any

from . import Dashboard, StepContext, panel_name, panels_through_rows, step

LABELS_TO_FIELDS = "labelsToFields"


@step(31)
def v31(dashboard: Dashboard, ctx: StepContext) -> None:
    for pointer, panel in panels_through_rows(dashboard):
        transformations = panel.get("transformations")
        if not isinstance(transformations, list):
            continue
        count = sum(1 for t in transformations if _is_labels_to_fields(t))
        if not count:
            continue
        upgraded: list[Any] = []
        for transformation in transformations:
            upgraded.append(transformation)
            if _is_labels_to_fields(transformation):
                upgraded.append({"id": "merge", "options": {}})
        panel["transformations"] = upgraded
        ctx.log(
            f"`merge` transformation added after {count} `labelsToFields`",
            panel_name(pointer, panel),
        )


def _is_labels_to_fields(transformation: Any) -> bool:
    return isinstance(transformation, dict) and transformation.get("id") == LABELS_TO_FIELDS

"""An independent second reading: grafana-foundation-sdk decodes the model and re-encodes it.

A field the SDK's typed model does not know (a typo, a wrong nesting) is dropped on the way
back; comparing the two trees finds it. Two differences are Grafana's own, not mistakes, and
are not reported: a query variable's datasource given by name (or `${variable}`), which Grafana
keeps as a string when it migrates an old dashboard and resolves when it runs the query, while
the SDK reads only references; and the default query and datasource Grafana's schema step 36
gives a row (it stores them; the SDK's row has no place for them).
"""

from __future__ import annotations

from typing import Any

from tsedash.sdk import dashboard_m, to_plain
from tsedash.validate.checks import pointer


def _diff(a: Any, b: Any, path: list[Any], out: list[tuple[list[Any], str]]) -> None:
    if isinstance(a, dict) and isinstance(b, dict):
        for key in a:
            if key not in b:
                out.append(([*path, key], "is lost when grafana-foundation-sdk reads the model"))
            else:
                _diff(a[key], b[key], [*path, key], out)
        return
    if isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            out.append((path, f"has {len(a)} items but {len(b)} after an SDK round trip"))
            return
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            _diff(x, y, [*path, i], out)
        return
    if _datasource_name(path, a):
        return
    if a != b and not (isinstance(a, int | float) and isinstance(b, int | float) and a == b):
        out.append((path, f"changes from {a!r} to {b!r} in an SDK round trip"))


def _datasource_name(path: list[Any], value: Any) -> bool:
    """A variable's datasource given by name: Grafana's, kept as the string it is."""
    return (
        isinstance(value, str)
        and len(path) == 4
        and path[:2] == ["templating", "list"]
        and path[3] == "datasource"
    )


def _row_query(model: dict[str, Any], path: list[Any]) -> bool:
    """A row's `targets` or `datasource` (schema step 36 gives a row the default query)."""
    if len(path) != 3 or path[0] != "panels" or path[2] not in ("targets", "datasource"):
        return False
    panels = model.get("panels")
    row = panels[path[1]] if isinstance(panels, list) and isinstance(path[1], int) else None
    return isinstance(row, dict) and row.get("type") == "row"


def roundtrip_differences(model: dict[str, Any]) -> list[tuple[str, str]]:
    """(JSON pointer, message) for every field the SDK's model loses or changes."""
    try:
        decoded = to_plain(dashboard_m.Dashboard.from_json(model))
    except Exception as exc:  # the SDK raises bare KeyError/TypeError on bad shapes
        return [("", f"grafana-foundation-sdk cannot read the model: {type(exc).__name__}: {exc}")]
    out: list[tuple[list[Any], str]] = []
    _diff(model, decoded, [], out)
    return [(pointer(p), m) for p, m in out if not _row_query(model, p)]

"""The shape of an old dashboard, checked before it is migrated: located errors.

Old dashboards come from anywhere (grafanalib, exports of Grafana 4-10, hand edits). Grafana's
steps read every field as Grafana reads it (an unreadable `span` is 4, a `datasource` that is a
number becomes the default, ...), but a dashboard whose *structure* is not a dashboard's —
`rows` or `panels` that are not lists of objects, a panel's `targets` that are not, `templating`
or `annotations` that are not objects holding a list of objects, a `gridPos` that is not made of
numbers — is not an export of any Grafana: Grafana would skip its parts silently or lay them
out as NaN. `check_structure` refuses such a dashboard with the JSON pointer of the first field
of the wrong shape (a `ShapeError`, exit 2), before any step runs; a step that cannot migrate
what it finds (`schemaversion.Unmigratable`) is reported the same way.
"""

from __future__ import annotations

from typing import Any

from tsedash.errors import InputError


class ShapeError(InputError):
    """A field whose shape the migration cannot read; `pointer` is where, in the file as read."""

    def __init__(self, pointer: str, reason: str) -> None:
        self.pointer = pointer or "/"
        self.reason = reason
        super().__init__(f"at {self.pointer}: {reason}")


def child(pointer: str, key: str | int) -> str:
    """The JSON pointer of `key` under `pointer` (RFC 6901 escaping)."""
    return f"{pointer}/{str(key).replace('~', '~0').replace('/', '~1')}"


def describe(value: Any) -> str:
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}"
    if value is None:
        return "null"
    if isinstance(value, str):
        return f"the string {value!r:.40}"
    if isinstance(value, int | float):
        return f"the number {value!r:.20}"
    return "a list" if isinstance(value, list) else "a mapping" if isinstance(value, dict) else "?"


def mapping(node: dict[str, Any], key: str, pointer: str) -> dict[str, Any]:
    """`node[key]` when it is a mapping, {} when absent or null."""
    value = node.get(key)
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise ShapeError(child(pointer, key), f"expected a mapping, got {describe(value)}")
    return value


def sequence(node: dict[str, Any], key: str, pointer: str) -> list[Any]:
    """`node[key]` when it is a list, [] when absent or null."""
    value = node.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        raise ShapeError(child(pointer, key), f"expected a list, got {describe(value)}")
    return value


def mappings(node: dict[str, Any], key: str, pointer: str) -> list[tuple[str, dict[str, Any]]]:
    """The items of the list `node[key]`, each a mapping, with their pointers."""
    out = []
    at = child(pointer, key)
    for index, item in enumerate(sequence(node, key, pointer)):
        if not isinstance(item, dict):
            raise ShapeError(child(at, index), f"expected a mapping, got {describe(item)}")
        out.append((child(at, index), item))
    return out


GRID_KEYS = ("x", "y", "w", "h")


def check_structure(model: dict[str, Any]) -> None:
    """Raise a ShapeError at the first field whose shape no Grafana writes (module docstring)."""
    for at, panel in mappings(model, "panels", ""):
        _panel(panel, at)
        for inner_at, inner in mappings(panel, "panels", at):
            _panel(inner, inner_at)
    for row_at, row in mappings(model, "rows", ""):
        for at, panel in mappings(row, "panels", row_at):
            _panel(panel, at)
    for key in ("templating", "annotations"):
        mappings(mapping(model, key, ""), "list", child("", key))


def _panel(panel: dict[str, Any], at: str) -> None:
    mappings(panel, "targets", at)
    grid = mapping(panel, "gridPos", at)
    for key in GRID_KEYS:
        value = grid.get(key)
        if key in grid and (isinstance(value, bool) or not isinstance(value, int | float)):
            raise ShapeError(
                child(child(at, "gridPos"), key), f"expected a number, got {describe(value)}"
            )

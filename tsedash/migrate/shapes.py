"""Typed reads of an old dashboard, one field at a time, each knowing its JSON pointer.

Old dashboards come from anywhere (grafanalib, exports of Grafana 4-10, hand edits), and each
migration step reads the fields it changes through these accessors: a field of a shape the step
cannot read (`rows: "x"`, a number among the rows, `span: "wide"`, a list where singlestat
keeps a mapping) stops the migration with the pointer of that field, instead of a crash.
"""

from __future__ import annotations

import math
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


def number(value: Any) -> int | float | None:
    """A finite number, or a string that holds one (the browser reads "4" as 4); else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        try:
            value = float(value)
        except ValueError:
            return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and math.isfinite(value):
        return int(value) if value.is_integer() else value
    return None


def numeric(node: dict[str, Any], key: str, pointer: str) -> int | float | None:
    """`node[key]` as a number, None when absent or null; anything else is a ShapeError."""
    value = node.get(key)
    if value is None:
        return None
    found = number(value)
    if found is None:
        raise ShapeError(child(pointer, key), f"expected a number, got {describe(value)}")
    return found


def text(node: dict[str, Any], key: str, pointer: str) -> str | None:
    value = node.get(key)
    if value is not None and not isinstance(value, str):
        raise ShapeError(child(pointer, key), f"expected a string, got {describe(value)}")
    return value

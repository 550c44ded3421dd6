"""Validation of v2 dashboard resources, like the v1 models': the schema, then what no schema
says (every layout item names an element, every element is laid out once, grid items fit the
24 columns and do not overlap), then a second reading: the resource converted back to v1 must
say what the validated v1 model said."""

from __future__ import annotations

import json
from collections.abc import Iterator
from functools import cache
from importlib import resources
from typing import Any

from jsonschema import Draft202012Validator

from tsedash.dashv2.back import to_v1
from tsedash.dashv2.canonical import canonical
from tsedash.findings import Finding
from tsedash.validate.checks import pointer

GRID_COLUMNS = 24


@cache
def _validator() -> Draft202012Validator:
    text = resources.files("tsedash.dashv2").joinpath("dashboard-v2.schema.json").read_text()
    return Draft202012Validator(json.loads(text))


def validate_resource(
    file: str, resource: Any, source: dict[str, Any] | None = None
) -> list[Finding]:
    """Findings for one v2 resource; with `source`, the v1 model it must say the same as."""
    if not isinstance(resource, dict):
        return [Finding(file, message="a v2 dashboard file must hold a JSON object")]
    metadata = resource.get("metadata")
    uid = str(metadata.get("name", "")) if isinstance(metadata, dict) else ""

    def finding(path: list[Any], message: str) -> Finding:
        return Finding(file, uid=uid, pointer=pointer(path), message=message)

    shape = [
        finding(list(err.absolute_path), _short(err.message))
        for err in _validator().iter_errors(resource)
    ]
    if shape:
        return shape
    spec = resource["spec"]
    found = [finding(p, msg) for p, msg in _layout_problems(spec)]
    if source is not None and not found:
        found += [finding(p, msg) for p, msg in _differences(source, spec, uid)]
    return found


def _short(message: str) -> str:
    return message if len(message) < 300 else message[:297] + "…"


# --- layout ------------------------------------------------------------------------------------


def _grids(layout: dict[str, Any], path: list[Any]) -> Iterator[tuple[list[Any], list[Any]]]:
    """Every GridLayout's items with their path (rows' and tabs' nested layouts too)."""
    spec = layout.get("spec") or {}
    kind = layout.get("kind")
    if kind in ("GridLayout", "AutoGridLayout"):
        yield [*path, "spec", "items"], spec.get("items", [])
    for key in ("rows", "tabs"):
        for i, child in enumerate(spec.get(key, [])):
            inner = (child.get("spec") or {}).get("layout")
            if isinstance(inner, dict):
                yield from _grids(inner, [*path, "spec", key, i, "spec", "layout"])


def _layout_problems(spec: dict[str, Any]) -> list[tuple[list[Any], str]]:
    problems: list[tuple[list[Any], str]] = []
    elements = spec["elements"]
    placed: dict[str, list[Any]] = {}
    for items_path, items in _grids(spec["layout"], ["spec", "layout"]):
        boxes: list[tuple[int, int, int, int, str]] = []
        for i, item in enumerate(items):
            item_spec = item.get("spec") or {}
            name = (item_spec.get("element") or {}).get("name", "")
            where = [*items_path, i, "spec", "element", "name"]
            if name not in elements:
                problems.append((where, f"names element '{name}', which is not in spec.elements"))
            elif name in placed:
                problems.append((where, f"lays out '{name}' a second time"))
            placed.setdefault(name, where)
            if "x" not in item_spec:
                continue  # an auto grid places its items itself
            box = (item_spec["x"], item_spec["y"], item_spec["width"], item_spec["height"], name)
            if box[0] + box[2] > GRID_COLUMNS:
                problems.append(
                    ([*items_path, i, "spec"], f"'{name}' ends at column {box[0] + box[2]} of 24")
                )
            for other in boxes:
                if _overlap(box, other):
                    problems.append(([*items_path, i, "spec"], f"'{name}' overlaps '{other[4]}'"))
            boxes.append(box)
    for name in sorted(set(elements) - set(placed)):
        problems.append((["spec", "elements", name], f"element '{name}' is in no layout"))
    return problems


def _overlap(a: tuple[int, int, int, int, str], b: tuple[int, int, int, int, str]) -> bool:
    return a[0] < b[0] + b[2] and b[0] < a[0] + a[2] and a[1] < b[1] + b[3] and b[1] < a[1] + a[3]


# --- the second reading ------------------------------------------------------------------------


def _differences(
    source: dict[str, Any], spec: dict[str, Any], uid: str
) -> list[tuple[list[Any], str]]:
    want, got = canonical(source), canonical(to_v1(spec, uid))
    out: list[tuple[list[Any], str]] = []
    _compare(want, got, [], out)
    return [(["spec"], f"read back as v1, {pointer(p) or '/'} {msg}") for p, msg in out]


def _compare(want: Any, got: Any, path: list[Any], out: list[tuple[list[Any], str]]) -> None:
    if isinstance(want, dict) and isinstance(got, dict):
        for key in sorted(set(want) | set(got), key=str):
            if key not in got:
                out.append(([*path, key], "is lost in schema v2"))
            elif key not in want:
                out.append(([*path, key], f"appears in schema v2 ({got[key]!r})"))
            else:
                _compare(want[key], got[key], [*path, key], out)
    elif isinstance(want, list) and isinstance(got, list) and len(want) == len(got):
        for i, (a, b) in enumerate(zip(want, got, strict=True)):
            _compare(a, b, [*path, i], out)
    elif want != got:
        out.append((path, f"is {got!r} in schema v2 but {want!r} in the v1 model"))

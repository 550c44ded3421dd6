"""Validation of v2 dashboard resources, like the v1 models': the schema, then what no schema
says (every layout item names an element, every element is laid out once, grid items fit the
24 columns and do not overlap), then two more readings: grafana-foundation-sdk's own v2 model
must read the spec without losing or changing a field, and the resource converted back to v1
must say what the validated v1 model said, less exactly what the conversion report says was
not carried as it was (`report.expected_v1`)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from functools import cache
from importlib import resources
from typing import Any

from jsonschema import Draft202012Validator

from tsedash.dashv2.back import to_v1
from tsedash.dashv2.canonical import canonical
from tsedash.dashv2.convert import Unconvertible, convert
from tsedash.dashv2.report import Note, expected_v1
from tsedash.findings import Finding
from tsedash.sdk import dashboardv2_m, to_plain
from tsedash.validate.checks import pointer

GRID_COLUMNS = 24


@cache
def _validator() -> Draft202012Validator:
    text = resources.files("tsedash.dashv2").joinpath("dashboard-v2.schema.json").read_text()
    return Draft202012Validator(json.loads(text))


def validate_resource(
    file: str,
    resource: Any,
    source: dict[str, Any] | None = None,
    notes: list[Note] | None = None,
) -> list[Finding]:
    """Findings for one v2 resource; with `source`, the v1 model it must say the same as,
    less what the conversion report `notes` says (the report of converting `source` again
    when not given)."""
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
    found += [finding(p, msg) for p, msg in sdk_differences(spec)]
    if source is not None and not found:
        if notes is None:
            try:
                notes = convert(source).notes
            except Unconvertible as exc:
                return [finding([], f"the v1 model cannot be converted: {exc}")]
        found += [finding(p, msg) for p, msg in _differences(source, notes, spec, uid)]
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


# --- grafana-foundation-sdk's reading ----------------------------------------------------------


def sdk_differences(spec: dict[str, Any]) -> list[tuple[list[Any], str]]:
    """Where grafana-foundation-sdk's v2 `Dashboard` model, reading the spec and writing it
    again, loses or changes a field (it ships no JSON Schema: its typed model is the check)."""
    try:
        decoded = dashboardv2_m.Dashboard.from_json(spec)
        _unwrap_viz_sets(decoded)
        again = to_plain(decoded)
    except Exception as exc:  # the SDK raises bare KeyError/TypeError/ValueError on bad shapes
        return [(["spec"], f"grafana-foundation-sdk cannot read the v2 spec: {_what(exc)}")]
    out: list[tuple[list[Any], str]] = []
    _lost(spec, again, ["spec"], out)
    return out


def _unwrap_viz_sets(dashboard: Any) -> None:
    """grafana-foundation-sdk 0.0.21's `VizConfigKind.from_json` wraps `group` and `version`
    in a one-item set (`{data["group"]}`): take the item out again."""
    for element in (dashboard.elements or {}).values():
        viz = getattr(getattr(element, "spec", None), "viz_config", None)
        for attr in ("group", "version"):
            value = getattr(viz, attr, None)
            if isinstance(value, set) and len(value) == 1:
                setattr(viz, attr, next(iter(value)))


def _what(exc: Exception) -> str:
    return f"{type(exc).__name__}: {exc}"


def _lost(a: Any, b: Any, path: list[Any], out: list[tuple[list[Any], str]]) -> None:
    """Fields of `a` that `b` does not have or has otherwise (defaults `b` adds are fine; a
    `null` the SDK leaves out is no loss: Go reads an absent and a null value alike)."""
    if isinstance(a, dict) and isinstance(b, dict):
        for key in a:
            if key not in b and a[key] is None:
                continue
            if key not in b:
                out.append(([*path, key], "is lost when grafana-foundation-sdk reads the spec"))
            else:
                _lost(a[key], b[key], [*path, key], out)
    elif isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            _lost(x, y, [*path, i], out)
    elif a != b:
        out.append((path, f"changes from {a!r} to {b!r} when grafana-foundation-sdk reads it"))


# --- the read-back ------------------------------------------------------------------------------


def _differences(
    source: dict[str, Any], notes: list[Note], spec: dict[str, Any], uid: str
) -> list[tuple[list[Any], str]]:
    try:
        want = canonical(expected_v1(source, notes))
    except (TypeError, AttributeError, KeyError, IndexError, ValueError):
        # a shape the v1 validation refuses first (it names it): nothing to compare with
        return [([], "the v1 model is not one the v1 validation accepts: compared with nothing")]
    got = canonical(to_v1(spec, uid))
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

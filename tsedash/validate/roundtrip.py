"""An independent second reading: grafana-foundation-sdk decodes the model and re-encodes it.

A field the SDK's typed model does not know (a typo, a wrong nesting) is dropped on the way
back; comparing the two trees finds it.
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
    if a != b and not (isinstance(a, int | float) and isinstance(b, int | float) and a == b):
        out.append((path, f"changes from {a!r} to {b!r} in an SDK round trip"))


def roundtrip_differences(model: dict[str, Any]) -> list[tuple[str, str]]:
    """(JSON pointer, message) for every field the SDK's model loses or changes."""
    try:
        decoded = to_plain(dashboard_m.Dashboard.from_json(model))
    except Exception as exc:  # the SDK raises bare KeyError/TypeError on bad shapes
        return [("", f"grafana-foundation-sdk cannot read the model: {type(exc).__name__}: {exc}")]
    out: list[tuple[list[Any], str]] = []
    _diff(model, decoded, [], out)
    return [(pointer(p), m) for p, m in out]

"""Go's readers of untyped JSON, as Grafana's conversion reads a v1 model
(schemaversion/migration_utils.go, conversion/v1beta1_to_v2alpha1.go), and how the report
names keys and values."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, TypeGuard


def is_number(value: Any) -> TypeGuard[int | float]:
    return isinstance(value, int | float) and not isinstance(value, bool)


def get_str(data: Mapping[str, Any], key: str, default: str = "") -> str:
    """GetStringValue: the value when it is a string, else the default."""
    value = data.get(key)
    return value if isinstance(value, str) else default


def get_int(data: Mapping[str, Any], key: str, default: int = 0) -> int:
    """getIntField: a number (truncated) or an integer string, else the default."""
    value = data.get(key)
    if is_number(value):
        return int(value)
    if isinstance(value, str) and re.fullmatch(r"[+-]?[0-9]+", value):
        return int(value)
    return default


def get_bool(data: Mapping[str, Any], key: str, default: bool = False) -> bool:
    value = data.get(key)
    return value if isinstance(value, bool) else default


def as_dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def is_template(value: str) -> bool:
    return value.startswith("$")


def strip_bom(value: Any) -> Any:
    """stripBOMFromInterface: byte order marks removed from every string."""
    if isinstance(value, str):
        return value.replace("\ufeff", "")
    if isinstance(value, dict):
        return {k: strip_bom(v) for k, v in value.items()}
    if isinstance(value, list):
        return [strip_bom(v) for v in value]
    return value


# --- for the report ---------------------------------------------------------------------------


def escape(key: str) -> str:
    """A key as a JSON pointer segment (RFC 6901)."""
    return str(key).replace("~", "~0").replace("/", "~1")


def short(value: Any) -> str:
    """A value as the report shows it: its repr, cut at 60 characters."""
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "…"

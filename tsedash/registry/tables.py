"""What `registry show` and `registry check` print: the table of the resolved registry for
people (narrow, or `-o wide` with every column), and the check's result as a document."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tsedash.registry.model import Instance, Registry

if TYPE_CHECKING:
    from tsedash.findings import Finding
    from tsedash.registry.merge import Sources

WIDTH = 100  # the narrow table fits a terminal of this many columns
MIN_COLUMN = 8  # a long column is shortened, never below this (or its header)
SEPARATOR = "  "
ELLIPSIS = "…"

# What a user needs most: which instance of which type, and the names it derives.
NARROW = (
    ("INSTANCE", "instance_name"),
    ("SERVICE", "service_name"),
    ("SCHEMA", "schema_name"),
    ("REDIS NAMESPACE", "redis_namespace"),
)
WIDE = (
    *NARROW[:2],
    ("CATEGORY", "category"),
    *NARROW[2:],
    ("DERIVATION", "derivation"),
    ("ADDRESS", "address"),
    ("CONTAINER", "container_name"),
    ("DISCOVERY KEY", "discovery_key"),
    ("SOURCE", "source"),
)
WIDE_HINT = "-o wide adds category, derivation, address, container, discovery key and source"


def render_table(registry: Registry, wide: bool = False, width: int = WIDTH) -> str:
    """One row per instance (singletons marked `*`) and a total. Narrow: four columns, a
    long value shortened with `…` until the lines fit `width`; wide: every column, in full."""
    columns = WIDE if wide else NARROW
    rows = [_cells(inst, columns) for inst in registry.instances]
    headers = [h for h, _ in columns]
    widths = [max(len(c) for c in col) for col in zip(headers, *rows, strict=True)]
    if not wide:
        widths = _fit(widths, headers, width)
    lines = [_line(headers, widths)]
    lines += [
        _line([_clip(c, w) for c, w in zip(row, widths, strict=True)], widths) for row in rows
    ]
    n_single = sum(1 for i in registry.instances if i.singleton)
    lines += [
        "",
        f"{len(registry.instances)} instances ({n_single} singletons, marked *) of "
        f"{len(registry.services)} service types; volumes: volumes/<instance>/{{data,logs}}",
    ]
    if not wide:
        lines.append(WIDE_HINT)
    return "\n".join(lines) + "\n"


def _cells(inst: Instance, columns: tuple[tuple[str, str], ...]) -> list[str]:
    cells = [str(getattr(inst, attr)) for _, attr in columns]
    if inst.singleton:
        cells[0] += " *"
    return cells


def _fit(widths: list[int], headers: list[str], limit: int) -> list[int]:
    """Shorten the widest column by one until the line fits (the rightmost of equals first:
    the instance name stays whole longest); deterministic for the same values."""
    widths = list(widths)
    floors = [max(MIN_COLUMN, len(h)) for h in headers]
    while sum(widths) + len(SEPARATOR) * (len(widths) - 1) > limit:
        shrinkable = [i for i, w in enumerate(widths) if w > floors[i]]
        if not shrinkable:
            break
        widest = max(shrinkable, key=lambda i: (widths[i], i))
        widths[widest] -= 1
    return widths


def _clip(cell: str, width: int) -> str:
    """`cell` in at most `width` characters; a singleton's ` *` mark survives shortening."""
    if len(cell) <= width:
        return cell
    mark = " *" if cell.endswith(" *") else ""
    return cell[: width - len(mark) - 1] + ELLIPSIS + mark


def _line(cells: list[str], widths: list[int]) -> str:
    return SEPARATOR.join(c.ljust(w) for c, w in zip(cells, widths, strict=True)).rstrip()


def check_summary(registry: Registry) -> str:
    """`registry check`'s line when the registry loads."""
    n_warn = len(registry.warnings)
    warned = f", {n_warn} warning{'s' if n_warn != 1 else ''}" if n_warn else ""
    return (
        f"{registry.path}: ok: {len(registry.instances)} instances of "
        f"{len(registry.services)} service types, {len(registry.infrastructure)} "
        f"infrastructure jobs{warned}"
    )


def check_document(
    ok: bool, problems: list[Finding], sources: Sources | None = None
) -> dict[str, Any]:
    """`registry check -o json`: errors, warnings and the Redis entries left out (the text
    output's `skipped <key>: <reason>` lines)."""
    redis = sources.redis if sources else None
    return {
        "ok": ok,
        "errors": [p.as_dict() for p in problems if p.severity.value == "error"],
        "warnings": [p.as_dict() for p in problems if p.severity.value == "warning"],
        "skipped": [{"redis": redis.url, "key": s.key, "reason": s.reason} for s in redis.skipped]
        if redis
        else [],
    }

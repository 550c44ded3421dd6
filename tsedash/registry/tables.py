"""A plain-text table of the resolved registry for people (`registry show`)."""

from __future__ import annotations

from tsedash.registry.model import Registry

_COLUMNS = (
    ("INSTANCE", "instance_name"),
    ("SERVICE", "service_name"),
    ("CATEGORY", "category"),
    ("SCHEMA", "schema_name"),
    ("REDIS NAMESPACE", "redis_namespace"),
    ("DERIVATION", "derivation"),
    ("ADDRESS", "address"),
    ("CONTAINER", "container_name"),
    ("DISCOVERY KEY", "discovery_key"),
    ("SOURCE", "source"),
)


def render_table(registry: Registry) -> str:
    rows = [[h for h, _ in _COLUMNS]]
    for inst in registry.instances:
        cells = [str(getattr(inst, attr)) for _, attr in _COLUMNS]
        if inst.singleton:
            cells[0] += " *"
        rows.append(cells)
    widths = [max(len(row[i]) for row in rows) for i in range(len(_COLUMNS))]
    lines = [
        "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in rows
    ]
    lines.append("")
    n_single = sum(1 for i in registry.instances if i.singleton)
    lines.append(
        f"{len(registry.instances)} instances ({n_single} singletons, marked *) of "
        f"{len(registry.services)} service types; volumes: volumes/<instance>/{{data,logs}}"
    )
    return "\n".join(lines) + "\n"

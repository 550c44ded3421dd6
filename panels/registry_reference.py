"""The registry reference: every instance's schema, namespace, discovery key and volumes."""

from __future__ import annotations

from tsedash.registry import Registry
from tsedash.sdk import text_b, text_m

_COLUMNS = (
    "Instance",
    "Service",
    "Schema",
    "Redis namespace",
    "Discovery key",
    "Data volume",
    "Logs volume",
)
_HEADER = "| " + " | ".join(_COLUMNS) + " |\n" + "|---" * len(_COLUMNS) + "|\n"


def reference_markdown(registry: Registry) -> str:
    """One markdown row per instance; a 10,000-instance registry makes ~2.5 MB, so keep it lean.

    Names, schemas and volume paths are validated to characters that need no escaping; only a
    `redis_namespace` override may hold a `|`.
    """
    rows = [
        f"| `{i.instance_name}` | `{i.service_name}` | `{i.schema_name}` | "
        f"`{i.redis_namespace.replace('|', chr(92) + '|')}` | `{i.discovery_key}` | "
        f"`{i.volumes['data'].host}:{i.volumes['data'].container}` | "
        f"`{i.volumes['logs'].host}:{i.volumes['logs'].container}` |\n"
        for i in registry.instances
    ]
    return _HEADER + "".join(rows)


def registry_reference(registry: Registry) -> text_b.Panel:
    return (
        text_b.Panel()
        .title("Instance Registry Reference")
        .description(
            "Derived from the instance registry at build time (`tsedash registry show`): "
            "where each instance keeps its data."
        )
        .mode(text_m.TextMode.MARKDOWN)
        .content(reference_markdown(registry))
    )

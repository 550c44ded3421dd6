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


def _cell(value: str) -> str:
    return "`" + value.replace("|", "\\|") + "`"


def reference_markdown(registry: Registry) -> str:
    rows = [
        "| "
        + " | ".join(
            [
                _cell(i.instance_name),
                _cell(i.service_name),
                _cell(i.schema_name),
                _cell(i.redis_namespace),
                _cell(i.discovery_key),
                _cell(f"{i.volumes['data'].host}:{i.volumes['data'].container}"),
                _cell(f"{i.volumes['logs'].host}:{i.volumes['logs'].container}"),
            ]
        )
        + " |\n"
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

"""Names the ecosystem's services derive from SERVICE_NAME and SERVICE_INSTANCE_NAME.

Each service type's adapter derives its PostgreSQL schema and Redis namespace with its own
rule; the registry names the rule (`derivation:`) and these functions follow each adapter's code
character for character, so a dashboard never points at data the service does not write.
"""

from __future__ import annotations

import re
from typing import Literal

Derivation = Literal[
    "seed-go", "seed-python", "first-two-parts", "market-data-go", "trading-engine-py"
]
DERIVATIONS: tuple[Derivation, ...] = (
    "seed-go",  # the seed's Go rule; audit-data-adapter-go
    "seed-python",  # the seed's Python AdapterConfig (adapters that derive nothing yet)
    "first-two-parts",  # exchange- and custodian-data-adapter-go
    "market-data-go",  # market-data-data-adapter-go
    "trading-engine-py",  # trading-engine-data-adapter-py
)
# Registry spellings of the first releases, kept working.
DERIVATION_ALIASES: dict[str, Derivation] = {"go": "seed-go", "python": "seed-python"}

NAME_RE = re.compile(r"^[A-Za-z][A-Za-z0-9-]{0,62}\Z")
# What the ecosystem's Python services accept (they refuse to start otherwise).
PYTHON_NAME_RE = re.compile(r"^[a-z0-9]([a-z0-9-]*[a-z0-9])?\Z")
SCHEMA_RE = re.compile(r"^[a-z_][a-z0-9_]{0,62}\Z")
RESERVED_SCHEMAS = frozenset({"public", "information_schema"})
NAME_MAX = 63


def derive_schema(service_name: str, instance_name: str, rule: Derivation = "seed-go") -> str:
    """The PostgreSQL schema the service type's own adapter derives (see DERIVATIONS)."""
    parts = instance_name.split("-")
    if service_name == instance_name:
        head = service_name.split("-")
        if rule == "seed-python":
            return service_name.replace("-", "_")
        if rule == "market-data-go" and len(head) >= 2:
            return f"{head[0]}_{head[1]}"
        return head[0]
    if rule == "first-two-parts" and len(parts) >= 2:
        return f"{parts[0]}_{parts[1]}".lower()
    if rule == "market-data-go" and len(parts) >= 2:
        return "_".join(parts[:3]).lower()
    return instance_name.lower().replace("-", "_")


def derive_namespace(service_name: str, instance_name: str, rule: Derivation = "seed-go") -> str:
    """The Redis namespace the service type's own adapter derives.

    The seed's rule splits at the first `-` only: `market-data-coinmetrics` gives
    `market:data-coinmetrics`; market-data's own adapter gives `market_data:coinmetrics`.
    """
    if service_name == instance_name:
        head = service_name.split("-")
        if rule == "market-data-go" and len(head) >= 2:
            return f"{head[0]}_{head[1]}"
        return head[0]
    parts = instance_name.split("-")
    if rule == "first-two-parts":
        return f"{parts[0]}:{parts[1]}" if len(parts) >= 2 else parts[0]
    if rule == "market-data-go":
        return f"{parts[0]}_{parts[1]}:{'-'.join(parts[2:])}" if len(parts) >= 2 else instance_name
    if rule == "trading-engine-py":
        if len(parts) >= 3:
            rest = "-".join(parts[2:])
            return f"{parts[0]}_{parts[1]}:{rest.split('-', 1)[-1]}"
        return instance_name.replace("-", "_")
    first, sep, rest = instance_name.partition("-")
    return f"{first}:{rest}" if sep else instance_name


def discovery_key(service_name: str, instance_name: str) -> str:
    """The live Redis registration key (the seed's actual implementation: no `:info`)."""
    return f"services:{service_name}:{instance_name}"


def container_name(prefix: str, instance_name: str) -> str:
    return f"{prefix}{instance_name}"


def volumes(service_name: str, instance_name: str) -> dict[str, dict[str, str]]:
    """Host directories per instance and the container paths the orchestrator mounts."""
    return {
        "data": {
            "host": f"volumes/{instance_name}/data",
            "container": "/app/data",
        },
        "logs": {
            "host": f"volumes/{instance_name}/logs",
            "container": "/app/logs",
        },
    }


def follows_namespace_pattern(namespace: str) -> bool:
    """True for `{service-type}:{instance-id}` with no `-` left in the instance id."""
    head, sep, tail = namespace.partition(":")
    return bool(sep and head and tail and "-" not in tail and ":" not in tail)


def name_problems(name: str) -> list[str]:
    """Why a name cannot be an instance or service name; empty when it is valid.

    Instance names become file paths, DNS names and PromQL label values, hence the strict set.
    """
    if not isinstance(name, str):
        return [f"must be a string, not {type(name).__name__}"]
    if name == "":
        return ["is empty"]
    reasons: list[str] = []
    if len(name) > NAME_MAX:
        reasons.append(f"is {len(name)} characters long (at most {NAME_MAX})")
    if name[0].isdigit():
        reasons.append("starts with a digit")
    elif name[0] == "-":
        reasons.append("starts with '-'")
    elif not name[0].isascii() or not name[0].isalpha():
        reasons.append(f"starts with {name[0]!r} (must start with a letter)")
    if name.endswith("-") and len(name) > 1:
        reasons.append("ends with '-' (not a valid DNS name)")
    if ".." in name:
        reasons.append("contains '..'")
    bad = sorted({c for c in name[1:] if not (c.isascii() and (c.isalnum() or c == "-"))})
    if bad:
        shown = ", ".join(_describe_char(c) for c in bad)
        reasons.append(f"contains {shown}")
    if not reasons and not NAME_RE.match(name):  # pragma: no cover - defensive, covered above
        reasons.append("does not match ^[A-Za-z][A-Za-z0-9-]{0,62}$")
    return reasons


def schema_problems(schema: str) -> list[str]:
    """Why a schema name is unusable in PostgreSQL for us; empty when it is valid."""
    reasons: list[str] = []
    if schema in RESERVED_SCHEMAS or schema.startswith("pg_"):
        reasons.append(f"'{schema}' is reserved by PostgreSQL")
    elif not SCHEMA_RE.match(schema):
        reasons.append(
            f"'{schema}' is not a valid schema name "
            "(lower-case letters, digits and '_', not starting with a digit, at most 63)"
        )
    return reasons


def namespace_problems(namespace: str) -> list[str]:
    """Why a Redis namespace override is unusable; derived ones are always usable."""
    if namespace == "":
        return ["is empty"]
    reasons: list[str] = []
    if any(c.isspace() for c in namespace):
        reasons.append("contains whitespace")
    glob = sorted({c for c in namespace if c in "*?[]\\"})
    if glob:
        reasons.append(f"contains {', '.join(repr(c) for c in glob)} (glob characters break SCAN)")
    if namespace.startswith(":") or namespace.endswith(":") or "::" in namespace:
        reasons.append("has an empty ':'-separated part")
    return reasons


def _describe_char(c: str) -> str:
    names = {
        " ": "a space",
        "'": "a quote (')",
        '"': 'a quote (")',
        "/": "a slash",
        "\\": "a backslash",
        ".": "'.'",
        "_": "'_' (use '-')",
        ":": "':'",
    }
    return names.get(c, repr(c))

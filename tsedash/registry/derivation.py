"""Names the ecosystem's services derive from SERVICE_NAME and SERVICE_INSTANCE_NAME.

These mirror the seed's Go functions (deriveSchemaName, deriveRedisNamespace) and, with
`derivation: python`, the Python AdapterConfig, character for character: the services compute
the same values themselves, so any difference here would point a dashboard at the wrong data.
"""

from __future__ import annotations

import re
from typing import Literal

Derivation = Literal["go", "python"]

NAME_RE = re.compile(r"^[A-Za-z][A-Za-z0-9-]{0,62}$")
SCHEMA_RE = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")
RESERVED_SCHEMAS = frozenset({"public", "information_schema"})
NAME_MAX = 63


def derive_schema(service_name: str, instance_name: str, derivation: Derivation = "go") -> str:
    """PostgreSQL schema: singleton → first part of the service name (Go) or the whole
    service name with `_` (Python); multi-instance → instance name lower-cased, `-` → `_`."""
    if service_name == instance_name:
        if derivation == "python":
            return service_name.replace("-", "_")
        return service_name.split("-")[0]
    return instance_name.lower().replace("-", "_")


def derive_namespace(service_name: str, instance_name: str) -> str:
    """Redis namespace: singleton → first part; else split the instance at the first `-` only.

    `market-data-Coinmetrics` gives `market:data-Coinmetrics`: that is what the services use.
    """
    if service_name == instance_name:
        return service_name.split("-")[0]
    head, sep, tail = instance_name.partition("-")
    return f"{head}:{tail}" if sep else instance_name


def discovery_key(service_name: str, instance_name: str) -> str:
    """The live Redis registration key (the seed's actual implementation: no `:info`)."""
    return f"services:{service_name}:{instance_name}"


def container_name(prefix: str, instance_name: str) -> str:
    return f"{prefix}{instance_name}"


def volumes(service_name: str, instance_name: str) -> dict[str, dict[str, str]]:
    """Host directories per instance, container paths per service type (seed section 4)."""
    return {
        "data": {
            "host": f"volumes/{instance_name}/data",
            "container": f"/var/lib/{service_name}/data",
        },
        "logs": {
            "host": f"volumes/{instance_name}/logs",
            "container": f"/var/log/{service_name}",
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

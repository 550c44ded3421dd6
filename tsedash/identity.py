"""Service identity for the ecosystem's Python services (the seed's Phase 9).

A service calls `from_env(os.environ)` at start-up and gets the same schema, Redis namespace and
discovery key the registry derives for it, so the dashboards and the service cannot disagree.
`mask_password` is how every URL this project prints is shown.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import cast
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from tsedash.errors import InputError
from tsedash.registry.derivation import (
    DERIVATION_ALIASES,
    DERIVATIONS,
    PYTHON_NAME_RE,
    Derivation,
    derive_namespace,
    derive_schema,
    discovery_key,
    name_problems,
    schema_problems,
)

_SECRET_QUERY_KEYS = re.compile(r"pass(word|wd)?|pwd|secret|token|api[-_]?key", re.IGNORECASE)
_USERINFO = re.compile(r"(?P<scheme>[A-Za-z][A-Za-z0-9+.-]*://)(?P<user>[^:/@]*):[^@/]*@")
MASK = "***"


class IdentityError(InputError):
    """SERVICE_NAME / SERVICE_INSTANCE_NAME missing or unusable."""


@dataclass(frozen=True)
class ServiceIdentity:
    service_name: str
    instance_name: str
    schema_name: str
    redis_namespace: str
    discovery_key: str

    @property
    def singleton(self) -> bool:
        return self.service_name == self.instance_name


def from_env(
    environ: Mapping[str, str] | None = None, derivation: Derivation | str = "seed-python"
) -> ServiceIdentity:
    """Identity from SERVICE_NAME and SERVICE_INSTANCE_NAME (defaults to SERVICE_NAME).

    `derivation` names the rule (as in the registry): by default "seed-python", the seed's
    Python AdapterConfig; "trading-engine-py" is trading-engine-data-adapter-py's own rule.
    Instance names must be lower-case, as the ecosystem's Python services require.
    """
    rule = cast(Derivation, DERIVATION_ALIASES.get(derivation, derivation))
    if rule not in DERIVATIONS:
        raise IdentityError(f"unknown derivation {derivation!r} (one of: {', '.join(DERIVATIONS)})")
    env = os.environ if environ is None else environ
    service = env.get("SERVICE_NAME", "").strip()
    if not service:
        raise IdentityError(
            "SERVICE_NAME is not set; set it to the service type, e.g. exchange-simulator"
        )
    reasons = name_problems(service)
    if reasons:
        raise IdentityError(f"SERVICE_NAME '{service}' is invalid: it {'; it '.join(reasons)}")
    instance = env.get("SERVICE_INSTANCE_NAME", "").strip() or service
    reasons = name_problems(instance)
    if reasons:
        raise IdentityError(
            f"SERVICE_INSTANCE_NAME '{instance}' is invalid: it {'; it '.join(reasons)}"
        )
    if not PYTHON_NAME_RE.match(instance):
        raise IdentityError(
            f"SERVICE_INSTANCE_NAME '{instance}' is not lower-case letters, digits and '-' "
            "(the ecosystem's Python services refuse to start with it)"
        )
    schema = derive_schema(service, instance, rule)
    reasons = schema_problems(schema)
    if reasons:
        raise IdentityError(f"derived schema for '{instance}' is unusable: {'; '.join(reasons)}")
    return ServiceIdentity(
        service_name=service,
        instance_name=instance,
        schema_name=schema,
        redis_namespace=derive_namespace(service, instance, rule),
        discovery_key=discovery_key(service, instance),
    )


def mask_password(url: str) -> str:
    """`postgres://user:secret@host/db` → `postgres://user:***@host/db`; others unchanged.

    Also masks secret-looking query parameters (`?password=…`, `?token=…`). Never raises: a URL
    that cannot be parsed is masked by pattern instead.
    """
    try:
        parts = urlsplit(url)
        netloc = parts.netloc
        if parts.password is not None:
            userinfo, _, hostport = netloc.rpartition("@")
            user = userinfo.split(":", 1)[0]
            netloc = f"{user}:{MASK}@{hostport}"
        query = parts.query
        if query:
            pairs = parse_qsl(query, keep_blank_values=True)
            if any(_SECRET_QUERY_KEYS.fullmatch(k) for k, _ in pairs):
                query = urlencode(
                    [(k, MASK if _SECRET_QUERY_KEYS.fullmatch(k) else v) for k, v in pairs],
                    safe="*",
                )
        if netloc == parts.netloc and query == parts.query:
            return url
        return urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))
    except ValueError:
        return _USERINFO.sub(lambda m: f"{m['scheme']}{m['user']}:{MASK}@", url)

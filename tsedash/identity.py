"""Service identity for the ecosystem's Python services (the seed's Phase 9).

A service calls `from_env(os.environ)` at start-up and gets the same schema, Redis namespace and
discovery key the registry derives for it, so the dashboards and the service cannot disagree.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import cast

from tsedash.errors import InputError
from tsedash.redact import mask_password
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

# `mask_password` is re-exported: the services print their URLs with it (docs).
__all__ = ["IdentityError", "ServiceIdentity", "from_env", "mask_password"]


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

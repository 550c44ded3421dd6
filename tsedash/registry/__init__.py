"""The instance registry: model, loader, derivation and checks (docs/registry.md)."""

from tsedash.registry.loader import (
    load_registry,
    load_registry_text,
    resolve_registry_path,
)
from tsedash.registry.merge import Sources, load_sources
from tsedash.registry.model import (
    Datasource,
    Defaults,
    GrafanaDatasource,
    InfraJob,
    Instance,
    Metric,
    Registry,
    ServiceType,
    Volume,
)
from tsedash.registry.problems import Problem, RegistryError, Severity
from tsedash.spec import DEFAULT_REGISTRY, REGISTRY_ENV

__all__ = [
    "DEFAULT_REGISTRY",
    "REGISTRY_ENV",
    "Datasource",
    "Defaults",
    "GrafanaDatasource",
    "InfraJob",
    "Instance",
    "Metric",
    "Problem",
    "Registry",
    "RegistryError",
    "ServiceType",
    "Severity",
    "Sources",
    "Volume",
    "load_registry",
    "load_registry_text",
    "load_sources",
    "resolve_registry_path",
]

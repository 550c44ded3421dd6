"""Merge instances found in compose files and live Redis into the YAML registry.

Service types (category, metrics, derivation) come only from instances.yaml; instances are the
union of all sources, in order yaml → compose → redis. The same instance from two files must
agree on its type and (where both state one) its address; a Redis registration only confirms an
instance or fills in a missing address. Then every registry check runs on the merged result.

Redis never invents an instance: a registration is first weighed against the registry (yaml and
compose merged) and skipped, with its key and the reason, when it is of an undeclared type or
an infrastructure job, keyed by a service type that has named instances (the orchestrator's
static `registry:services:custodian-simulator`, risk-monitor's hash), or at another port than
the one the registry states for the instance.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Iterable, Sequence
from pathlib import Path

from tsedash.registry.checks import INSTANCE_WARNING_CODES, check_instances, suggest
from tsedash.registry.loader import (
    gc_paused,
    load_registry,
    read_registry_text,
    registry_from_document,
    resolve_instance,
    resolve_registry_path,
)
from tsedash.registry.model import Instance, Registry, ServiceType, Volume
from tsedash.registry.problems import Problem, RegistryError, Severity, sort_problems
from tsedash.registry.sources.compose import is_compose, load_compose
from tsedash.registry.sources.discovered import Discovered
from tsedash.registry.sources.redis_registry import (
    DEFAULT_STALE_AFTER,
    RedisDiscovery,
    Skipped,
    discover,
)
from tsedash.registry.yamlsource import load_yaml
from tsedash.spec import DEFAULT_REGISTRY


def _where(inst: Instance, registry_file: str) -> str:
    file = inst.source_file or registry_file
    return f"{inst.source} ({file}:{inst.line})" if inst.source != "redis" else "redis"


def _mounts(found: Discovered) -> dict[str, Volume]:
    return {kind: Volume(host, container) for kind, host, container in found.volumes}


def merge(registry: Registry, discovered: Iterable[Discovered]) -> Registry:
    """The registry with what the sources found: new instances added, known ones confirmed;
    every disagreement is an error naming both places. Then the instance checks run again."""
    problems: list[Problem] = []
    merged = list(registry.instances)
    position = {inst.instance_name: i for i, inst in enumerate(merged)}
    for found in discovered:
        svc = registry.services.get(found.service)
        if svc is None:
            problems.append(
                _problem(
                    found,
                    f"service type '{found.service}' is not declared in {registry.path} "
                    f"({suggest(found.service, registry.services)}add it under `services:` with "
                    "its category and metrics)",
                )
            )
            continue
        at = position.get(found.name)
        if at is None:
            position[found.name] = len(merged)
            merged.append(_new_instance(found, svc, registry))
            continue
        updated = _combine(merged[at], found, registry.path, problems)
        if updated is not None:
            merged[at] = updated
    if any(p.severity is Severity.ERROR for p in problems):
        raise RegistryError(problems)
    checked = check_instances(registry.path, list(enumerate(merged)), registry.services)
    if any(p.severity is Severity.ERROR for p in checked):
        raise RegistryError(checked)
    # The instance checks' warnings are recomputed on the merged set; any other warning the
    # registry carried (from its services or infrastructure) is kept.
    kept = [w for w in registry.warnings if w.code not in INSTANCE_WARNING_CODES]
    return dataclasses.replace(
        registry, instances=tuple(merged), warnings=tuple(sort_problems([*kept, *checked]))
    )


def _problem(found: Discovered, message: str) -> Problem:
    return Problem(found.file, found.line, f"{found.source} ({found.name})", message)


def _new_instance(found: Discovered, svc: ServiceType, registry: Registry) -> Instance:
    raw: dict[str, object] = {"service": found.service, "name": found.name}
    if found.address:
        raw["address"] = found.address
    if found.container_name:
        raw["container_name"] = found.container_name
    return dataclasses.replace(
        resolve_instance(raw, svc, registry.defaults, _mounts(found)),
        line=found.line,
        source=found.source,
        source_file=found.file,
    )


def _combine(
    existing: Instance, found: Discovered, registry_path: str, problems: list[Problem]
) -> Instance | None:
    """A known instance seen by another source: confirmed and completed, or a problem."""
    if existing.service_name != found.service:
        problems.append(
            _problem(
                found,
                f"instance '{found.name}' is a {found.service} here but a "
                f"{existing.service_name} in {_where(existing, registry_path)}",
            )
        )
    explicit = _states_address(existing)
    # Files are what Prometheus reaches (compose service names); a registration's host is the
    # container's own hostname, so Redis fills in an address, never contradicts.
    address = None if explicit and found.source == "redis" else found.address
    if explicit and address and existing.address != address:
        problems.append(
            _problem(
                found,
                f"instance '{found.name}' is at {address} here but at "
                f"{existing.address} in {_where(existing, registry_path)}",
            )
        )
        return None
    # Agreeing sources: the one that states an address or container name fills it in.
    container = existing.container_name
    if found.container_name and "container_name" not in existing.key_lines:
        container = found.container_name if existing.source == "yaml" else container
    return dataclasses.replace(
        existing,
        address=existing.address if explicit or not address else address,
        container_name=container,
        source=f"{existing.source},{found.source}",
        volumes={**existing.volumes, **_mounts(found)},
    )


def _states_address(inst: Instance) -> bool:
    """Whether a file states the instance's address (else it is the derived default)."""
    return inst.source != "yaml" or "address" in inst.key_lines


TYPE_KEYED = "keyed by service type with no instance name"


def _listed(names: Sequence[str], shown: int = 3) -> str:
    head = ", ".join(names[:shown])
    return head + (f" and {len(names) - shown} more" if len(names) > shown else "")


def _port(address: str) -> str:
    return address.rpartition(":")[2]  # every address is host:port (addresses.py)


class _Vetting:
    """Whether a Redis registration can stand for an instance of the registry (yaml and
    compose already merged), and the reason when it cannot."""

    def __init__(self, registry: Registry) -> None:
        self.registry = registry
        self.infra = {job.job for job in registry.infrastructure}
        self.known = {inst.instance_name: inst for inst in registry.instances}
        self.names: dict[str, list[str]] = {}
        for inst in registry.instances:
            self.names.setdefault(inst.service_name, []).append(inst.instance_name)

    def reason_to_skip(self, found: Discovered) -> str | None:
        svc = self.registry.services.get(found.service)
        if svc is None:
            if found.service in self.infra:
                return f"'{found.service}' is an infrastructure job, not a service instance"
            return (
                f"service type '{found.service}' is not declared in {self.registry.path} "
                f"({suggest(found.service, self.registry.services)}add it under `services:`)"
            )
        if not found.instance_named:
            reason = self._type_keyed(found, svc)
            if reason:
                return reason
        return self._other_port(found)

    def _type_keyed(self, found: Discovered, svc: ServiceType) -> str | None:
        """A hash keyed by type can stand only for the singleton named after its type."""
        named = [n for n in self.names.get(found.service, ()) if n != found.service]
        if named:
            return f"{TYPE_KEYED}; {found.service} has named instances ({_listed(named)})"
        if not svc.singleton:
            return (
                f"{TYPE_KEYED}; {found.service} is not a singleton type, so the hash stands "
                "for no instance"
            )
        return None

    def _other_port(self, found: Discovered) -> str | None:
        """A registration at another port than the registry states is another endpoint. Only
        the port is compared: the host a service registers is one of its container's names
        (hostname, IP), the registry's the compose service Prometheus reaches."""
        existing = self.known.get(found.name)
        if existing is None or found.address is None:
            return None
        # A named registration may fill in a derived default address; a type's hash may not.
        stated = _states_address(existing) or not found.instance_named
        if not stated or _port(found.address) == _port(existing.address):
            return None
        lead = "address" if found.instance_named else f"{TYPE_KEYED}; its address"
        return (
            f"{lead} {found.address} contradicts {existing.instance_name}'s {existing.address} "
            f"in {_where(existing, self.registry.path)}: another port; the registry's address "
            "is kept"
        )


def _usable_registrations(report: RedisDiscovery, registry: Registry) -> list[Discovered]:
    """The registrations that can stand for an instance of `registry`; every other one is added
    to the report's skipped entries with its key and reason (never fatal, never silent)."""
    vetting = _Vetting(registry)
    usable = []
    for found in report.found:
        reason = vetting.reason_to_skip(found)
        if reason is not None:
            report.skipped.append(
                Skipped(found.key or f"services:{found.service}:{found.name}", reason)
            )
        elif not found.instance_named and found.name in vetting.known:
            # A type's hash confirms the registry's singleton but never changes its address.
            usable.append(dataclasses.replace(found, address=None))
        else:
            usable.append(found)
    report.skipped.sort(key=lambda s: s.key)
    return usable


@dataclasses.dataclass
class Sources:
    registry: Registry
    redis: RedisDiscovery | None = None


def load_sources(
    registry_path: str | os.PathLike[str] | None = None,
    compose: Sequence[str | os.PathLike[str]] = (),
    discover_url: str | None = None,
    stale_after: float = DEFAULT_STALE_AFTER,
) -> Sources:
    """The YAML registry, plus compose files and live Redis when given, merged and checked."""
    with gc_paused():
        return _load_sources(registry_path, compose, discover_url, stale_after)


def _load_sources(
    registry_path: str | os.PathLike[str] | None,
    compose: Sequence[str | os.PathLike[str]],
    discover_url: str | None,
    stale_after: float,
) -> Sources:
    compose = list(compose)
    path = resolve_registry_path(registry_path)
    # Read and parse the file once: it is either the registry or a compose file.
    text, shown = read_registry_text(path)
    document = load_yaml(text, shown)
    if is_compose(document[0]):
        # `--registry docker-compose.yml`: instances from it, service types from instances.yaml.
        compose.insert(0, path)
        path = Path(DEFAULT_REGISTRY)
        if not path.exists():
            raise RegistryError(
                [
                    Problem(
                        str(compose[0]),
                        0,
                        "",
                        "a compose file gives instances, not service types: keep "
                        f"{DEFAULT_REGISTRY} here, or pass --registry FILE --compose "
                        f"{compose[0]}",
                    )
                ]
            )
        registry = load_registry(path)
    else:
        registry = registry_from_document(*document, shown)
    report = discover(discover_url, stale_after) if discover_url else None
    from_files = list(load_compose(compose, registry.defaults.metrics_port))
    if from_files:
        registry = merge(registry, from_files)
    if report is None:
        return Sources(registry, None)
    # Registrations are weighed against yaml and compose together, then merged.
    registered = _usable_registrations(report, registry)
    return Sources(merge(registry, registered) if registered else registry, report)

"""Merge instances found in compose files and live Redis into the YAML registry.

Service types (category, metrics, derivation) come only from instances.yaml; instances are the
union of all sources, in order yaml → compose → redis. The same instance from two files must
agree on its type and (where both state one) its address; a Redis registration only confirms an
instance or fills in a missing address. Then every registry check runs on the merged result.
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
    explicit = existing.source != "yaml" or "address" in existing.key_lines
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


def _known_types(report: RedisDiscovery, registry: Registry) -> list[Discovered]:
    """Registrations of the registry's service types; the rest (the orchestrator's
    `registry:services:redis`, a service nobody declared) are reported, not fatal."""
    infra = {job.job for job in registry.infrastructure}
    known = []
    for found in report.found:
        if found.service in registry.services:
            known.append(found)
            continue
        key = found.key or f"services:{found.service}:{found.name}"
        if found.service in infra:
            reason = f"'{found.service}' is an infrastructure job, not a service instance"
        else:
            reason = (
                f"service type '{found.service}' is not declared in {registry.path} "
                f"({suggest(found.service, registry.services)}add it under `services:`)"
            )
        report.skipped.append(Skipped(key, reason))
    report.skipped.sort(key=lambda s: s.key)
    return known


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
    found: list[Discovered] = list(load_compose(compose, registry.defaults.metrics_port))
    report = None
    if discover_url:
        report = discover(discover_url, stale_after)
        found.extend(_known_types(report, registry))
    if not found:
        return Sources(registry, report)
    return Sources(merge(registry, found), report)

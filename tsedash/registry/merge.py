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
    load_registry,
    read_registry_text,
    registry_from_document,
    resolve_instance,
    resolve_registry_path,
)
from tsedash.registry.model import Instance, Registry, Volume
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
    problems: list[Problem] = []
    by_name = {inst.instance_name: inst for inst in registry.instances}
    position = {inst.instance_name: i for i, inst in enumerate(registry.instances)}
    merged = list(registry.instances)
    for found in discovered:
        svc = registry.services.get(found.service)
        where = f"{found.source} ({found.name})"
        line = found.line
        file = found.file
        if svc is None:
            problems.append(
                Problem(
                    file,
                    line,
                    where,
                    f"service type '{found.service}' is not declared in {registry.path} "
                    f"({suggest(found.service, registry.services)}add it under `services:` with "
                    "its category and metrics)",
                )
            )
            continue
        existing = by_name.get(found.name)
        if existing is not None:
            if existing.service_name != found.service:
                problems.append(
                    Problem(
                        file,
                        line,
                        where,
                        f"instance '{found.name}' is a {found.service} here but a "
                        f"{existing.service_name} in {_where(existing, registry.path)}",
                    )
                )
            explicit = existing.source != "yaml" or "address" in existing.key_lines
            # Files are what Prometheus reaches (compose service names); a registration's host
            # is the container's own hostname, so Redis fills in an address, never contradicts.
            if explicit and found.address and found.source == "redis":
                found = dataclasses.replace(found, address=None)
            if explicit and found.address and existing.address != found.address:
                problems.append(
                    Problem(
                        file,
                        line,
                        where,
                        f"instance '{found.name}' is at {found.address} here but at "
                        f"{existing.address} in {_where(existing, registry.path)}",
                    )
                )
                continue
            # Agreeing sources: the one that states an address or container name fills it in.
            updated = dataclasses.replace(
                existing,
                address=existing.address if explicit or not found.address else found.address,
                container_name=(
                    found.container_name
                    if found.container_name
                    and "container_name" not in existing.key_lines
                    and existing.source == "yaml"
                    else existing.container_name
                ),
                source=f"{existing.source},{found.source}",
                volumes={**existing.volumes, **_mounts(found)},
            )
            merged[position[found.name]] = updated
            by_name[found.name] = updated
            continue
        raw: dict[str, object] = {"service": found.service, "name": found.name}
        if found.address:
            raw["address"] = found.address
        if found.container_name:
            raw["container_name"] = found.container_name
        inst = dataclasses.replace(
            resolve_instance(raw, svc, registry.defaults, _mounts(found)),
            line=line,
            source=found.source,
            source_file=file,
        )
        by_name[found.name] = inst
        position[found.name] = len(merged)
        merged.append(inst)
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

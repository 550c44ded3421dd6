"""Read a registry file into the typed model, collecting every problem on the way."""

from __future__ import annotations

import contextlib
import dataclasses
import gc
import os
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any, cast

from tsedash.inputs import UnreadableInput, read_text
from tsedash.registry import derivation as d
from tsedash.registry.checks import check_infrastructure, check_instances, check_services, suggest
from tsedash.registry.model import (
    AlertThresholds,
    Datasource,
    Defaults,
    Folder,
    GrafanaDatasource,
    InfraJob,
    Instance,
    Links,
    Metric,
    Registry,
    Scaling,
    ServiceType,
    Volume,
)
from tsedash.registry.problems import Problem, RegistryError, Severity, sort_problems
from tsedash.registry.structure import describe_value, structure_problems
from tsedash.registry.yamlsource import load_yaml
from tsedash.spec import DEFAULT_REGISTRY, REGISTRY_ENV

_DEFAULT_DATASOURCE = Datasource(uid="prometheus", name="Prometheus", url="http://prometheus:9090")


def _line(node: Any) -> int:
    return int(getattr(node, "line", 0))


def _metric(raw: Mapping[str, Any]) -> Metric:
    return Metric(
        name=raw["name"],
        title=raw["title"],
        type=raw["type"],
        unit=raw.get("unit", "short"),
        by=tuple(raw.get("by", ())),
        description=raw.get("description", ""),
        state=raw.get("state", "exposed"),
        flow_to=raw.get("flow_to", ""),
        stall_alert=bool(raw.get("stall_alert", False)),
    )


def _derivation(raw: Mapping[str, Any], language: str) -> d.Derivation:
    """The named rule; by default the seed's rule for the service type's language."""
    rule = str(raw.get("derivation") or f"seed-{language}")
    return cast(d.Derivation, d.DERIVATION_ALIASES.get(rule, rule))


def _service(name: str, raw: Mapping[str, Any], line: int, alerts: AlertThresholds) -> ServiceType:
    language = raw.get("language", "go")
    return ServiceType(
        name=name,
        category=raw["category"],
        singleton=bool(raw.get("singleton", False)),
        metrics=tuple(_metric(m) for m in raw.get("metrics", ())),
        derivation=_derivation(raw, language),
        language=language,
        metrics_path=raw.get("metrics_path", ""),
        readiness=bool(raw.get("readiness", False)),
        alerts=dataclasses.replace(alerts, **raw.get("alerts", {})),
        line=line,
        db_role=raw.get("db_role", ""),
        migrate_tables=tuple(raw.get("migrate_tables", ())),
        acknowledge=dict(raw.get("acknowledge", {})),
    )


def resolve_instance(
    raw: Mapping[str, Any],
    svc: ServiceType,
    defaults: Defaults,
    mounts: Mapping[str, Volume] | None = None,
) -> Instance:
    """Derive every name of one instance, honouring the registry's overrides (and, from a
    compose file, the host directories it really mounts)."""
    service = svc.name
    name = raw.get("name", service)
    schema = raw.get("schema")
    namespace = raw.get("redis_namespace")
    volumes = {k: Volume(**v) for k, v in d.volumes(service, name).items()}
    volumes.update(mounts or {})
    return Instance(
        service_name=service,
        instance_name=name,
        singleton=svc.singleton,
        category=svc.category,
        schema_name=schema
        if schema is not None
        else d.derive_schema(service, name, svc.derivation),
        redis_namespace=namespace
        if namespace is not None
        else d.derive_namespace(service, name, svc.derivation),
        discovery_key=d.discovery_key(service, name),
        container_name=raw.get("container_name")
        or d.container_name(defaults.container_prefix, name),
        address=raw.get("address") or f"{name}:{defaults.metrics_port}",
        volumes=volumes,
        line=_line(raw),
        schema_overridden=schema is not None,
        namespace_overridden=namespace is not None,
        key_lines=dict(getattr(raw, "key_lines", {})),
        derivation=svc.derivation,
        acknowledge={**svc.acknowledge, **raw.get("acknowledge", {})},
    )


def parse_registry(data: Any, file: str) -> Registry:
    """Turn a loaded document into a Registry; raises RegistryError if any error was found."""
    problems = structure_problems(data, file)
    if problems:
        raise RegistryError(problems)

    ds = {**_DEFAULT_DATASOURCE.__dict__, **data.get("datasource", {})}
    ds["grafana"] = tuple(GrafanaDatasource(**known) for known in ds["grafana"])
    datasource = Datasource(**ds)
    defaults = Defaults(**data.get("defaults", {}))
    categories: dict[str, str] = dict(data.get("categories", {}))
    services_raw = data["services"]
    alerts = AlertThresholds(**data.get("alerts", {}))
    services = {
        name: _service(name, raw, services_raw.key_lines.get(name, _line(raw)), alerts)
        for name, raw in services_raw.items()
    }
    infrastructure = tuple(
        InfraJob(job=j["job"], address=j["address"], line=_line(j))
        for j in data.get("infrastructure", ())
    )
    problems.extend(check_services(file, services, categories))
    problems.extend(check_infrastructure(file, infrastructure, services))

    resolved: list[tuple[int, Instance]] = []
    for index, raw in enumerate(data["instances"]):
        svc = services.get(raw["service"])
        if svc is None:
            shown = raw.get("name", raw["service"])
            problems.append(
                Problem(
                    file,
                    _line(raw),
                    f"instances[{index}] ({shown})",
                    f"unknown service type '{raw['service']}' ({suggest(raw['service'], services)}"
                    "declare it under `services:` with its category)",
                )
            )
            continue
        resolved.append((index, resolve_instance(raw, svc, defaults)))
    problems.extend(check_instances(file, resolved, services))

    if any(p.severity is Severity.ERROR for p in problems):
        raise RegistryError(problems)
    return Registry(
        path=file,
        version=int(data["version"]),
        datasource=datasource,
        defaults=defaults,
        categories=categories,
        infrastructure=infrastructure,
        services=services,
        instances=tuple(inst for _, inst in resolved),
        warnings=tuple(sort_problems(problems)),
        links=Links(**data.get("links", {})),
        folder=Folder(**data.get("folder", {})),
        scaling=Scaling(**data.get("scaling", {})),
    )


@contextlib.contextmanager
def gc_paused() -> Iterator[None]:
    """No cyclic garbage collection while a registry is built: it allocates hundreds of
    thousands of objects and frees none, so every collection pass is wasted work that grows
    with the size (a quarter of the load at 50,000 instances). Re-entrant."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def load_registry_text(text: str, file: str) -> Registry:
    with gc_paused():
        return registry_from_document(*load_yaml(text, file), file)


def registry_from_document(
    data: Any, key_problems: list[Problem], root_line: int, file: str
) -> Registry:
    """A registry from an already parsed document (`load_yaml`'s three results)."""
    if not isinstance(data, dict):
        raise RegistryError(
            [
                Problem(
                    file,
                    root_line,
                    "top level",
                    "the top level must be a mapping (version, services, instances, …), "
                    f"got {describe_value(data)}",
                )
            ]
        )
    if key_problems:
        # Duplicate or non-string keys: the document does not mean what it says.
        raise RegistryError(key_problems + structure_problems(data, file))
    return parse_registry(data, file)


def resolve_registry_path(path: str | os.PathLike[str] | None) -> Path:
    """--registry, else $TSEDASH_REGISTRY, else ./instances.yaml."""
    return Path(path or os.environ.get(REGISTRY_ENV) or DEFAULT_REGISTRY)


def load_registry(path: str | os.PathLike[str] | None = None) -> Registry:
    """Load, validate and resolve a registry file. Raises RegistryError with every problem."""
    text, shown = read_registry_text(resolve_registry_path(path))
    return load_registry_text(text, shown)


def read_registry_text(file: Path) -> tuple[str, str]:
    """The file's text and its name for messages; RegistryError when it cannot be read."""
    shown = str(file)
    try:
        return read_text(file), shown
    except UnreadableInput as exc:
        if exc.reason != "file not found":
            raise RegistryError([Problem(shown, exc.line, "", exc.reason)]) from None
    raise RegistryError(
        [
            Problem(
                shown,
                0,
                "",
                f"registry file not found (looked for {shown}; "
                f"pass --registry FILE or set {REGISTRY_ENV})",
            )
        ]
    )

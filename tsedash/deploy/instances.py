"""`docker-compose.instances.yml`: a complete compose service for every registry instance the
orchestrator's compose file lacks.

    docker compose -f docker-compose.yml -f $TSEDASH_DIR/deploy/docker-compose.observability.yml \\
        -f $TSEDASH_DIR/deploy/docker-compose.instances.yml up -d

An instance needs one when instances.yaml declares it, its address names a compose service
(not an IP or a dotted host: those run elsewhere) and no compose service runs it: with
`--compose` files, none sets its SERVICE_INSTANCE_NAME; without, its address is not the
orchestrator's service of its type (the orchestrator names each type's service after it).

With a compose file that has a service of the type, the new service is a deep copy of it with
the per-instance values changed (service key, container name, instance name, volumes, the
schema and the Redis namespace the type reads, a free static IP and free host ports). Without
one, it is written from READS, what the type's own configuration code reads, with the
orchestrator's hosts; passwords then come from the environment (`<ROLE>_DB_PASSWORD`,
`<ROLE>_REDIS_PASSWORD`) and Compose stops with a message when one is unset.
"""

from __future__ import annotations

import copy
import ipaddress
import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from tsedash.encode import dump_yaml
from tsedash.errors import InputError
from tsedash.inputs import read_text
from tsedash.prometheus import expected
from tsedash.registry import Instance, Registry, ServiceType
from tsedash.registry.sources.compose import (
    VOLUME_KINDS,
    environment_of,
    load_compose,
    merge_files,
    mount,
)
from tsedash.registry.yamlsource import load_yaml

INSTANCES = "docker-compose.instances.yml"

# What each variable holds, so every instance gets its own value.
Kind = Literal[
    "service",  # SERVICE_NAME: the type
    "instance",  # SERVICE_INSTANCE_NAME
    "environment",
    "http_port",
    "grpc_port",
    "bind_host",
    "postgres_url",
    "mongo_url",
    "schema",  # the instance's PostgreSQL schema
    "redis_url",
    "namespace",  # the instance's Redis namespace
    "registry_url",  # the orchestrator's service-registry / configuration service
]


@dataclass(frozen=True)
class ServiceReads:
    """The environment one service type reads, by concern: variable → what it holds.

    `asyncpg`: the service hands POSTGRES_URL to SQLAlchemy's asyncpg dialect, which passes
    every query key to asyncpg.connect() and fails on unknown ones, so the schema cannot travel
    in the URL; the Go services use lib/pq, which sends `options` to the server at start-up.
    """

    language: Literal["go", "python"]
    identity: Mapping[str, Kind]
    database: Mapping[str, Kind]
    cache: Mapping[str, Kind]
    discovery: Mapping[str, Kind] = field(default_factory=dict)
    asyncpg: bool = False

    @property
    def variables(self) -> dict[str, Kind]:
        return {**self.identity, **self.database, **self.cache, **self.discovery}


_GO_IDENTITY: dict[str, Kind] = {
    "SERVICE_NAME": "service",
    "SERVICE_INSTANCE_NAME": "instance",
    "ENVIRONMENT": "environment",
    "HTTP_PORT": "http_port",
    "GRPC_PORT": "grpc_port",
}
_PY_IDENTITY: dict[str, Kind] = {**_GO_IDENTITY, "HOST": "bind_host"}


def _go_simulator() -> ServiceReads:
    # The simulator's internal/config/config.go reads identity, POSTGRES_URL, REDIS_URL and
    # CONFIG_SERVICE_URL; its data adapter's internal/config/config.go reads the rest (its
    # keys are `{CACHE_NAMESPACE}:…` and `{SERVICE_DISCOVERY_NAMESPACE}:service:{id}`).
    return ServiceReads(
        language="go",
        identity=_GO_IDENTITY,
        database={"POSTGRES_URL": "postgres_url", "SCHEMA_NAME": "schema"},
        cache={
            "REDIS_URL": "redis_url",
            "REDIS_NAMESPACE": "namespace",
            "CACHE_NAMESPACE": "namespace",
        },
        discovery={
            "SERVICE_DISCOVERY_NAMESPACE": "namespace",
            "CONFIG_SERVICE_URL": "registry_url",
        },
    )


def _py_service(adapter_prefix: str, adapter: Mapping[str, Kind], registry: bool) -> ServiceReads:
    # The service's pydantic Settings (infrastructure/config.py, case-insensitive field names)
    # plus its data adapter's AdapterConfig, read with `adapter_prefix`.
    prefixed = {adapter_prefix + name: kind for name, kind in adapter.items()}
    return ServiceReads(
        language="python",
        identity={**_PY_IDENTITY, **{k: v for k, v in prefixed.items() if "URL" not in k}},
        database={
            "POSTGRES_URL": "postgres_url",
            **{k: v for k, v in prefixed.items() if k.endswith(("POSTGRES_URL", "SCHEMA"))},
        },
        cache={
            "REDIS_URL": "redis_url",
            **{k: v for k, v in prefixed.items() if k.endswith(("REDIS_URL", "NAMESPACE"))},
        },
        discovery={"SERVICE_REGISTRY_URL": "registry_url"} if registry else {},
        asyncpg=True,
    )


_ADAPTER_IDENTITY: dict[str, Kind] = {
    "SERVICE_NAME": "service",
    "SERVICE_INSTANCE_NAME": "instance",
    "ENVIRONMENT": "environment",
}
_ADAPTER_URLS: dict[str, Kind] = {"POSTGRES_URL": "postgres_url", "REDIS_URL": "redis_url"}

# Per service type (SERVICE_NAME), read from each repository (github.com/sk-quantfidential):
READS: dict[str, ServiceReads] = {
    # trading-ecosystem-exchange-simulator-go internal/config/config.go,
    # trading-ecosystem-exchange-data-adapter-go internal/config/config.go
    "exchange-simulator": _go_simulator(),
    # trading-ecosystem-custodian-simulator-go internal/config/config.go,
    # trading-ecosystem-custodian-data-adapter-go internal/config/config.go
    "custodian-simulator": _go_simulator(),
    # market-data-simulator-go internal/config/config.go,
    # market-data-data-adapter-go internal/config/config.go
    "market-data-simulator": _go_simulator(),
    # trading-ecosystem-audit-correlator-go internal/config/config.go (CONFIGURATION_SERVICE_URL,
    # not CONFIG_SERVICE_URL), trading-ecosystem-audit-data-adapter-go internal/config/config.go
    # (POSTGRES_URL, MONGO_URL; schema and namespace derived from SERVICE_INSTANCE_NAME only)
    "audit-correlator": ServiceReads(
        language="go",
        identity=_GO_IDENTITY,
        database={"POSTGRES_URL": "postgres_url", "MONGO_URL": "mongo_url"},
        cache={"REDIS_URL": "redis_url"},
        discovery={"CONFIGURATION_SERVICE_URL": "registry_url"},
    ),
    # risk-monitor-py src/risk_monitor/infrastructure/config.py; its risk_data_adapter is not
    # public: the RISK_ADAPTER_* names are those orchestrator-docker's docker-compose.yml sets
    "risk-monitor": _py_service(
        "RISK_ADAPTER_", {**_ADAPTER_IDENTITY, **_ADAPTER_URLS}, registry=True
    ),
    # trading-engine-py src/trading_system/infrastructure/config.py,
    # trading-engine-data-adapter-py src/trading_data_adapter/config.py (env_prefix
    # TRADING_ADAPTER_; postgres_schema and redis_namespace are read from the environment)
    "trading-system-engine": _py_service(
        "TRADING_ADAPTER_",
        {
            **_ADAPTER_IDENTITY,
            **_ADAPTER_URLS,
            "POSTGRES_SCHEMA": "schema",
            "REDIS_NAMESPACE": "namespace",
        },
        registry=True,
    ),
    # trading-ecosystem-test-coordinator-py src/test_coordinator/infrastructure/config.py (no
    # registry URL: its discovery uses REDIS_URL), trading-ecosystem-test-coordinator-data-
    # adapter-py src/test_coordinator_data_adapter/config.py (env_prefix TEST_COORDINATOR_ADAPTER_)
    "test-coordinator": _py_service(
        "TEST_COORDINATOR_ADAPTER_", {"SERVICE_NAME": "service", **_ADAPTER_URLS}, registry=False
    ),
}
# A type tsedash has not read: what every ecosystem service of its language reads.
GENERIC: dict[str, ServiceReads] = {
    "go": ServiceReads(
        "go", _GO_IDENTITY, {"POSTGRES_URL": "postgres_url"}, {"REDIS_URL": "redis_url"}
    ),
    "python": ServiceReads(
        "python",
        _PY_IDENTITY,
        {"POSTGRES_URL": "postgres_url"},
        {"REDIS_URL": "redis_url"},
        asyncpg=True,
    ),
}


def reads_of(service: ServiceType) -> ServiceReads:
    return READS.get(service.name) or GENERIC[service.language]


# The orchestrator's own values (orchestrator-docker docker-compose.yml), for a service
# written without a compose file to copy.
POSTGRES = "172.20.0.20:5432"
DATABASE = "trading_ecosystem"
REDIS = "172.20.0.10:6379"
REGISTRY_URL = "http://172.20.0.30:8080"
MONGO_URL = "mongodb://172.20.0.20:27017/audit_correlator"
NETWORK = "trading-ecosystem"
# Its infrastructure services (and the overlay's); each service type's is named after the type.
INFRASTRUCTURE = frozenset(
    {
        "redis",
        "redis-exporter",
        "postgres",
        "postgres-exporter",
        "service-registry",
        "prometheus",
        "grafana",
        "jaeger",
        "otel-collector",
        "cadvisor",
        expected.JOB,
    }
)
GRPC_PORT = "50051"
_HEALTH = {
    "go": ["CMD", "sh", "-c", "wget --quiet --tries=1 -O /dev/null http://localhost:{port}{path}"],
    "python": [
        "CMD",
        "python3",
        "-c",
        "import urllib.request; urllib.request.urlopen('http://localhost:{port}{path}')",
    ],
}
HEALTH_PATH = "/api/v1/health"
# A compose service name (an address host with a dot is a DNS name or an IP: not ours to run).
_SERVICE_KEY = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]*\Z")


# ---------------------------------------------------------------------------------------------
# Per-instance values


def _http_port(inst: Instance) -> str:
    return inst.address.rpartition(":")[2]


def _service_key(inst: Instance) -> str:
    return inst.address.rpartition(":")[0]


def password_variable(role: str, kind: Literal["DB", "REDIS"]) -> str:
    """`exchange_adapter` → `EXCHANGE_ADAPTER_DB_PASSWORD`: Compose interpolates it."""
    name = f"{re.sub(r'[^A-Za-z0-9]', '_', role).upper()}_{kind}_PASSWORD"
    what = "PostgreSQL role" if kind == "DB" else "Redis user"
    return f"${{{name}:?set {name} to the password of the {what} {role}}}"


def search_path_option(schema: str) -> str:
    """`options=-c search_path=<schema>,public`, URL-encoded: the server applies it at start-up,
    over the role's own search_path (the orchestrator sets one per role)."""
    return f"options=-c%20search_path%3D{schema}%2Cpublic"


_URL = re.compile(
    r"(?P<scheme>[A-Za-z][A-Za-z0-9+.-]*://)(?:(?P<user>[^:@/]*)(?P<password>:[^@/]*)?@)?"
    r"(?P<rest>[^?#]*)(?:\?(?P<query>[^#]*))?(?P<fragment>#.*)?\Z"
)


def instance_postgres_url(url: str, role: str, schema: str, asyncpg: bool) -> str:
    """`url` (the type's) connecting as `role`, with the instance's schema where the driver
    takes it. A value that is not a URL (a `${VAR}`) is left alone."""
    m = _URL.match(url)
    if not m:
        return url
    userinfo = f"{role}{m['password'] or ''}@" if m["user"] is not None else ""
    query = [q for q in (m["query"] or "").split("&") if q and not q.startswith("options=")]
    if not asyncpg:
        query.append(search_path_option(schema))
    tail = ("?" + "&".join(query)) if query else ""
    return f"{m['scheme']}{userinfo}{m['rest']}{tail}{m['fragment'] or ''}"


def url_user(url: str) -> str | None:
    m = _URL.match(url)
    return m["user"] if m else None


def _default_values(registry: Registry, inst: Instance, reads: ServiceReads) -> dict[Kind, str]:
    """What a service written without a compose file gets, per kind."""
    role = registry.services[inst.service_name].role
    redis_user = role.replace("_", "-")  # the orchestrator's Redis users: exchange-adapter, …
    if reads.asyncpg:
        postgres = (
            f"postgresql+asyncpg://{role}:{password_variable(role, 'DB')}@{POSTGRES}/{DATABASE}"
        )
    else:
        postgres = instance_postgres_url(
            f"postgres://{role}:{password_variable(role, 'DB')}@{POSTGRES}/{DATABASE}"
            "?sslmode=disable",
            role,
            inst.schema_name,
            asyncpg=False,
        )
    return {
        "service": inst.service_name,
        "instance": inst.instance_name,
        "environment": "docker",
        "http_port": _http_port(inst),
        "grpc_port": GRPC_PORT,
        "bind_host": "0.0.0.0",
        "postgres_url": postgres,
        "mongo_url": MONGO_URL,
        "schema": inst.schema_name,
        "redis_url": f"redis://{redis_user}:{password_variable(role, 'REDIS')}@{REDIS}/0",
        "namespace": inst.redis_namespace,
        "registry_url": REGISTRY_URL,
    }


def _host_path(host: str) -> str:
    """A registry volume path as compose writes it (`./volumes/…`: relative to the project)."""
    return host if host.startswith(("/", "./", "../")) else "./" + host


# ---------------------------------------------------------------------------------------------
# A service written from READS


def table_service(registry: Registry, inst: Instance) -> dict[str, Any]:
    """The instance's service from what its type reads (no compose service to copy)."""
    service = registry.services[inst.service_name]
    reads = reads_of(service)
    values = _default_values(registry, inst, reads)
    health = [
        part.format(port=_http_port(inst), path=HEALTH_PATH) for part in _HEALTH[reads.language]
    ]
    healthy = {"condition": "service_healthy"}
    return {
        "image": f"{inst.service_name}:latest",  # the image the orchestrator builds
        "container_name": inst.container_name,
        "restart": "unless-stopped",
        "networks": [NETWORK],
        "volumes": [f"{_host_path(v.host)}:{v.container}" for _, v in sorted(inst.volumes.items())],
        "environment": [f"{name}={values[kind]}" for name, kind in reads.variables.items()],
        "depends_on": {"redis": healthy, "postgres": healthy, "service-registry": healthy},
        "healthcheck": {
            "test": health,
            "interval": "15s",
            "timeout": "5s",
            "retries": 3,
            "start_period": "45s" if reads.language == "go" else "60s",
        },
    }


# ---------------------------------------------------------------------------------------------
# A service copied from the compose file


@dataclass
class Allocator:
    """Static IPv4 addresses and host ports already taken in the merged compose files, and the
    ones handed out since."""

    subnets: dict[str, list[ipaddress.IPv4Network]]  # network → its IPAM subnets
    addresses: set[ipaddress.IPv4Address]
    ports: set[tuple[int, str]]  # (host port, protocol), whatever host IP it is bound to

    def address(self, network: str, after: str) -> str | None:
        """The next free address of `network`'s subnet after `after` (wrapping round), never
        the gateway; None when the subnet is unknown or full."""
        try:
            start = ipaddress.IPv4Address(after)
        except ValueError:
            return None
        for subnet in self.subnets.get(network, []):
            if start not in subnet:
                continue
            first, last = int(subnet.network_address) + 2, int(subnet.broadcast_address) - 1
            span = last - first + 1
            for step in range(1, span + 1):
                candidate = ipaddress.IPv4Address(first + (int(start) - first + step) % span)
                if candidate not in self.addresses:
                    self.addresses.add(candidate)
                    return str(candidate)
        return None

    def port(self, after: int, protocol: str) -> int | None:
        for candidate in range(after + 1, 65536):
            if (candidate, protocol) not in self.ports:
                self.ports.add((candidate, protocol))
                return candidate
        return None


@dataclass(frozen=True)
class PortSpec:
    """One `ports` entry: [HOST_IP:][PUBLISHED:]TARGET[/PROTOCOL] or the long form."""

    host_ip: str
    published: str  # "" (Docker picks one), "8084" or a range "8000-8010"
    target: str
    protocol: str
    long_form: bool

    def published_ports(self) -> range:
        low, _, high = self.published.partition("-")
        if not low.isdigit() or not (high or low).isdigit():
            return range(0)
        return range(int(low), int(high or low) + 1)


def parse_port(entry: Any) -> PortSpec | None:
    if isinstance(entry, dict):
        return PortSpec(
            str(entry.get("host_ip", "")),
            str(entry.get("published", "")).strip(),
            str(entry.get("target", "")),
            str(entry.get("protocol", "tcp")),
            long_form=True,
        )
    text, _, protocol = str(entry).strip().partition("/")
    host_ip = ""
    if text.startswith("["):  # a bracketed IPv6 host address
        host_ip, _, text = text.partition("]:")
        host_ip += "]"
    parts = text.split(":")
    if len(parts) == 3:
        host_ip, published, target = parts
    elif len(parts) == 2:
        published, target = parts
    elif len(parts) == 1:
        published, target = "", parts[0]
    else:
        return None
    return PortSpec(host_ip, published, target, protocol or "tcp", long_form=False)


def _port_entry(spec: PortSpec, published: int | None, target: str) -> Any:
    """The entry in its own form; `published` None: Docker picks the host port."""
    if spec.long_form:
        entry: dict[str, Any] = {"target": int(target)}
        if published is not None:
            entry["published"] = str(published)
        if spec.host_ip:
            entry["host_ip"] = spec.host_ip
        if spec.protocol != "tcp":
            entry["protocol"] = spec.protocol
        return entry
    ip = f"{spec.host_ip}:" if spec.host_ip else ""
    protocol = f"/{spec.protocol}" if spec.protocol != "tcp" else ""
    host = f"{ip}{published}:" if published is not None else ""
    return f"{host}{target}{protocol}"


def allocator_of(data: Mapping[str, Any]) -> Allocator:
    subnets: dict[str, list[ipaddress.IPv4Network]] = {}
    for name, network in (data.get("networks") or {}).items():
        for config in ((network or {}).get("ipam") or {}).get("config") or []:
            try:
                subnet = ipaddress.IPv4Network(str(config.get("subnet")), strict=False)
            except ValueError:
                continue  # IPv6, or a variable
            subnets.setdefault(name, []).append(subnet)
    addresses = set()
    ports: set[tuple[int, str]] = set()
    for service in (data.get("services") or {}).values():
        if not isinstance(service, dict):
            continue
        networks = service.get("networks")
        for settings in networks.values() if isinstance(networks, dict) else ():
            try:
                addresses.add(ipaddress.IPv4Address(str((settings or {}).get("ipv4_address"))))
            except ValueError:
                continue
        for entry in service.get("ports") or []:
            spec = parse_port(entry)
            if spec:
                ports |= {(port, spec.protocol) for port in spec.published_ports()}
    return Allocator(subnets, addresses, ports)


def _set_env(environment: Any, values: Mapping[str, str]) -> Any:
    """`environment` with `values` set, in its own form (a KEY=value list or a mapping)."""
    if isinstance(environment, dict):
        return {**environment, **values}
    items = list(environment or [])
    done = set()
    for i, item in enumerate(items):
        key = str(item).partition("=")[0].strip()
        if key in values:
            items[i] = f"{key}={values[key]}"
            done.add(key)
    return items + [f"{k}={v}" for k, v in values.items() if k not in done]


def _copied_env(
    registry: Registry, inst: Instance, template: Mapping[str, Any], reads: ServiceReads
) -> dict[str, str]:
    """The variables to set in the copy: every one the type reads, per instance."""
    env = environment_of(template)
    role = registry.services[inst.service_name].role
    old_instance = env.get("SERVICE_INSTANCE_NAME", "")
    defaults = _default_values(registry, inst, reads)
    first_url = {
        kind: next((env[n] for n, k in reads.variables.items() if k == kind and env.get(n)), "")
        for kind in ("postgres_url", "redis_url")
    }
    values: dict[str, str] = {}
    # Another variable naming the old instance (an adapter's copy of it) names the new one;
    # not a singleton's, whose instance name is its SERVICE_NAME.
    if old_instance and old_instance != inst.service_name:
        values.update({name: inst.instance_name for name, v in env.items() if v == old_instance})
    per_instance = {"instance", "http_port", "schema", "namespace"}
    for name, kind in reads.variables.items():
        current = env.get(name, "")
        if kind in per_instance:
            values[name] = defaults[kind]
        elif kind == "postgres_url":
            url = current or first_url["postgres_url"]
            values[name] = (
                instance_postgres_url(url, role, inst.schema_name, reads.asyncpg)
                if url
                else defaults[kind]
            )
        elif kind == "redis_url":
            values[name] = current or first_url["redis_url"] or defaults[kind]
        elif not current:
            values[name] = defaults[kind]
    return values


def _role_mismatch(
    registry: Registry, inst: Instance, key: str, template: Mapping[str, Any], reads: ServiceReads
) -> str | None:
    role = registry.services[inst.service_name].role
    env = environment_of(template)
    for name, kind in reads.variables.items():
        user = url_user(env.get(name, "")) if kind == "postgres_url" else None
        if user and user != role:
            return (
                f"{registry.path}:{inst.line}: instance {inst.instance_name}: the compose service "
                f"{key} connects to PostgreSQL as {user} ({name}) but the registry grants the "
                f"schema to {role}; set `db_role: {user}` on {inst.service_name}"
            )
    return None


def copied_service(
    registry: Registry,
    inst: Instance,
    template: Mapping[str, Any],
    allocator: Allocator,
) -> dict[str, Any]:
    """The type's compose service with this instance's values (see the module docstring)."""
    service = copy.deepcopy(dict(template))
    reads = reads_of(registry.services[inst.service_name])
    old_port = environment_of(template).get("HTTP_PORT", "")
    service["container_name"] = inst.container_name
    service["environment"] = _set_env(
        service.get("environment"), _copied_env(registry, inst, template, reads)
    )
    service["volumes"] = _instance_volumes(service.get("volumes") or [], inst)
    if isinstance(service.get("networks"), dict):
        service["networks"] = _networks(service["networks"], allocator)
    if "ports" in service:
        service["ports"] = _ports(service["ports"], allocator, old_port, _http_port(inst))
        if not service["ports"]:
            del service["ports"]
    if old_port and old_port != _http_port(inst) and isinstance(service.get("healthcheck"), dict):
        test = service["healthcheck"].get("test")
        before, after = f"localhost:{old_port}", f"localhost:{_http_port(inst)}"
        if isinstance(test, list):
            service["healthcheck"]["test"] = [str(t).replace(before, after) for t in test]
        elif isinstance(test, str):
            service["healthcheck"]["test"] = test.replace(before, after)
    return service


def _instance_volumes(entries: list[Any], inst: Instance) -> list[Any]:
    """The type's mounts with the instance's data and logs directories at their targets."""
    hosts = {v.container: _host_path(v.host) for v in inst.volumes.values()}
    out, seen = [], set()
    for entry in entries:
        target = mount(entry)[1].rstrip("/")
        if target in VOLUME_KINDS and target in hosts:
            seen.add(target)
            if isinstance(entry, dict):
                entry = {**entry, "source": hosts[target]}
            else:  # keep its options (`:ro`, `:z`)
                entry = ":".join([hosts[target], target, *str(entry).split(":")[2:]])
        out.append(entry)
    out += [f"{host}:{target}" for target, host in sorted(hosts.items()) if target not in seen]
    return out


def _networks(networks: dict[str, Any], allocator: Allocator) -> dict[str, Any]:
    out = {}
    for name, settings in networks.items():
        settings = dict(settings or {})
        settings.pop("ipv6_address", None)
        if "ipv4_address" in settings:
            address = allocator.address(name, str(settings["ipv4_address"]))
            if address:
                settings["ipv4_address"] = address
            else:  # no subnet to allocate in: Docker assigns one
                del settings["ipv4_address"]
        out[name] = settings
    return out


def _ports(entries: list[Any], allocator: Allocator, old: str, new: str) -> list[Any]:
    """Host ports re-allocated above the type's own, the container port following HTTP_PORT;
    a mapping that cannot be (a range, a variable) is dropped."""
    out = []
    for entry in entries:
        spec = parse_port(entry)
        if spec is None or not spec.target.isdigit():
            continue
        target = new if spec.target == old else spec.target
        if not spec.published:
            out.append(entry if target == spec.target else _port_entry(spec, None, target))
            continue
        ports = spec.published_ports()
        port = allocator.port(ports[0], spec.protocol) if len(ports) == 1 else None
        if port is not None:
            out.append(_port_entry(spec, port, target))
    return out


# ---------------------------------------------------------------------------------------------
# The compose files


@dataclass
class ComposeFiles:
    """The merged compose files as written (variables kept) and the instances they run."""

    data: dict[str, Any]
    instances: set[str]  # SERVICE_INSTANCE_NAME of every service
    templates: dict[str, str]  # service type → the compose service to copy

    @property
    def services(self) -> dict[str, Any]:
        return self.data.get("services") or {}


def _plain(node: Any) -> Any:
    if isinstance(node, dict):
        return {str(k): _plain(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_plain(v) for v in node]
    return node


def read_compose(files: Sequence[str | os.PathLike[str]], default_port: int) -> ComposeFiles:
    found = load_compose(list(files), default_port)  # validates the files, interpolated
    merged: Any = None
    list_env: set[str] = set()  # services whose environment some file writes as a list
    for path in files:
        data, _, _ = load_yaml(read_text(Path(path)), str(path), "a compose file (services: …)")
        for key, service in ((data or {}).get("services") or {}).items():
            if isinstance(service, dict) and isinstance(service.get("environment"), list):
                list_env.add(key)
        merged = data if merged is None else merge_files(merged, data)
    plain = _plain(merged or {})
    for key in list_env:  # a merge turns environments into mappings: back to their form
        service = plain["services"][key]
        if isinstance(service.get("environment"), dict):
            service["environment"] = [f"{k}={v}" for k, v in service["environment"].items()]
    templates: dict[str, str] = {}
    for item in found:
        key = (item.address or "").rpartition(":")[0]
        if item.service not in templates or key == item.service:
            templates[item.service] = key
    return ComposeFiles(plain, {item.name for item in found}, templates)


def needs_service(inst: Instance, compose: ComposeFiles | None) -> bool:
    """Declared in instances.yaml, addressed by a compose service name, and run by none."""
    if "yaml" not in inst.source.split(","):
        return False  # only in a compose file or in Redis: it runs already
    if not _SERVICE_KEY.match(_service_key(inst)):
        return False
    if compose is None:
        return _service_key(inst) != inst.service_name
    return inst.instance_name not in compose.instances


def instance_services(
    registry: Registry, compose_files: Sequence[str | os.PathLike[str]] = ()
) -> dict[str, Any]:
    """The compose service of every instance that lacks one, by service key."""
    compose = read_compose(compose_files, registry.defaults.metrics_port) if compose_files else None
    allocator = allocator_of(compose.data) if compose else Allocator({}, set(), set())
    taken = set(compose.services) if compose else {*INFRASTRUCTURE, *registry.services}
    services: dict[str, Any] = {}
    for inst in registry.instances:
        if not needs_service(inst, compose):
            continue
        key = _service_key(inst)
        if key in taken or key in services:
            raise InputError(
                f"{registry.path}:{inst.line}: instance {inst.instance_name}: its address "
                f"{inst.address} names the compose service {key}, which runs something else; "
                f"give it an address of its own (e.g. {inst.instance_name}:{_http_port(inst)})"
            )
        template_key = compose.templates.get(inst.service_name) if compose else None
        if compose and template_key:
            template = compose.services[template_key]
            reads = reads_of(registry.services[inst.service_name])
            problem = _role_mismatch(registry, inst, template_key, template, reads)
            if problem:
                raise InputError(problem)
            services[key] = copied_service(registry, inst, template, allocator)
        else:
            services[key] = table_service(registry, inst)
    return services


def own_output_excluded(
    compose_files: Sequence[str | os.PathLike[str]], out: str | os.PathLike[str]
) -> list[str | os.PathLike[str]]:
    """The compose files without the one this command writes (reading it back would make its
    instances look run by the orchestrator, and the file would be removed)."""
    own = (Path(out) / INSTANCES).resolve()
    return [f for f in compose_files if Path(f).resolve() != own]


def render_instances(
    registry: Registry, compose_files: Sequence[str | os.PathLike[str]] = ()
) -> dict[str, bytes]:
    """{INSTANCES: …} when some instance lacks a compose service, else nothing."""
    services = instance_services(registry, compose_files)
    if not services:
        return {}
    return {INSTANCES: dump_yaml({"services": services}, "tsedash deploy")}

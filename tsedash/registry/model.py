"""The typed registry: what every later stage (queries, dashboards, configs) reads."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from tsedash.registry.derivation import Derivation
from tsedash.registry.problems import Problem
from tsedash.spec import FOLDER_TITLE, FOLDER_UID

MetricType = Literal["counter", "gauge"]
MetricState = Literal["exposed", "planned"]
Language = Literal["go", "python"]


@dataclass(frozen=True)
class GrafanaDatasource:
    """A datasource the user's Grafana has (`tsedash pull --datasources` lists them): what old
    dashboards' datasource names resolve to when they are migrated."""

    name: str
    uid: str
    type: str
    default: bool = False


@dataclass(frozen=True)
class Datasource:
    uid: str
    name: str
    url: str
    # The datasources of the user's Grafana (`datasource.grafana`); the registry's own one is
    # always known besides them.
    grafana: tuple[GrafanaDatasource, ...] = ()


@dataclass(frozen=True)
class Defaults:
    metrics_port: int = 8080
    metrics_path: str = "/metrics"
    container_prefix: str = "trading-ecosystem-"
    # The dashboards read the generated recording rules (deploy/prometheus/rules/
    # tsedash-recording.yml) instead of raw series: for a Prometheus that loads those rules.
    recording_rules: bool = False


@dataclass(frozen=True)
class Metric:
    """A domain metric a service type exposes; `by` lists labels kept when aggregating."""

    name: str
    title: str
    type: MetricType
    unit: str = "short"
    by: tuple[str, ...] = ()
    description: str = ""
    state: MetricState = "exposed"  # planned: declared by the plan, exposed by no service yet
    flow_to: str = ""  # a label naming the callee: an outbound metric for the flow panel
    stall_alert: bool = False  # alert when this exposed counter stops increasing

    @property
    def planned(self) -> bool:
        return self.state == "planned"


@dataclass(frozen=True)
class AlertThresholds:
    error_ratio: float = 0.05  # share of requests answered with a server error (5xx)
    latency_p95_seconds: float = 1.0
    # Share of requests answered with a client error (4xx) that alerts; None: no such alert
    # (favicon requests and scanners' 404s are the callers' doing, not the service's).
    client_error_ratio: float | None = None


@dataclass(frozen=True)
class Folder:
    """The Grafana folder of the dashboards: the file provider's and push's."""

    uid: str = FOLDER_UID
    title: str = FOLDER_TITLE
    parent: str = ""  # a parent folder's uid: nested under it (push creates it there)


@dataclass(frozen=True)
class Links:
    grafana_url: str = "http://localhost:3000"  # Grafana's root URL, for alert annotations
    runbooks_url: str = "docs/runbooks.md"


@dataclass(frozen=True)
class Scaling:
    """`scaling:` how many Prometheus shards share the instances (docs/scaling.md), the global
    store they remote-write to, and the recording rules' own interval (empty: Prometheus'
    evaluation interval)."""

    shards: int = 1
    global_url: str = ""
    recording_interval: str = ""


@dataclass(frozen=True)
class ServiceType:
    name: str  # SERVICE_NAME, also the Prometheus `job` label
    category: str
    singleton: bool = False
    metrics: tuple[Metric, ...] = ()
    derivation: Derivation = "seed-go"
    language: Language = "go"
    metrics_path: str = ""  # empty: the registry's default metrics_path
    readiness: bool = False  # serves service_dependency_ready (after GET /api/v1/ready)
    alerts: AlertThresholds = AlertThresholds()
    line: int = 0
    db_role: str = ""  # PostgreSQL role granted the schema; default <service>_adapter
    migrate_tables: tuple[str, ...] = ()  # public.<table> moved into each instance's schema
    # Warning codes accepted for every instance of this type, each with the reason.
    acknowledge: dict[str, str] = field(default_factory=dict, compare=False, hash=False)

    @property
    def role(self) -> str:
        return self.db_role or f"{self.name.replace('-', '_')}_adapter"


@dataclass(frozen=True)
class Volume:
    host: str
    container: str


@dataclass(frozen=True)
class Instance:
    """One running instance with every name derived (or overridden) from its identity."""

    service_name: str
    instance_name: str  # SERVICE_INSTANCE_NAME, also the Prometheus `instance` label
    singleton: bool
    category: str
    schema_name: str
    redis_namespace: str
    discovery_key: str
    container_name: str
    address: str
    volumes: dict[str, Volume]
    line: int = 0
    schema_overridden: bool = False
    namespace_overridden: bool = False
    source: str = "yaml"  # yaml · compose:<file> · redis
    source_file: str = ""  # where `line` points, when not the registry file
    derivation: Derivation = "seed-go"  # the rule that derived schema and namespace
    acknowledge: dict[str, str] = field(default_factory=dict, compare=False, hash=False)
    # Line of each key written in the registry ("name", "schema", …), for precise messages.
    key_lines: dict[str, int] = field(default_factory=dict, compare=False, hash=False, repr=False)

    def line_of(self, key: str) -> int:
        return self.key_lines.get(key, self.line)

    def as_contract(self) -> dict[str, object]:
        """The `registry show --format json` object (docs/registry.md)."""
        return {
            "service_name": self.service_name,
            "instance_name": self.instance_name,
            "singleton": self.singleton,
            "category": self.category,
            "schema_name": self.schema_name,
            "redis_namespace": self.redis_namespace,
            "discovery_key": self.discovery_key,
            "container_name": self.container_name,
            "address": self.address,
            "source": self.source,
            "derivation": self.derivation,
            "volumes": {
                kind: {"host": v.host, "container": v.container}
                for kind, v in sorted(self.volumes.items())
            },
        }


@dataclass(frozen=True)
class InfraJob:
    """An infrastructure scrape job shown in the "Infrastructure Services Health" panel."""

    job: str
    address: str
    line: int = 0


@dataclass(frozen=True)
class Registry:
    path: str
    version: int
    datasource: Datasource
    defaults: Defaults
    categories: dict[str, str]  # key → row title, in registry order
    infrastructure: tuple[InfraJob, ...]
    services: dict[str, ServiceType]  # in registry order
    instances: tuple[Instance, ...]  # in registry order
    warnings: tuple[Problem, ...] = field(default=())

    links: Links = Links()
    folder: Folder = Folder()
    scaling: Scaling = Scaling()

    def instances_of(self, service_name: str) -> list[Instance]:
        return [i for i in self.instances if i.service_name == service_name]

    def services_in(self, category: str) -> list[ServiceType]:
        return [s for s in self.services.values() if s.category == category]

    def metrics_path(self, service: ServiceType) -> str:
        return service.metrics_path or self.defaults.metrics_path

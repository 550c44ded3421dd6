"""A complete compose service for an instance the orchestrator's compose file lacks
(`deploy/docker-compose.instances.yml`), checked with the real Docker Compose v2."""

from __future__ import annotations

import ipaddress
import json
import re
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from tsedash.deploy import render_deploy
from tsedash.deploy.instances import (
    INSTANCES,
    READS,
    Allocator,
    Kind,
    instance_services,
    parse_port,
    render_instances,
)
from tsedash.deploy.sql import schema_scripts
from tsedash.errors import InputError
from tsedash.processes import ProcessGroup, find_program
from tsedash.registry import Instance, Registry, load_registry, load_sources

from .conftest import ROOT, Result
from .services import start_postgres
from .test_deploy import ORCHESTRATOR, Pg, compose_run

RunCli = Callable[..., Result]
COMPOSE = ORCHESTRATOR / "docker-compose.yml"
# One new instance of every non-singleton type; market-data's on another port.
NEW = """\
  - {service: exchange-simulator, name: exchange-coinbase, address: "exchange-coinbase:8080"}
  - {service: custodian-simulator, name: custodian-anchorage,
     address: "custodian-anchorage:8080"}
  - {service: market-data-simulator, name: market-data-kaiko, address: "md-kaiko:9000"}
  - {service: risk-monitor, name: risk-monitor-b, address: "risk-monitor-b:8080"}
  - {service: trading-system-engine, name: trading-engine-alpha,
     address: "trading-engine-alpha:8080"}
"""
NEW_NAMES = {
    "exchange-coinbase",
    "custodian-anchorage",
    "market-data-kaiko",
    "risk-monitor-b",
    "trading-engine-alpha",
}
PER_INSTANCE: set[Kind] = {"instance", "http_port", "schema", "namespace", "postgres_url"}
# The passwords a service written without a compose file takes from the environment.
ROLES = ("EXCHANGE", "CUSTODIAN", "MARKET_DATA", "RISK", "TRADING")
PASSWORDS = {f"{role}_ADAPTER_{kind}_PASSWORD": "pw" for role in ROLES for kind in ("DB", "REDIS")}


def _registry_file(tmp_path: Path, extra: str = NEW) -> Path:
    path = tmp_path / "instances.yaml"
    path.write_text((ROOT / "instances.yaml").read_text() + extra)
    return path


@pytest.fixture
def registry(tmp_path: Path) -> Registry:
    return load_registry(_registry_file(tmp_path))


def _new(reg: Registry) -> list[Instance]:
    return [i for i in reg.instances if i.instance_name in NEW_NAMES]


def _key(inst: Instance) -> str:
    return inst.address.rpartition(":")[0]


def _write(tmp_path: Path, files: dict[str, bytes]) -> Path:
    path = tmp_path / "tsedash" / "deploy" / INSTANCES
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(files[INSTANCES])
    return path


def _merged(tmp_path: Path, *files: Path, env: dict[str, str] | None = None) -> dict[str, Any]:
    """The orchestrator's compose file, the observability overlay and `files`, merged."""
    overlay = tmp_path / "tsedash" / "deploy" / "docker-compose.observability.yml"
    overlay.parent.mkdir(parents=True, exist_ok=True)
    overlay.write_bytes(render_deploy(load_registry(ROOT / "instances.yaml"))[overlay.name])
    res = compose_run(
        COMPOSE, overlay, *files, env={"TSEDASH_DIR": str(tmp_path / "tsedash"), **(env or {})}
    )
    assert res.returncode == 0, res.stderr
    return json.loads(res.stdout)


def _mounts(service: dict[str, Any]) -> dict[str, str]:
    return {v["target"]: v.get("source", "") for v in service.get("volumes", [])}


def _no_two_alike(services: dict[str, Any]) -> None:
    """No static IP, published host port or container name is used twice."""
    ips = [
        net["ipv4_address"]
        for svc in services.values()
        for net in (svc.get("networks") or {}).values()
        if net and net.get("ipv4_address")
    ]
    assert len(ips) == len(set(ips)), sorted(ips)
    ports = [
        (p["published"], p.get("protocol", "tcp"))
        for svc in services.values()
        for p in svc.get("ports") or []
        if p.get("published")
    ]
    assert len(ports) == len(set(ports)), sorted(ports)
    names = [svc["container_name"] for svc in services.values() if "container_name" in svc]
    assert len(names) == len(set(names)), sorted(names)


def _expected(reg: Registry, inst: Instance, kind: Kind) -> str | None:
    return {
        "instance": inst.instance_name,
        "service": inst.service_name,
        "schema": inst.schema_name,
        "namespace": inst.redis_namespace,
        "http_port": inst.address.rpartition(":")[2],
    }.get(kind)


def _check_reads(reg: Registry, inst: Instance, env: dict[str, str]) -> None:
    """Every variable the type's configuration code reads is set, to this instance's values."""
    reads = READS[inst.service_name]
    assert set(reads.variables) <= set(env), set(reads.variables) - set(env)
    role = reg.services[inst.service_name].role
    for name, kind in reads.variables.items():
        want = _expected(reg, inst, kind)
        if want is not None:
            assert env[name] == want, (inst.instance_name, name)
        if kind == "postgres_url":
            assert re.match(rf"postgres(ql\+asyncpg)?://{role}:", env[name]), env[name]
            option = f"options=-c%20search_path%3D{inst.schema_name}%2Cpublic"
            # lib/pq (Go) sends `options` to the server; asyncpg under SQLAlchemy refuses it.
            assert (option in env[name]) is (reads.language == "go"), env[name]
        if kind == "redis_url":
            assert env[name].startswith(f"redis://{role.replace('_', '-')}:"), env[name]


def test_copied_services_merge_into_the_orchestrators_compose(
    tmp_path: Path, registry: Registry
) -> None:
    instances = _write(tmp_path, render_instances(registry, [COMPOSE]))
    alone = compose_run(COMPOSE, env={})
    assert alone.returncode == 0, alone.stderr
    before = json.loads(alone.stdout)["services"]
    merged = _merged(tmp_path, instances)["services"]
    assert set(merged) - set(before) == {
        "cadvisor",
        "tsedash-expected",
        *(_key(i) for i in _new(registry)),
    }
    for name, service in before.items():  # the orchestrator's own services are untouched
        if name not in ("prometheus", "grafana"):
            assert merged[name] == service, name
    for inst in _new(registry):
        mine, template = merged[_key(inst)], before[inst.service_name]
        env, theirs = mine["environment"], template["environment"]
        _check_reads(registry, inst, env)
        # Only the per-instance variables differ from the type's service.
        reads = READS[inst.service_name]
        per_instance = {n for n, k in reads.variables.items() if k in PER_INSTANCE}
        changed = {n for n in env if env[n] != theirs.get(n)}
        per_instance |= {n for n in theirs if theirs[n] == theirs["SERVICE_INSTANCE_NAME"]}
        assert changed <= per_instance, changed - per_instance
        assert mine["container_name"] == f"trading-ecosystem-{inst.instance_name}"
        volumes = ORCHESTRATOR / "volumes" / inst.instance_name
        assert _mounts(mine) == {
            "/app/data": str(volumes / "data"),
            "/app/logs": str(volumes / "logs"),
        }
        # A static IP of its own in the orchestrator's subnet, host ports of its own.
        address = mine["networks"]["trading-ecosystem"]["ipv4_address"]
        assert ipaddress.ip_address(address) in ipaddress.ip_network("172.20.0.0/16")
        assert address != template["networks"]["trading-ecosystem"]["ipv4_address"]
        assert len(mine["ports"]) == len(template["ports"]) == 2
        port = inst.address.rpartition(":")[2]
        assert {p["target"] for p in mine["ports"]} == {int(port), 50051}
        # Everything else is the type's service as the orchestrator defines it.
        same = {"build", "image", "depends_on", "restart", "command", "entrypoint"}
        assert {k: mine.get(k) for k in same} == {k: template.get(k) for k in same}
        test = [
            t.replace(f"localhost:{port}", "localhost:8080") for t in mine["healthcheck"]["test"]
        ]
        assert {**mine["healthcheck"], "test": test} == template["healthcheck"]
    kaiko = merged["md-kaiko"]
    assert kaiko["environment"]["HTTP_PORT"] == "9000"
    assert "http://localhost:9000/api/v1/health" in " ".join(kaiko["healthcheck"]["test"])
    # market-data's orchestrator service sets no namespace variables; the new one has them.
    assert "CACHE_NAMESPACE" not in before["market-data-simulator"]["environment"]
    assert kaiko["environment"]["CACHE_NAMESPACE"] == "market_data:kaiko"
    _no_two_alike(merged)


def test_the_copy_keeps_the_written_form(tmp_path: Path, registry: Registry) -> None:
    copied = yaml.safe_load(render_instances(registry, [COMPOSE])[INSTANCES])["services"]
    coinbase = copied["exchange-coinbase"]
    # A list stays a list, in the orchestrator's order, the added variables at the end.
    assert coinbase["environment"][:2] == [
        "SERVICE_NAME=exchange-simulator",
        "SERVICE_INSTANCE_NAME=exchange-coinbase",
    ]
    assert coinbase["environment"][-2:] == [
        "SCHEMA_NAME=exchange_coinbase",
        "REDIS_NAMESPACE=exchange:coinbase",
    ]
    assert coinbase["ports"] == ["127.0.0.1:8089:8080", "127.0.0.1:50059:50051"]
    assert coinbase["networks"] == {"trading-ecosystem": {"ipv4_address": "172.20.0.83"}}
    # The same service written as a mapping: a mapping comes out, with the same values.
    data = yaml.safe_load(COMPOSE.read_text())
    service = data["services"]["exchange-simulator"]
    service["environment"] = dict(e.split("=", 1) for e in service["environment"])
    service["ports"] = [
        {"target": 8080, "published": "8084", "host_ip": "127.0.0.1"},
        {"target": 50051, "published": "50054", "host_ip": "127.0.0.1"},
    ]
    mapping = tmp_path / "orchestrator" / "docker-compose.yml"
    mapping.parent.mkdir()
    mapping.write_text(yaml.safe_dump(data, sort_keys=False))
    from_mapping = yaml.safe_load(render_instances(registry, [mapping])[INSTANCES])
    mine = from_mapping["services"]["exchange-coinbase"]
    assert mine["environment"] == dict(e.split("=", 1) for e in coinbase["environment"])
    assert mine["ports"] == [
        {"target": 8080, "published": "8089", "host_ip": "127.0.0.1"},
        {"target": 50051, "published": "50059", "host_ip": "127.0.0.1"},
    ]
    instances = _write(tmp_path, {INSTANCES: yaml.safe_dump(from_mapping).encode()})
    res = compose_run(mapping, instances, env={}, cwd=mapping.parent)
    assert res.returncode == 0, res.stderr
    merged = json.loads(res.stdout)["services"]
    inst = _by_name(registry, "exchange-coinbase")
    _check_reads(registry, inst, merged["exchange-coinbase"]["environment"])
    _no_two_alike(merged)


def _by_name(reg: Registry, name: str) -> Instance:
    return next(i for i in reg.instances if i.instance_name == name)


def test_the_registry_reads_the_new_services_back(tmp_path: Path) -> None:
    path = _registry_file(tmp_path)
    instances = _write(tmp_path, render_instances(load_registry(path), [COMPOSE]))
    merged = load_sources(path, [COMPOSE, instances]).registry
    for inst in _new(merged):
        assert inst.source == f"yaml,compose:{instances}", inst.source
        declared = _by_name(load_registry(path), inst.instance_name)
        assert (inst.address, inst.container_name, inst.volumes) == (
            declared.address,
            declared.container_name,
            declared.volumes,
        )


def test_without_a_compose_file_every_variable_comes_from_the_registry(
    tmp_path: Path, registry: Registry
) -> None:
    written = yaml.safe_load(render_instances(registry)[INSTANCES])["services"]
    assert set(written) == {_key(i) for i in _new(registry)}
    instances = _write(tmp_path, render_instances(registry))
    merged = _merged(tmp_path, instances, env=PASSWORDS)["services"]
    for inst in _new(registry):
        mine = merged[_key(inst)]
        env = mine["environment"]
        _check_reads(registry, inst, env)
        assert env["POSTGRES_URL"].split("@")[1].startswith("172.20.0.20:5432/trading_ecosystem")
        assert env["REDIS_URL"].endswith("@172.20.0.10:6379/0")
        assert mine["image"] == f"{inst.service_name}:latest"
        assert mine["networks"] == {"trading-ecosystem": None}  # Docker assigns the address
        assert "ports" not in mine
        assert set(mine["depends_on"]) == {"redis", "postgres", "service-registry"}
    coinbase = merged["exchange-coinbase"]["environment"]
    assert coinbase["POSTGRES_URL"] == (
        "postgres://exchange_adapter:pw@172.20.0.20:5432/trading_ecosystem?sslmode=disable"
        "&options=-c%20search_path%3Dexchange_coinbase%2Cpublic"
    )
    assert coinbase["CONFIG_SERVICE_URL"] == "http://172.20.0.30:8080"
    alpha = merged["trading-engine-alpha"]["environment"]
    assert alpha["TRADING_ADAPTER_POSTGRES_SCHEMA"] == "trading_engine_alpha"
    assert alpha["SERVICE_REGISTRY_URL"] == "http://172.20.0.30:8080"
    _no_two_alike(merged)
    # A password left unset stops Compose, naming it.
    missing = {k: v for k, v in PASSWORDS.items() if k != "EXCHANGE_ADAPTER_DB_PASSWORD"}
    overlay = tmp_path / "tsedash" / "deploy" / "docker-compose.observability.yml"
    res = compose_run(
        COMPOSE, overlay, instances, env={"TSEDASH_DIR": str(tmp_path / "tsedash"), **missing}
    )
    assert res.returncode != 0
    assert "set EXCHANGE_ADAPTER_DB_PASSWORD to the password of the PostgreSQL role" in res.stderr


def test_instances_the_orchestrator_runs_need_no_service(tmp_path: Path) -> None:
    shipped = load_registry(ROOT / "instances.yaml")
    assert instance_services(shipped) == {}
    assert instance_services(shipped, [COMPOSE]) == {}
    assert INSTANCES not in render_deploy(shipped)
    # Not in the registry file (only in compose or Redis), or at a host outside the stack.
    elsewhere = load_registry(
        _registry_file(
            tmp_path,
            '  - {service: exchange-simulator, name: exchange-ext, address: "10.1.2.3:8080"}\n'
            '  - {service: exchange-simulator, name: exchange-dns, address: "okx.example:8080"}\n',
        )
    )
    assert instance_services(elsewhere) == {} and instance_services(elsewhere, [COMPOSE]) == {}


def test_an_address_naming_another_service_is_refused(tmp_path: Path) -> None:
    line = '  - {service: exchange-simulator, name: exchange-coinbase, address: "grafana:8080"}\n'
    reg = load_registry(_registry_file(tmp_path, line))
    for compose in ([], [COMPOSE]):
        with pytest.raises(InputError) as info:
            instance_services(reg, compose)
        assert str(info.value) == (
            f"{reg.path}:{_by_name(reg, 'exchange-coinbase').line}: instance exchange-coinbase: "
            "its address grafana:8080 names the compose service grafana, which runs something "
            "else; give it an address of its own (e.g. exchange-coinbase:8080)"
        )


def test_a_role_the_compose_service_does_not_use_is_refused(tmp_path: Path) -> None:
    text = (ROOT / "instances.yaml").read_text().replace("    db_role: exchange_adapter\n", "")
    path = tmp_path / "instances.yaml"
    path.write_text(text + NEW)
    reg = load_registry(path)
    assert reg.services["exchange-simulator"].role == "exchange_simulator_adapter"
    with pytest.raises(InputError, match="connects to PostgreSQL as exchange_adapter"):
        instance_services(reg, [COMPOSE])


@pytest.fixture(scope="module")
def pg() -> Iterator[Pg]:
    workdir = Path(tempfile.mkdtemp(prefix="tsedash-pg-"))
    workdir.chmod(0o755)
    group = ProcessGroup(workdir)
    try:
        host, port = start_postgres(group).split(":")
        yield Pg(host, port)
    finally:
        group.stop_all()
        shutil.rmtree(workdir, ignore_errors=True)


def test_the_go_url_puts_the_session_in_the_instances_schema(
    pg: Pg, tmp_path: Path, registry: Registry
) -> None:
    """The URL's `options` reach a real PostgreSQL (libpq reads it as lib/pq does) and win
    over the role's own search_path, which the orchestrator sets per role."""
    for name, text in schema_scripts(registry).items():
        script = tmp_path / Path(name).name
        script.write_text(text)
        assert pg.psql(file=script).returncode == 0
    assert pg.psql("ALTER ROLE exchange_adapter SET search_path = exchange, public").returncode == 0
    env = yaml.safe_load(render_instances(registry, [COMPOSE])[INSTANCES])["services"]
    url = next(
        e.split("=", 1)[1]
        for e in env["exchange-coinbase"]["environment"]
        if e.startswith("POSTGRES_URL=")
    )
    local = url.replace("@172.20.0.20:5432/trading_ecosystem", f"@{pg.host}:{pg.port}/postgres")
    sql = [
        "SHOW search_path",
        "CREATE TABLE orders (id int)",
        "SELECT table_schema FROM information_schema.tables WHERE table_name = 'orders'",
    ]
    args = [find_program("psql"), local, "-v", "ON_ERROR_STOP=1", "-X", "-q", "-A", "-t"]
    res = subprocess.run(
        [*args, *(a for s in sql for a in ("-c", s))],
        capture_output=True,
        text=True,
        check=False,
    )
    assert res.returncode == 0, res.stderr
    assert res.stdout.split() == ["exchange_coinbase,public", "exchange_coinbase"]


def test_parse_port_and_allocation() -> None:
    assert parse_port("127.0.0.1:8084:8080") is not None
    spec = parse_port("127.0.0.1:8084:8080")
    assert spec and (spec.host_ip, spec.published, spec.target) == ("127.0.0.1", "8084", "8080")
    spec = parse_port("6831:6831/udp")
    assert spec and (spec.published, spec.target, spec.protocol) == ("6831", "6831", "udp")
    spec = parse_port("8080")
    assert spec and spec.published == "" and not spec.published_ports()
    spec = parse_port("[::1]:9000:9000")
    assert spec and (spec.host_ip, spec.published) == ("[::1]", "9000")
    spec = parse_port("8000-8002:8000-8002")
    assert spec and list(spec.published_ports()) == [8000, 8001, 8002]
    allocator = Allocator(
        {"net": [ipaddress.IPv4Network("172.20.0.0/29")]},
        {ipaddress.IPv4Address(a) for a in ("172.20.0.5", "172.20.0.6", "172.20.0.2")},
        {(8085, "tcp"), (8086, "tcp")},
    )
    assert allocator.port(8084, "tcp") == 8087
    assert allocator.port(8084, "udp") == 8085  # another protocol, another port space
    # After .5: .6 is taken, .7 is the broadcast, .1 the gateway, .2 taken: .3.
    assert allocator.address("net", "172.20.0.5") == "172.20.0.3"
    assert allocator.address("net", "172.20.0.5") == "172.20.0.4"
    assert allocator.address("net", "172.20.0.5") is None  # full
    assert allocator.address("other", "10.0.0.1") is None  # no subnet known: left out


def test_deploy_with_compose_writes_the_file_and_reads_it_back(
    run_cli: RunCli, tmp_path: Path
) -> None:
    path = _registry_file(tmp_path)
    out = tmp_path / "deploy"
    args = ["deploy", "--registry", str(path), "--out", str(out), "--compose", str(COMPOSE)]
    res = run_cli(*args)
    assert res.exit_code == 0, res.stderr
    written = (out / INSTANCES).read_bytes()
    assert written == render_instances(load_registry(path), [COMPOSE])[INSTANCES]
    # Given back as a compose file, it neither removes itself nor changes.
    res = run_cli(*args, "--compose", str(out / INSTANCES))
    assert res.exit_code == 0, res.stderr
    assert (out / INSTANCES).read_bytes() == written
    assert "12 instances; 0 written" in res.stdout and "0 removed" in res.stdout
    # The registry alone (make dashboards) writes it from what each type reads.
    res = run_cli("deploy", "--registry", str(path), "--out", str(out))
    assert res.exit_code == 0, res.stderr
    assert "${EXCHANGE_ADAPTER_DB_PASSWORD:?" in (out / INSTANCES).read_text()
    # An instance removed from the registry: the file goes with it.
    res = run_cli("deploy", "--registry", str(ROOT / "instances.yaml"), "--out", str(out))
    assert res.exit_code == 0, res.stderr
    assert not (out / INSTANCES).exists()


def test_a_copy_of_a_singletons_service_keeps_its_service_name(tmp_path: Path) -> None:
    text = (ROOT / "instances.yaml").read_text()
    text = text.replace("    singleton: true\n    language: go\n", "    language: go\n", 1)
    path = tmp_path / "instances.yaml"
    path.write_text(
        text + '  - {service: audit-correlator, name: audit-east, address: "audit-east:8080"}\n'
    )
    reg = load_registry(path)
    assert not reg.services["audit-correlator"].singleton
    copied = yaml.safe_load(render_instances(reg, [COMPOSE])[INSTANCES])["services"]["audit-east"]
    env = dict(e.split("=", 1) for e in copied["environment"])
    _check_reads(reg, _by_name(reg, "audit-east"), env)
    assert env["SERVICE_NAME"] == "audit-correlator"  # equal to the old instance name: kept
    assert env["MONGO_URL"] == "mongodb://172.20.0.20:27017/audit_correlator"
    assert env["CONFIGURATION_SERVICE_URL"] == "http://172.20.0.30:8080"  # its default: set
    assert "options=-c%20search_path%3Daudit_east%2Cpublic" in env["POSTGRES_URL"]

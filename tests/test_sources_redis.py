"""Discovery from a real redis-server (Debian), written to as the ecosystem's adapters do."""

from __future__ import annotations

import contextlib
import json
import shutil
import socket
import subprocess
import tempfile
import threading
import time
import tracemalloc
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import redis

from tsedash.processes import ProcessGroup, find_program, free_port, port_open
from tsedash.registry.sources.redis_registry import RedisAuthFailed, RedisUnreachable, discover

from .conftest import ROOT, Result, line_of

RunCli = Callable[..., Result]
ADMIN_PW = "admin-s3cret"
READER_PW = "reader-s3cret"


@pytest.fixture(scope="module")
def redis_port() -> Iterator[int]:
    workdir = Path(tempfile.mkdtemp(prefix="tsedash-redis-"))
    group = ProcessGroup(workdir)
    port = free_port()
    try:
        group.start(
            "redis-server",
            [
                find_program("redis-server"),
                "--port",
                str(port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--requirepass",
                ADMIN_PW,
            ],
            ready=lambda: port_open("127.0.0.1", port),
        )
        admin = redis.Redis(port=port, password=ADMIN_PW)
        # The least a discovery needs: read commands on the services:* keys.
        admin.execute_command(
            "ACL", "SETUSER", "reader", "on", f">{READER_PW}", "~services:*", "+@read", "+scan"
        )
        admin.close()
        yield port
    finally:
        group.stop_all()
        shutil.rmtree(workdir, ignore_errors=True)


@pytest.fixture
def admin(redis_port: int) -> Iterator[redis.Redis]:
    client = redis.Redis(port=redis_port, password=ADMIN_PW)
    client.flushall()
    yield client
    client.close()


def go_json(
    instance: str,
    service: str,
    *,
    status: str = "healthy",
    seen: datetime | None = None,
    tags: bool = False,
) -> str:
    """Go struct field names (`ID`, `Host`, `Port`, `LastSeen`), or their lower-case tags."""
    seen = seen or datetime.now(UTC)
    value: dict[str, Any] = {
        "ID": instance,
        "Name": service,
        "Host": instance.lower(),
        "Port": 8080,
        "Status": status,
        "Metadata": {"service_type": service, "instance_name": instance},
        "LastSeen": seen.strftime("%Y-%m-%dT%H:%M:%S.%f") + "123Z",  # Go: nanoseconds
    }
    if tags:
        value = {k.lower() if k != "LastSeen" else "last_seen": v for k, v in value.items()}
    return json.dumps(value)


def _go_time(when: datetime) -> str:
    return when.strftime("%Y-%m-%dT%H:%M:%S.%f") + "123Z"  # RFC 3339 with nanoseconds


def audit_registration(
    instance: str, service: str, host: str = "3f9c2a7d1b04", seen: datetime | None = None
) -> str:
    """What audit-data-adapter-go's RegisterService writes: models.ServiceRegistration with its
    json tags; host is os.Hostname() (the container's short id); no port or address field."""
    seen = seen or datetime.now(UTC)
    return json.dumps(
        {
            "id": instance,
            "name": service,
            "version": "1.0.0",
            "host": host,
            "grpc_port": 50051,
            "http_port": 8080,
            "status": "healthy",
            "metadata": {
                "environment": "docker",
                "log_level": "info",
                "service_type": service,
                "instance_name": instance,
            },
            "last_seen": _go_time(seen),
            "registered_at": _go_time(seen),
        }
    )


def risk_monitor_hash(host: str, *, instance: str | None = None, age: float = 0) -> dict[str, str]:
    """What risk-monitor's register_service HSETs at registry:services:{service}: every value a
    string, metadata as JSON, timestamps as Unix seconds (floats). Its metadata names no
    instance; `instance` adds the `instance_name` a service naming itself would write."""
    now = time.time() - age
    metadata: dict[str, Any] = {
        "environment": "docker",
        "capabilities": ["http", "grpc", "metrics", "health"],
        "protocols": {"http": f"http://{host}:8080", "grpc": f"{host}:50051"},
    }
    if instance:
        metadata["instance_name"] = instance
    return {
        "name": "risk-monitor",
        "version": "0.1.0",
        "host": host,
        "http_port": "8080",
        "grpc_port": "50051",
        "status": "healthy",
        "metadata": json.dumps(metadata),
        "registered_at": str(now),
        "last_heartbeat": str(now),
    }


def adapter_service_info(namespace_id: str, service: str, address: str, port: int) -> str:
    """The Go data adapters' `{namespace}:service:{id}` value: interfaces.ServiceInfo without
    json tags, so Go's field names."""
    now = _go_time(datetime.now(UTC))
    return json.dumps(
        {
            "ServiceName": service,
            "ServiceID": namespace_id,
            "Address": address,
            "Port": port,
            "Version": "1.0.0",
            "Metadata": {},
            "RegisteredAt": now,
            "LastHeartbeat": now,
        }
    )


def url(port: int, user: str = "default", password: str = ADMIN_PW) -> str:
    return f"redis://{user}:{password}@127.0.0.1:{port}/0"


def test_what_the_real_services_write(admin: redis.Redis, redis_port: int) -> None:
    # audit-correlator at start-up (SET … EX 45, SADD service_index:…)
    admin.set(
        "services:audit-correlator:audit-correlator",
        audit_registration("audit-correlator", "audit-correlator"),
        ex=45,
    )
    admin.sadd("service_index:audit-correlator", "audit-correlator")
    # risk-monitor's hash, keyed by service; one naming its instance, one (host 0.0.0.0) not
    admin.hset(
        "registry:services:risk-monitor",
        mapping=risk_monitor_hash("risk-monitor", instance="risk-monitor-lh"),
    )
    admin.expire("registry:services:risk-monitor", 90)
    admin.hset(
        "registry:services:test-coordinator",
        mapping={**risk_monitor_hash("0.0.0.0"), "name": "test-coordinator"},
    )
    # a Go data adapter's untagged ServiceInfo
    admin.set(
        "exchange:service:exchange-okx",
        adapter_service_info("exchange-okx", "exchange-simulator", "exchange-simulator", 8080),
    )
    # stale: audit-correlator-style registration whose last_seen is 10 minutes old
    admin.set(
        "services:custodian-simulator:custodian-komainu",
        audit_registration(
            "custodian-komainu",
            "custodian-simulator",
            seen=datetime.now(UTC) - timedelta(minutes=10),
        ),
    )
    # an unknown format under a discovery key family, and the orchestrator's static hash
    admin.set("services:market-data-simulator", "market-data-simulator:8080")
    admin.hset(
        "registry:services:redis",
        mapping={"name": "redis", "host": "172.20.0.10", "port": "6379", "status": "healthy"},
    )
    result = discover(url(redis_port))
    assert [(d.service, d.name, d.address) for d in result.found] == [
        ("audit-correlator", "audit-correlator", "3f9c2a7d1b04:8080"),  # host:http_port
        ("exchange-simulator", "exchange-okx", "exchange-simulator:8080"),
        ("redis", "redis", "172.20.0.10:6379"),
        ("risk-monitor", "risk-monitor-lh", "risk-monitor:8080"),
        ("test-coordinator", "test-coordinator", None),  # listens on 0.0.0.0: no address
    ]
    reasons = {s.key: s.reason for s in result.skipped}
    assert reasons == {
        "services:custodian-simulator:custodian-komainu": reasons[
            "services:custodian-simulator:custodian-komainu"
        ],
        "services:market-data-simulator": "key is not services:{service}:{instance}",
    }
    assert reasons["services:custodian-simulator:custodian-komainu"].startswith(
        "stale: last heartbeat 600s ago"
    )
    assert "service_index:audit-correlator" not in reasons  # not a registration family


def test_discovery_with_the_default_registry(
    admin: redis.Redis, redis_port: int, run_cli: RunCli
) -> None:
    admin.set(
        "services:audit-correlator:audit-correlator",
        audit_registration("audit-correlator", "audit-correlator"),
        ex=45,
    )
    admin.hset(
        "registry:services:risk-monitor",
        mapping=risk_monitor_hash("risk-monitor", instance="risk-monitor-lh"),
    )
    admin.hset(
        "registry:services:redis",
        mapping={"name": "redis", "host": "172.20.0.10", "port": "6379", "status": "healthy"},
    )
    res = run_cli(
        "registry",
        "show",
        "--format",
        "json",
        "--registry",
        str(ROOT / "instances.yaml"),
        "--discover",
        url(redis_port),
    )
    assert res.exit_code == 0, res.stderr
    by = {d["instance_name"]: d for d in json.loads(res.stdout)}
    # The registry's address (the compose service) is what Prometheus reaches; Redis agrees.
    assert by["audit-correlator"]["address"] == "audit-correlator:8080"
    assert by["audit-correlator"]["source"] == "yaml,redis"
    assert by["risk-monitor-lh"]["source"] == "yaml,redis"
    assert len(by) == 7
    assert "skipped registry:services:redis: 'redis' is an infrastructure job" in res.stderr
    assert ADMIN_PW not in res.stderr + res.stdout


def test_registrations_are_discovered(admin: redis.Redis, redis_port: int) -> None:
    admin.set(
        "services:audit-correlator:audit-correlator",
        go_json("audit-correlator", "audit-correlator"),
        ex=45,
    )
    admin.set(
        "services:exchange-simulator:exchange-OKX",
        go_json("exchange-OKX", "exchange-simulator", tags=True),
        ex=45,
    )
    admin.hset(
        "services:exchange-simulator:exchange-Binance",
        mapping={
            "id": "exchange-Binance",
            "host": "exchange-binance",
            "port": "8080",
            "status": "healthy",
            "last_seen": str(int(time.time())),
            "metadata": json.dumps({"service_type": "exchange-simulator"}),
        },
    )
    result = discover(url(redis_port))
    assert [(d.service, d.name, d.address) for d in result.found] == [
        ("audit-correlator", "audit-correlator", "audit-correlator:8080"),
        ("exchange-simulator", "exchange-Binance", "exchange-binance:8080"),
        ("exchange-simulator", "exchange-OKX", "exchange-okx:8080"),
    ]
    assert result.skipped == []
    assert ADMIN_PW not in result.url and "***" in result.url


def test_bad_entries_are_reported_and_left_out(admin: redis.Redis, redis_port: int) -> None:
    old = datetime.now(UTC) - timedelta(minutes=10)
    admin.set(
        "services:exchange-simulator:exchange-Stale",
        go_json("exchange-Stale", "exchange-simulator", seen=old),
    )
    admin.set(
        "services:exchange-simulator:exchange-Down",
        go_json("exchange-Down", "exchange-simulator", status="unhealthy"),
    )
    admin.set("services:exchange-simulator:exchange-Junk", "not json {")
    admin.set(
        "services:exchange-simulator:exchange-Other", go_json("exchange-Else", "exchange-simulator")
    )
    admin.rpush("services:exchange-simulator:exchange-List", "x")
    admin.set(
        "services:exchange-simulator:exchange-Gone",
        go_json("exchange-Gone", "exchange-simulator"),
        px=1,
    )
    admin.set(
        "services:exchange-simulator:exchange-OK", go_json("exchange-OK", "exchange-simulator")
    )
    time.sleep(0.05)  # exchange-Gone's TTL runs out: it is left out
    result = discover(url(redis_port))
    assert [d.name for d in result.found] == ["exchange-OK"]
    reasons = {s.key.rsplit(":", 1)[1]: s.reason for s in result.skipped}
    assert reasons["exchange-Stale"].startswith("stale: last heartbeat 600s ago")
    assert reasons["exchange-Down"] == "status 'unhealthy' is not healthy"
    assert reasons["exchange-Junk"] == "value is not JSON"
    assert (
        reasons["exchange-Other"]
        == "value says exchange-simulator/exchange-Else, key says exchange-simulator/exchange-Other"
    )
    assert reasons["exchange-List"] == "a list, not a string or hash"
    assert "exchange-Gone" not in reasons and "exchange-Gone" not in [d.name for d in result.found]


def test_stale_after_is_configurable(admin: redis.Redis, redis_port: int) -> None:
    seen = datetime.now(UTC) - timedelta(seconds=30)
    admin.set(
        "services:exchange-simulator:exchange-A",
        go_json("exchange-A", "exchange-simulator", seen=seen),
    )
    assert [d.name for d in discover(url(redis_port)).found] == ["exchange-A"]
    assert discover(url(redis_port), stale_after=10).found == []


def test_acl_user_limited_to_services_keys(admin: redis.Redis, redis_port: int) -> None:
    admin.set("services:exchange-simulator:exchange-A", go_json("exchange-A", "exchange-simulator"))
    admin.set("secret:thing", "x")
    reader = redis.Redis(port=redis_port, username="reader", password=READER_PW)
    with pytest.raises(redis.exceptions.NoPermissionError):
        reader.get("secret:thing")  # the user really is limited
    reader.close()
    assert [d.name for d in discover(url(redis_port, "reader", READER_PW)).found] == ["exchange-A"]


def test_wrong_password_and_unreachable(run_cli: RunCli, redis_port: int) -> None:
    with pytest.raises(RedisAuthFailed):
        discover(url(redis_port, password="wrong-pass"))
    res = run_cli(
        "registry",
        "show",
        "--registry",
        str(ROOT / "instances.yaml"),
        "--discover",
        url(redis_port, password="wrong-pass"),
    )
    assert res.exit_code == 2
    assert "authentication failed" in res.stderr and "wrong-pass" not in res.stderr
    dead = f"redis://default:{ADMIN_PW}@127.0.0.1:{free_port()}/0"
    with pytest.raises(RedisUnreachable):
        discover(dead, timeout=1)
    res = run_cli(
        "registry", "show", "--registry", str(ROOT / "instances.yaml"), "--discover", dead
    )
    assert res.exit_code == 3
    assert "cannot reach Redis" in res.stderr and ADMIN_PW not in res.stderr


def test_show_with_compose_and_redis_has_source_column(
    admin: redis.Redis, redis_port: int, run_cli: RunCli
) -> None:
    admin.set(
        "services:exchange-simulator:exchange-Coinbase",
        go_json("exchange-Coinbase", "exchange-simulator"),
        ex=45,
    )
    admin.set(
        "services:exchange-simulator:exchange-OKX",
        go_json("exchange-OKX", "exchange-simulator"),
        ex=45,
    )
    compose = ROOT / "tests" / "fixtures" / "compose" / "docker-compose.yml"
    args = [
        "registry",
        "show",
        "--registry",
        str(ROOT / "tests" / "fixtures" / "seed-registry.yaml"),
        "--compose",
        str(compose),
        "--discover",
        url(redis_port),
    ]
    res = run_cli(*args, "--format", "json")
    # Redis says exchange-okx:8080, compose exchange-okx:9001 (its HTTP_PORT): another port is
    # another endpoint, so the registration is skipped, named, and the file's address is kept.
    assert res.exit_code == 0, res.stderr
    by = {d["instance_name"]: d for d in json.loads(res.stdout)}
    assert by["exchange-OKX"]["address"] == "exchange-okx:9001"
    assert by["exchange-OKX"]["source"] == f"yaml,compose:{compose}"
    seed = ROOT / "tests" / "fixtures" / "seed-registry.yaml"
    okx_line = line_of(seed.read_text(), "name: exchange-OKX}")
    assert (
        "skipped services:exchange-simulator:exchange-OKX: address exchange-okx:8080 "
        f"contradicts exchange-OKX's exchange-okx:9001 in yaml,compose:{compose} "
        f"({seed}:{okx_line}): another port; the registry's address is kept\n"
    ) in res.stderr
    assert by["exchange-Coinbase"]["source"] == "redis"
    assert by["exchange-Coinbase"]["address"] == "exchange-coinbase:8080"
    table = run_cli(*args, "-o", "wide")  # the narrow table has no SOURCE column
    assert "exchange-Coinbase" in table.stdout and table.stdout.splitlines()[0].endswith("SOURCE")


def test_ten_thousand_registrations(
    admin: redis.Redis, redis_port: int, capsys: pytest.CaptureFixture[str]
) -> None:
    pipe = admin.pipeline(transaction=False)
    for i in range(10_000):
        name = f"exchange-X{i:05d}"
        pipe.set(f"services:exchange-simulator:{name}", go_json(name, "exchange-simulator"), ex=120)
    pipe.execute()
    started = time.perf_counter()
    result = discover(url(redis_port))
    elapsed = time.perf_counter() - started
    tracemalloc.start()  # a second run under tracemalloc (which slows it) for the peak
    discover(url(redis_port))
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    with capsys.disabled():
        print(
            f"\ndiscovered {len(result.found)} registrations with SCAN in {elapsed:.2f}s, peak {peak / 2**20:.1f} MiB"
        )
    assert len(result.found) == 10_000 and result.scanned == 10_000
    # Bounded memory: batches of 1,000 keys; the result itself is most of the peak.
    assert peak < 64 * 2**20


NOW = 1_800_000_000.0


@pytest.mark.parametrize(
    ("key", "value", "outcome"),
    [
        ("services:x", "{}", "key is not services:{service}:{instance}"),
        ("services:exchange-simulator:exchange-A", "[1]", "value is not a JSON object"),
        (
            "services:exchange-simulator:exchange-A",
            '{"status": "healthy", "metadata": "{bad"}',
            "metadata is not JSON",
        ),
        (
            "services:exchange-simulator:exchange-A",
            '{"status": "healthy", "last_seen": "yesterday"}',
            "lastseen 'yesterday' is not a timestamp",
        ),
        (
            "services:exchange-simulator:exchange-A",
            '{"status": "healthy"}',
            "no host/address and http_port/port",
        ),
        ("registry:services:", "{}", "key is not registry:services:{service}"),
        ("a:service:b:c", "{}", "key is not {namespace}:service:{id}"),
        (
            "exchange:service:exchange-okx",
            '{"ServiceID": "exchange-okx", "Address": "x", "Port": 1}',
            "value has no ServiceName",
        ),
        (
            "registry:services:risk-monitor",
            '{"status": "healthy", "name": "risk-monitor", "host": "r", "http_port": "8080", "metadata": "{\\"instance_name\\": \\"risk-monitor-lh\\"}", "last_heartbeat": "1799999990.5"}',
            "r:8080",
        ),
        (
            "registry:services:risk-monitor",
            '{"status": "healthy", "name": "risk-monitor", "host": "r", "http_port": "8080", "last_heartbeat": "1799999000"}',
            "stale: last heartbeat 1000s ago (more than 45s)",
        ),
        (
            "services:exchange-simulator:exchange-A",
            '{"Status": "UP", "Address": "10.0.0.5:8080"}',
            "10.0.0.5:8080",
        ),
        (
            "services:exchange-simulator:exchange-A",
            f'{{"status": "ok", "host": "h", "port": 1, "lastSeen": {int(NOW * 1000)}}}',
            "h:1",
        ),
        (
            "services:exchange-simulator:exchange-A",
            f'{{"status": "ok", "host": "h", "port": 1, "LastSeen": {NOW - 100}}}',
            "stale: last heartbeat 100s ago (more than 45s)",
        ),
    ],
)
def test_parse_registration_table(key: str, value: str, outcome: str) -> None:
    from tsedash.registry.sources.redis_registry import parse_registration

    got = parse_registration(key, value, NOW, 45.0)
    assert (got if isinstance(got, str) else got.address) == outcome


def test_not_a_redis_url() -> None:
    from tsedash.errors import InputError

    with pytest.raises(InputError, match="not a Redis URL"):
        discover("http://nope")


def test_a_database_number_the_server_lacks_is_one_clear_line(
    run_cli: RunCli, redis_port: int
) -> None:
    res = run_cli(
        "registry",
        "show",
        "--registry",
        str(ROOT / "instances.yaml"),
        "--discover",
        url(redis_port).removesuffix("/0") + "/999",
    )
    assert res.exit_code in (2, 3), res.stderr
    assert res.stderr.count("\n") == 1 and "Traceback" not in res.stderr
    assert ADMIN_PW not in res.stderr and "redis://default:***@" in res.stderr


def test_one_unusable_entry_never_aborts_the_discovery(admin: redis.Redis, redis_port: int) -> None:
    admin.set("services:exchange-simulator:bad", b"\xff\xfe not utf-8")
    admin.hset("registry:services:risk-monitor", mapping={b"status": b"\xff", b"name": b"risk"})
    admin.set(b"services:exchange-simulator:\xff", "{}")
    try:
        report = discover(url(redis_port), stale_after=45)
        reasons = {s.key: s.reason for s in report.skipped}
        assert "not JSON" in reasons["services:exchange-simulator:bad"]
        assert "not UTF-8" in reasons["registry:services:risk-monitor"]
    finally:
        admin.delete(
            "services:exchange-simulator:bad",
            "registry:services:risk-monitor",
            b"services:exchange-simulator:\xff",
        )


def _drip_proxy(upstream_port: int, delay: float) -> tuple[int, socket.socket]:
    """A TCP proxy in front of the real redis-server: requests pass at once, answers come
    back one byte every `delay` seconds (a per-read timeout never fires)."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()

    def serve() -> None:
        with contextlib.suppress(OSError):
            client, _ = listener.accept()
            upstream = socket.create_connection(("127.0.0.1", upstream_port))
            with client, upstream:

                def forward() -> None:
                    with contextlib.suppress(OSError):
                        while data := client.recv(65536):
                            upstream.sendall(data)

                threading.Thread(target=forward, daemon=True).start()
                while data := upstream.recv(65536):
                    for byte in data:
                        client.sendall(bytes([byte]))
                        time.sleep(delay)

    threading.Thread(target=serve, daemon=True).start()
    return listener.getsockname()[1], listener


def test_a_redis_that_drips_its_answers_is_given_up_on(redis_port: int) -> None:
    port, listener = _drip_proxy(redis_port, delay=0.2)
    try:
        dripping = f"redis://default:{ADMIN_PW}@127.0.0.1:{port}/0"
        with pytest.raises(RedisUnreachable, match="no complete answer within 2s") as info:
            discover(dripping, timeout=1.0, total_timeout=2)
        assert ADMIN_PW not in str(info.value)
    finally:
        listener.close()


# --- The orchestrator's Redis: discovery never invents an instance --------------------------

SEED = ROOT / "tests" / "fixtures" / "orchestrator" / "redis-seed.redis"
# The registry script's infrastructure hashes: jobs of the shipped registry's infrastructure,
# and two it declares nowhere.
INFRA_JOBS = ("grafana", "jaeger", "postgres", "prometheus", "redis")
UNDECLARED = ("otel-collector", "service-registry")


def seed_orchestrator(port: int) -> None:
    """The seed's commands through the real redis-cli, as the registry script sends them, with
    its placeholders filled in for now."""
    now = datetime.now(UTC)
    values = {
        "${DATE_ISO}": now.isoformat(timespec="seconds"),
        "${NOW}": str(now.timestamp()),
        "${NOW_GO}": _go_time(now),
    }
    lines = []
    for line in SEED.read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            for name, value in values.items():
                line = line.replace(name, value)
            lines.append(line)
    res = subprocess.run(
        [find_program("redis-cli"), "--no-auth-warning", "-u", url(port)],
        input="\n".join(lines) + "\n",
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    )
    replies = res.stdout.splitlines()
    assert len(replies) == len(lines), res.stdout + res.stderr
    assert all(r == "OK" or r.isdigit() for r in replies), res.stdout  # no error reply


def test_the_seed_has_the_orchestrators_shape(admin: redis.Redis, redis_port: int) -> None:
    seed_orchestrator(redis_port)
    # The registry script's hashes never expire, the services' registrations do.
    assert admin.ttl("registry:services:custodian-simulator") == -1
    assert admin.ttl("registry:services:audit-correlator") == -1
    assert 0 < admin.ttl("services:audit-correlator:audit-correlator") <= 45
    assert 0 < admin.ttl("registry:services:risk-monitor") <= 90
    assert admin.hgetall("registry:services:custodian-simulator").keys() == {
        b"name",
        b"host",
        b"http_port",
        b"grpc_port",
        b"type",
        b"status",
        b"updated_at",
    }
    risk = admin.hgetall("registry:services:risk-monitor")
    assert "instance_name" not in json.loads(risk[b"metadata"])
    audit = json.loads(admin.get("services:audit-correlator:audit-correlator") or b"")
    assert audit["metadata"]["instance_name"] == "audit-correlator"
    # Read alone, the type-keyed hashes look like instances named after their type.
    found = {(d.name, d.address, d.instance_named) for d in discover(url(redis_port)).found}
    assert ("custodian-simulator", "172.20.0.81:8084", False) in found
    assert ("risk-monitor", None, False) in found  # host 0.0.0.0
    assert ("audit-correlator", "172.20.0.80:8083", False) in found
    assert ("audit-correlator", "5d41402abc4b:8080", True) in found


def _orchestrator_skips(registry_path: str) -> dict[str, str]:
    """Every key of the seed that stands for no instance of the shipped registry, and why."""
    text = (ROOT / "instances.yaml").read_text()
    audit_line = line_of(text, "{service: audit-correlator,")
    reasons = {
        f"registry:services:{job}": f"'{job}' is an infrastructure job, not a service instance"
        for job in INFRA_JOBS
    }
    reasons |= {
        f"registry:services:{name}": f"service type '{name}' is not declared in "
        f"{registry_path} (add it under `services:`)"
        for name in UNDECLARED
    }
    typed = "keyed by service type with no instance name"
    reasons["registry:services:custodian-simulator"] = (
        f"{typed}; custodian-simulator has named instances (custodian-komainu)"
    )
    reasons["registry:services:risk-monitor"] = (
        f"{typed}; risk-monitor has named instances (risk-monitor-lh)"
    )
    reasons["registry:services:audit-correlator"] = (
        f"{typed}; its address 172.20.0.80:8083 contradicts audit-correlator's "
        f"audit-correlator:8080 in yaml ({registry_path}:{audit_line}): another port; the "
        "registry's address is kept"
    )
    return reasons


def test_the_orchestrators_redis_gives_exactly_the_registrys_instances(
    admin: redis.Redis, redis_port: int
) -> None:
    from tsedash.registry import load_registry
    from tsedash.registry.merge import load_sources

    seed_orchestrator(redis_port)
    plain = load_registry(ROOT / "instances.yaml")
    sources = load_sources(ROOT / "instances.yaml", discover_url=url(redis_port))
    reg = sources.registry
    assert [(i.instance_name, i.address) for i in reg.instances] == [
        (i.instance_name, i.address) for i in plain.instances
    ]
    assert len(reg.instances) == 7
    assert [w.code for w in reg.warnings] == []  # no namespace-overlap with a phantom
    # audit-correlator's own registration confirms it; nothing else is taken from Redis.
    assert {i.instance_name: i.source for i in reg.instances if i.source != "yaml"} == {
        "audit-correlator": "yaml,redis"
    }
    assert sources.redis is not None
    assert {s.key: s.reason for s in sources.redis.skipped} == _orchestrator_skips(reg.path)


def test_registry_show_and_check_on_the_orchestrators_redis(
    admin: redis.Redis, redis_port: int, run_cli: RunCli
) -> None:
    seed_orchestrator(redis_port)
    registry = str(ROOT / "instances.yaml")
    base = ["--registry", registry, "--discover", url(redis_port)]
    shown = "redis://default:***@127.0.0.1"

    table = run_cli("registry", "show", *base, "-o", "wide")  # with the ADDRESS column
    assert table.exit_code == 0, table.stderr
    rows = table.stdout.split("\n\n")[0].splitlines()[1:]  # below the header, above the total
    assert [r.split()[0] for r in rows] == [
        "audit-correlator",
        "test-coordinator",
        "exchange-okx",
        "custodian-komainu",
        "market-data-coinmetrics",
        "risk-monitor-lh",
        "trading-engine-lh",
    ]
    assert "\n7 instances (2 singletons" in table.stdout
    assert "172.20.0.8" not in table.stdout  # no address of the registry script's hashes
    reasons = _orchestrator_skips(registry)
    skipped = [line for line in table.stderr.splitlines() if ": skipped " in line]
    assert skipped == [
        f"{shown}:{redis_port}/0: skipped {key}: {reasons[key]}" for key in sorted(reasons)
    ]
    assert "warning" not in table.stderr and ADMIN_PW not in table.stderr

    as_json = run_cli("registry", "show", "--json", *base)
    assert as_json.exit_code == 0
    assert [(d["instance_name"], d["address"]) for d in json.loads(as_json.stdout)] == [
        ("audit-correlator", "audit-correlator:8080"),
        ("test-coordinator", "test-coordinator:8080"),
        ("exchange-okx", "exchange-simulator:8080"),
        ("custodian-komainu", "custodian-simulator:8080"),
        ("market-data-coinmetrics", "market-data-simulator:8080"),
        ("risk-monitor-lh", "risk-monitor:8080"),
        ("trading-engine-lh", "trading-system-engine:8080"),
    ]
    assert as_json.stderr == table.stderr  # the skipped entries, on stderr

    check = run_cli("registry", "check", *base)
    assert check.exit_code == 0
    assert check.stdout.strip() == (
        f"{registry}: ok: 7 instances of 7 service types, 6 infrastructure jobs"
    )  # no warning count: no namespace overlap
    assert check.stderr == table.stderr

    payload = json.loads(run_cli("registry", "check", "--json", *base).stdout)
    assert payload["ok"] is True and payload["errors"] == [] and payload["warnings"] == []
    assert {s["key"]: s["reason"] for s in payload["skipped"]} == reasons
    assert {s["redis"] for s in payload["skipped"]} == {f"{shown}:{redis_port}/0"}


def _type_hash(service: str, host: str, port: int, metadata: str | None = None) -> dict[str, str]:
    """A `registry:services:{service}` hash as the registry script writes one (plus metadata)."""
    fields = {"name": service, "host": host, "http_port": str(port), "status": "healthy"}
    if metadata is not None:
        fields["metadata"] = metadata
    return fields


def test_a_singletons_type_hash_confirms_it_but_never_moves_it(
    admin: redis.Redis, redis_port: int, write_registry: Callable[[str], Path]
) -> None:
    from tsedash.registry.merge import load_sources

    from .conftest import registry_text

    path = write_registry(registry_text())  # audit-correlator listed, no address stated
    admin.hset(
        "registry:services:audit-correlator",
        mapping=_type_hash("audit-correlator", "10.1.0.8", 8080),
    )
    reg = load_sources(path, discover_url=url(redis_port)).registry
    [audit] = [i for i in reg.instances if i.service_name == "audit-correlator"]
    # Same port: it confirms the singleton; its host does not replace the registry's address.
    assert (audit.address, audit.source) == ("audit-correlator:8080", "yaml,redis")

    admin.hset("registry:services:audit-correlator", "http_port", "8083")
    sources = load_sources(path, discover_url=url(redis_port))
    [audit] = [i for i in sources.registry.instances if i.service_name == "audit-correlator"]
    assert (audit.address, audit.source) == ("audit-correlator:8080", "yaml")
    assert sources.redis is not None
    [skip] = sources.redis.skipped
    assert skip.key == "registry:services:audit-correlator"
    assert skip.reason.startswith(
        "keyed by service type with no instance name; its address 10.1.0.8:8083 contradicts "
        "audit-correlator's audit-correlator:8080 in yaml ("
    )


def test_a_type_hash_stands_only_for_a_singleton(
    admin: redis.Redis, redis_port: int, write_registry: Callable[[str], Path]
) -> None:
    from tsedash.registry.merge import load_sources

    from .conftest import registry_text

    # No audit-correlator in the registry: its type hash is the singleton, named by the type.
    path = write_registry(
        registry_text("instances:\n  - {service: exchange-simulator, name: exchange-OKX}\n")
    )
    admin.hset(
        "registry:services:audit-correlator",
        mapping=_type_hash("audit-correlator", "10.1.0.8", 8080),
    )
    # market-data-simulator is not a singleton and has no instance: the hash names none.
    admin.hset(
        "registry:services:market-data-simulator",
        mapping=_type_hash("market-data-simulator", "10.1.0.9", 8080),
    )
    # A hash whose metadata names its instance is that instance.
    admin.hset(
        "registry:services:exchange-simulator",
        mapping=_type_hash(
            "exchange-simulator", "10.1.0.7", 8080, json.dumps({"instance_name": "exchange-Kraken"})
        ),
    )
    sources = load_sources(path, discover_url=url(redis_port))
    assert [(i.instance_name, i.address, i.source) for i in sources.registry.instances] == [
        ("exchange-OKX", "exchange-OKX:8080", "yaml"),  # the derived default
        ("audit-correlator", "10.1.0.8:8080", "redis"),
        ("exchange-Kraken", "10.1.0.7:8080", "redis"),
    ]
    assert sources.redis is not None
    assert {s.key: s.reason for s in sources.redis.skipped} == {
        "registry:services:market-data-simulator": "keyed by service type with no instance "
        "name; market-data-simulator is not a singleton type, so the hash stands for no instance"
    }


def test_named_instances_are_listed_briefly(
    admin: redis.Redis, redis_port: int, write_registry: Callable[[str], Path]
) -> None:
    from tsedash.registry.merge import load_sources

    from .conftest import registry_text

    names = ["exchange-a", "exchange-b", "exchange-c", "exchange-d", "exchange-e"]
    path = write_registry(
        registry_text(
            "instances:\n"
            + "".join(f"  - {{service: exchange-simulator, name: {n}}}\n" for n in names)
        )
    )
    admin.hset(
        "registry:services:exchange-simulator",
        mapping=_type_hash("exchange-simulator", "10.1.0.7", 8080),
    )
    sources = load_sources(path, discover_url=url(redis_port))
    assert [i.instance_name for i in sources.registry.instances] == names
    assert sources.redis is not None
    assert [s.reason for s in sources.redis.skipped] == [
        "keyed by service type with no instance name; exchange-simulator has named instances "
        "(exchange-a, exchange-b, exchange-c and 2 more)"
    ]

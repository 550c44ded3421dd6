"""Discovery from a real redis-server (Debian), written to as the ecosystem's adapters do."""

from __future__ import annotations

import contextlib
import json
import shutil
import socket
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

from .conftest import ROOT, Result

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
    string, metadata as JSON, timestamps as Unix seconds (floats)."""
    now = time.time() - age
    metadata: dict[str, Any] = {
        "environment": "docker",
        "capabilities": ["http", "grpc", "metrics", "health"],
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
    # Redis says exchange-okx:8080 (the container's host), compose exchange-okx:9001: the file
    # is what Prometheus reaches, so it wins and Redis only confirms the instance.
    assert res.exit_code == 0, res.stderr
    by = {d["instance_name"]: d for d in json.loads(res.stdout)}
    assert by["exchange-OKX"]["address"] == "exchange-okx:9001"
    assert by["exchange-OKX"]["source"] == f"yaml,compose:{compose},redis"
    assert by["exchange-Coinbase"]["source"] == "redis"
    assert by["exchange-Coinbase"]["address"] == "exchange-coinbase:8080"
    table = run_cli(*args)
    print(table.stdout)
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

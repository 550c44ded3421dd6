"""The Python services' identity helper and password masking."""

from __future__ import annotations

import pytest

from tsedash.identity import IdentityError, from_env
from tsedash.redact import mask_password


def test_singleton_defaults_instance_to_service_name() -> None:
    ident = from_env({"SERVICE_NAME": "trading-system-engine"})
    assert ident.instance_name == "trading-system-engine"
    assert ident.singleton
    assert ident.schema_name == "trading_system_engine"  # Python AdapterConfig rule
    assert ident.redis_namespace == "trading"
    assert ident.discovery_key == "services:trading-system-engine:trading-system-engine"


def test_go_rule_on_request() -> None:
    ident = from_env({"SERVICE_NAME": "audit-correlator", "SERVICE_INSTANCE_NAME": ""}, "go")
    assert (ident.schema_name, ident.redis_namespace) == ("audit", "audit")


def test_multi_instance() -> None:
    ident = from_env({"SERVICE_NAME": "risk-monitor", "SERVICE_INSTANCE_NAME": "risk-monitor-lh"})
    assert not ident.singleton
    assert (ident.schema_name, ident.redis_namespace) == ("risk_monitor_lh", "risk:monitor-lh")
    assert ident.discovery_key == "services:risk-monitor:risk-monitor-lh"


def test_the_trading_engines_own_rule() -> None:
    env = {"SERVICE_NAME": "trading-system-engine", "SERVICE_INSTANCE_NAME": "trading-engine-lh"}
    ident = from_env(env, "trading-engine-py")
    assert (ident.schema_name, ident.redis_namespace) == ("trading_engine_lh", "trading_engine:lh")
    with pytest.raises(IdentityError, match="unknown derivation 'rust'"):
        from_env(env, "rust")


def test_upper_case_is_refused_as_the_python_services_do() -> None:
    env = {"SERVICE_NAME": "risk-monitor", "SERVICE_INSTANCE_NAME": "risk-monitor-LH"}
    with pytest.raises(IdentityError, match=r"is not lower-case .* refuse to start"):
        from_env(env)


def test_reads_os_environ_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SERVICE_NAME", "exchange-simulator")
    monkeypatch.setenv("SERVICE_INSTANCE_NAME", "exchange-okx")
    assert from_env().schema_name == "exchange_okx"


@pytest.mark.parametrize(
    ("env", "needle"),
    [
        ({}, "SERVICE_NAME is not set"),
        ({"SERVICE_NAME": "  "}, "SERVICE_NAME is not set"),
        ({"SERVICE_NAME": "exchange simulator"}, "SERVICE_NAME 'exchange simulator' is invalid"),
        (
            {"SERVICE_NAME": "x", "SERVICE_INSTANCE_NAME": "../etc"},
            "SERVICE_INSTANCE_NAME '../etc'",
        ),
        ({"SERVICE_NAME": "pg-x"}, "derived schema for 'pg-x' is unusable"),
    ],
)
def test_clear_errors(env: dict[str, str], needle: str) -> None:
    with pytest.raises(IdentityError, match=None) as info:
        from_env(env)
    assert needle in str(info.value)
    assert info.value.exit_code == 2


@pytest.mark.parametrize(
    ("url", "masked"),
    [
        ("postgres://user:secret@host", "postgres://user:***@host"),
        (
            "postgres://user:secret@host:5432/db?sslmode=disable",
            "postgres://user:***@host:5432/db?sslmode=disable",
        ),
        ("redis://:secret@redis:6379/0", "redis://:***@redis:6379/0"),
        ("postgres://u:p%40ss@h/db", "postgres://u:***@h/db"),
        (
            "https://grafana.example/?token=abc&orgId=1",
            "https://grafana.example/?token=***&orgId=1",
        ),
        ("http://prometheus:9090", "http://prometheus:9090"),
        ("postgres://user@host/db", "postgres://user@host/db"),
        ("not a url", "not a url"),
        ("http://u:secret@[::1/x", "http://u:***@[::1/x"),  # unparseable: masked by pattern
    ],
)
def test_mask_password(url: str, masked: str) -> None:
    assert mask_password(url) == masked
    assert "secret" not in mask_password(url)
